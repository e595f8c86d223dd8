// Component tests of the one model subscription (useModel): a change is never missed, and it ends with the view.
import { afterEach, describe, expect, it } from '@jest/globals';
import { act, cleanup, render, screen } from '@testing-library/react';
import React, { useEffect } from 'react';

import { useModel } from '../../components/useModel';
import { Model } from '../../models/base';

/** A model with one number. */
class Counter extends Model {
  value = 0;

  bump(): void {
    this.value += 1;
    this.emitChanged();
  }
}

/** Changes the model in its first effect, which React runs before its parent's. */
function Kick(props: { model: Counter }): null {
  useEffect(() => props.model.bump(), [props.model]);
  return null;
}

/** Shows the model's value. */
function View(props: { model: Counter; kick?: boolean }): React.JSX.Element {
  useModel(props.model);
  return (
    <p>
      {`value ${props.model.value}`}
      {props.kick && <Kick model={props.model} />}
    </p>
  );
}

describe('useModel', () => {
  afterEach(() => {
    cleanup();
  });

  it('renders a change made between the first render and the subscription', () => {
    // Given a view whose child changes the model before the view has subscribed
    const model = new Counter();

    // When it is rendered
    render(<View model={model} kick />);

    // Then it shows the changed value, not the one it first rendered
    expect(screen.getByText('value 1')).toBeTruthy();
  });

  it('follows later changes, and stops with the view', () => {
    // Given a view of a model
    const model = new Counter();
    const { unmount } = render(<View model={model} />);

    // When the model changes, the view follows
    act(() => model.bump());
    expect(screen.getByText('value 1')).toBeTruthy();

    // When the view is unmounted, a change reaches no view
    unmount();
    model.bump();
    expect(screen.queryByText(/^value/)).toBeNull();
  });
});
