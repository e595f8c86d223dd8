// Component tests of the Sweep dialog's body: a run's parameters as a search space from its plan model, and the `POST sweeps` it sends.
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

import { FormView } from '../../components/FormView';
import { sweepView } from '../../components/sweep/SweepFields';
import { bundleOf } from '../../components/translation';
import { SweepPlanModel } from '../../models/sweepPlan';
import { detail, plan } from '../bodies';
import { advance, FakeTransport } from '../fakeTransport';

describe('the Sweep dialog', () => {
  afterEach(() => {
    cleanup();
  });

  it('searches around the run’s parameters, for its validation metric, shows the code every trial runs, and sends what the user chose with its digest', async () => {
    // Given run abc with parameters lr and width, and two metrics
    const server = new FakeTransport()
      .on('GET promote-plan', () => plan())
      .on('GET runs/abc', () =>
        detail({ run_id: 'abc', metrics: { 'val/loss': 0.3, loss: 0.2 } })
      )
      // The started sweep's detail; the dialog reads its id only.
      .on('POST sweeps', () => ({ run_id: 'sweep-9' }));
    const model = new SweepPlanModel(server.client(), 'abc');

    // When the dialog opens
    render(
      <FormView
        model={model}
        view={sweepView(model, 'promo', bundleOf(null))}
      />
    );
    await act(async () => {
      void model.load();
      await advance();
    });

    // Then each parameter is a row, searched around its value, and the
    // objective is the validation metric, minimized (it is a loss)
    const space = screen.getByRole('table', { name: 'Search space' });
    expect(within(space).getAllByRole('row')).toHaveLength(2);
    expect(
      (screen.getByRole('textbox', { name: 'lr low' }) as HTMLInputElement)
        .value
    ).toBe('0.01');
    expect(
      (screen.getByRole('combobox', { name: 'Objective' }) as HTMLSelectElement)
        .value
    ).toBe('val/loss');
    expect(
      (screen.getByRole('combobox', { name: 'Direction' }) as HTMLSelectElement)
        .value
    ).toBe('minimize');
    // ...and the code every trial runs is there to read, as in Promote
    const code = screen.getByRole('list', { name: 'Code that will run' });
    expect(within(code).getByRole('listitem').textContent).toContain(
      'lr = 0.1'
    );

    // When the user leaves width out, asks for 8 trials and starts the sweep
    fireEvent.click(screen.getByRole('checkbox', { name: 'width' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Trials' }), {
      target: { value: '8' }
    });
    let accepted = false;
    await act(async () => {
      accepted = await model.submit();
    });

    // Then the request searches lr only, as the form showed it, and names
    // the code shown (the plan's default order) by its digest
    expect(accepted).toBe(true);
    expect(model.started?.run_id).toBe('sweep-9');
    expect(JSON.parse(server.calls('POST sweeps')[0].body ?? '')).toEqual({
      run_id: 'abc',
      params: ['lr=loguniform:0.01:1'],
      objective: 'val/loss',
      direction: 'minimize',
      trials: 8,
      sampler: 'tpe',
      pruner: 'hyperband',
      workers: null,
      code_sha256: 'a'.repeat(64)
    });
  });

  it('says what to fix when nothing is searched, and sends nothing', async () => {
    // Given the dialog of a run whose plan has one parameter
    const server = new FakeTransport()
      .on('GET promote-plan', () => plan({ params: { lr: 0.1 } }))
      .on('GET runs/abc', () => detail({ run_id: 'abc' }));
    const model = new SweepPlanModel(server.client(), 'abc');
    render(
      <FormView
        model={model}
        view={sweepView(model, 'promo', bundleOf(null))}
      />
    );
    await act(async () => {
      void model.load();
      await advance();
    });

    // When the user unticks it and starts the sweep
    fireEvent.click(screen.getByRole('checkbox', { name: 'lr' }));
    await act(async () => {
      await model.submit();
    });

    // Then the dialog says so in one line, and nothing was sent
    expect(screen.getByRole('alert').textContent).toBe(
      'Choose at least one parameter to search.'
    );
    expect(server.calls('POST sweeps')).toHaveLength(0);
  });
});
