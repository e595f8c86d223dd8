// Component tests of "Gate against…" in a comparison: the sides, metric and limits asked, the decision shown, over the fake server.
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

import { CompareView } from '../../components/compare/Compare';
import { CompareModel } from '../../models/compare';
import { advance, FakeTransport, serverError } from '../fakeTransport';
import { gateBody, gateMetric, twoGroups } from '../gateBodies';

/** A server that compares the two seed groups (no curves). */
function comparing(): FakeTransport {
  return new FakeTransport()
    .on('GET compare', () => twoGroups())
    .on('GET compare/curves', request => ({
      key: request.query?.get('metric'),
      confidence: 0.95,
      groups: []
    }));
}

describe('Gate against… in a comparison', () => {
  let model: CompareModel | null = null;

  afterEach(() => {
    cleanup();
    model?.dispose();
  });

  /** The comparison over `server`, shown, with its gate form opened. */
  async function openGate(server: FakeTransport): Promise<HTMLElement> {
    model = new CompareModel(server.client(), ['a0', 'b0']);
    render(<CompareView model={model} onOpenRun={() => undefined} />);
    await act(() => advance());
    fireEvent.click(screen.getByRole('button', { name: 'Gate against…' }));
    return screen.getByRole('form', { name: 'Gate against' });
  }

  it('gates the second seed group against the first and shows the decision', async () => {
    // Given a comparison of width 16 and width 32, whose gate fails width 32
    const server = comparing().on('GET gate', () =>
      gateBody({
        metrics: [
          gateMetric(),
          gateMetric({
            metric: 'val/loss',
            direction: 'minimize',
            decision: 'pass',
            why: 'not worse beyond seed noise',
            detectable_difference: 0.0123
          })
        ]
      })
    );
    const form = await openGate(server);

    // Then the sides default to the groups in order, and system/cpu cannot be picked
    const baseline = within(form).getByLabelText('Baseline');
    expect((baseline as HTMLSelectElement).value).toBe('0');
    expect(
      within(baseline)
        .getAllByRole('option')
        .map(option => option.textContent)
    ).toEqual(['width=16 (5 runs)', 'width=32 (5 runs)', 'A selection…']);
    expect(
      (within(form).getByLabelText('Candidate') as HTMLSelectElement).value
    ).toBe('1');
    const metric = within(form).getByLabelText('Metric');
    expect(
      within(metric)
        .getAllByRole('option')
        .map(option => option.textContent)
    ).toEqual(['val/accuracy', 'val/loss']);

    // When a minimum effect is given and Gate is clicked
    fireEvent.change(within(form).getByLabelText('Minimum effect'), {
      target: { value: '0.01' }
    });
    fireEvent.click(within(form).getByRole('button', { name: 'Gate' }));
    await act(() => advance());

    // Then the gate is asked with the groups' run ids, and its decision is shown
    const query = server.calls('GET gate')[0].query;
    expect(query?.get('baseline')).toBe('a0,a1,a2,a3,a4');
    expect(query?.get('candidate')).toBe('b0,b1,b2,b3,b4');
    expect(query?.get('metric')).toBe('val/accuracy');
    expect(query?.get('min_effect')).toBe('0.01');
    expect(query?.has('direction')).toBe(false);
    const decision = screen.getByRole('status', { name: 'Gate decision' });
    expect(decision.textContent).toMatch(/^fail Baseline 5 runs, candidate 5/);
    expect(decision.textContent).toContain('jupyter xp gate exits 1');
    const table = screen.getByRole('table', { name: 'Gate per metric' });
    const failed = within(table).getByRole('row', { name: /^val\/accuracy/ });
    expect(failed.textContent).toContain('worse by 0.1 beyond seed noise');
    expect(failed.textContent).toContain('0.9 (n=5)');
    const passed = within(table).getByRole('row', { name: /^val\/loss/ });
    expect(passed.textContent).toContain('0.0123');
    expect(passed.textContent).toContain('pass');
  });

  it('takes a typed selection as baseline, and shows the server’s refusal', async () => {
    // Given a server that finds no such registered version
    const server = comparing().on('GET gate', () => {
      throw serverError(
        400,
        "'models:/digits@production': no such model version with a run in this store"
      );
    });
    const form = await openGate(server);

    // When the baseline is a typed selection, left empty at first
    fireEvent.change(within(form).getByLabelText('Baseline'), {
      target: { value: 'typed' }
    });
    const gate = within(form).getByRole('button', { name: 'Gate' });

    // Then Gate waits for it, and says why
    expect((gate as HTMLButtonElement).disabled).toBe(true);
    expect(form.textContent).toContain('Give both a baseline and a candidate.');

    // When the registry alias is typed and the gate asked
    fireEvent.change(within(form).getByLabelText('Baseline selection'), {
      target: { value: 'models:/digits@production' }
    });
    fireEvent.change(within(form).getByLabelText('Better when'), {
      target: { value: 'maximize' }
    });
    fireEvent.click(gate);
    await act(() => advance());

    // Then the request names it, and the refusal is shown as the server said it
    const query = server.calls('GET gate')[0].query;
    expect(query?.get('baseline')).toBe('models:/digits@production');
    expect(query?.get('direction')).toBe('maximize');
    expect(screen.getByRole('alert').textContent).toBe(
      "Could not gate: 'models:/digits@production': no such model version with a run in this store"
    );

    // When the minimum effect is not a number
    fireEvent.change(within(form).getByLabelText('Minimum effect'), {
      target: { value: 'lots' }
    });

    // Then Gate is off until it is one
    expect((gate as HTMLButtonElement).disabled).toBe(true);
  });
});
