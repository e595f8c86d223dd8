// Component tests of a comparison: differences only by default, every row on "Show all", from its model over the fake server.
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  act,
  cleanup,
  fireEvent,
  render,
  screen,
  within
} from '@testing-library/react';
import React from 'react';

import type { CompareBody } from '../../api/types';
import { CompareView } from '../../components/compare/Compare';
import { CompareModel } from '../../models/compare';
import { summary } from '../bodies';
import { advance, FakeTransport } from '../fakeTransport';

/** Runs a and b: lr differs, the batch size does not; one metric differs. */
const BODY: CompareBody = {
  runs: [
    summary({ run_id: 'a', name: 'run a' }),
    summary({ run_id: 'b', name: 'run b' })
  ],
  metrics: [{ key: 'loss', values: [0.5, 0.4], differs: true }],
  params: [
    { key: 'lr', values: ['0.1', '0.01'], differs: true },
    { key: 'batch', values: ['32', '32'], differs: false }
  ],
  packages: [],
  hardware: [],
  git: [],
  environment: [],
  cells: [],
  seed_groups: [],
  group_tests: [],
  correction: 'holm',
  alpha: 0.05,
  untested_metrics: []
};

describe('a comparison', () => {
  let model: CompareModel;

  afterEach(() => {
    cleanup();
    model.dispose();
  });

  it('shows only what differs, and every row once Show all is ticked', async () => {
    // Given a comparison of runs a and b
    const server = new FakeTransport()
      .on('GET compare', () => BODY)
      .on('GET compare/curves', () => ({
        key: 'loss',
        confidence: 0.95,
        groups: []
      }));
    model = new CompareModel(server.client(), ['a', 'b']);

    // When it is shown
    render(<CompareView model={model} onOpenRun={() => undefined} />);
    await act(() => advance());

    // Then it names both runs and the parameter that differs, not the other
    expect(
      screen.getByRole('heading', { name: 'Comparing 2 runs' })
    ).toBeTruthy();
    const params = screen.getByRole('table', { name: 'Parameters' });
    expect(
      within(params).queryByRole('rowheader', { name: 'lr' })
    ).toBeTruthy();
    expect(
      within(params).queryByRole('rowheader', { name: 'batch' })
    ).toBeNull();

    // When "Show all" is ticked
    fireEvent.click(screen.getByRole('checkbox', { name: 'Show all' }));

    // Then the parameter that is the same in both runs is listed too
    expect(
      within(screen.getByRole('table', { name: 'Parameters' })).queryByRole(
        'rowheader',
        { name: 'batch' }
      )
    ).toBeTruthy();
  });
  it('holds a seed component the runs record, and compares again with it', async () => {
    // Given a comparison of runs that record a data and a model seed
    const seeded: CompareBody = {
      ...BODY,
      params: [
        ...BODY.params,
        { key: 'seed.data', values: ['11', '12'], differs: true },
        { key: 'seed.model', values: ['7', '8'], differs: true }
      ]
    };
    const server = new FakeTransport()
      .on('GET compare', () => seeded)
      .on('GET compare/curves', () => ({
        key: 'loss',
        confidence: 0.95,
        groups: []
      }));
    model = new CompareModel(server.client(), ['a', 'b']);
    render(<CompareView model={model} onOpenRun={() => undefined} />);
    await act(() => advance());

    // When the data seed is chosen to hold
    const hold = screen.getByRole('combobox', { name: 'Hold seed component' });
    expect(
      within(hold)
        .getAllByRole('option')
        .map(option => option.textContent)
    ).toEqual(['none', 'data', 'model']);
    fireEvent.change(hold, { target: { value: 'data' } });
    await act(() => advance());

    // Then the runs are compared again holding it, and the choice stays shown
    const asked = server.calls('GET compare').pop();
    expect(asked?.query?.get('hold_seed')).toBe('data');
    expect(
      (
        screen.getByRole('combobox', {
          name: 'Hold seed component'
        }) as HTMLSelectElement
      ).value
    ).toBe('data');
  });
});
