// Component tests of the Promote dialog's body: it renders its plan model, says what to fix, and sends what the user chose.
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

import { promoteView } from '../../components/promote/PromoteFields';
import { FormView } from '../../components/FormView';
import { bundleOf } from '../../components/translation';
import { PromotePlanModel } from '../../models/promotePlan';
import { plan, promotion } from '../bodies';
import { advance, FakeTransport, serverError } from '../fakeTransport';

/** The dialog's body for run `abc` over `server`, its plan read. */
async function openDialog(server: FakeTransport): Promise<PromotePlanModel> {
  const model = new PromotePlanModel(server.client(), { runId: 'abc' });
  render(
    <FormView
      model={model}
      view={promoteView(model, 'promo', bundleOf(null))}
    />
  );
  await act(async () => {
    void model.load();
    await advance();
  });
  return model;
}

describe('the Promote dialog', () => {
  afterEach(() => {
    cleanup();
  });

  it('is filled from the plan: source, parameters, seed, order and the code that will run', async () => {
    // Given a server whose plan for run abc has lr, width and seed 3
    const server = new FakeTransport().on('GET promote-plan', () => plan());

    // When the dialog opens
    await openDialog(server);

    // Then it asked for the run's plan and shows it, found by role
    expect(server.calls('GET promote-plan')[0].query?.toString()).toBe(
      'run_id=abc'
    );
    const source = screen.getByRole('table', { name: 'Source' });
    expect(
      within(source).getByRole('row', { name: /^Source run promo abc$/ })
    ).toBeTruthy();
    const params = screen.getByRole('table', { name: 'Parameters' });
    expect(
      (within(params).getByRole('textbox', { name: 'lr' }) as HTMLInputElement)
        .value
    ).toBe('0.1');
    expect(
      (screen.getByRole('textbox', { name: 'Seeds' }) as HTMLInputElement).value
    ).toBe('3');
    const order = screen.getByRole('combobox', {
      name: 'Order'
    }) as HTMLSelectElement;
    expect(order.value).toBe('recorded');
    expect(
      within(order)
        .getAllByRole('option')
        .map(option => option.textContent)
    ).toEqual(['recorded (1 cells)', 'notebook (1 cells)']);
    const code = screen.getByRole('list', { name: 'Code that will run' });
    expect(within(code).getByRole('listitem').textContent).toContain(
      'lr = 0.1'
    );
  });

  it('says what to fix before sending, then sends the edited values with the digest of the code shown', async () => {
    // Given an open dialog whose server accepts promotions
    const server = new FakeTransport()
      .on('GET promote-plan', () => plan())
      .on('POST promotions', () => promotion({ id: 'p7' }));
    const model = await openDialog(server);

    // When the seeds are not numbers and the user presses Promote
    fireEvent.change(screen.getByRole('textbox', { name: 'Seeds' }), {
      target: { value: '0,x' }
    });
    let accepted = true;
    await act(async () => {
      accepted = await model.submit();
    });

    // Then nothing is sent, and the dialog says what to fix
    expect(accepted).toBe(false);
    expect(server.calls('POST promotions')).toHaveLength(0);
    expect(screen.getByRole('alert').textContent).toBe(
      'Seeds must be whole numbers separated by commas, not "x".'
    );

    // When the user fixes the seeds, edits lr, picks the notebook order and presses Promote again
    fireEvent.change(screen.getByRole('textbox', { name: 'Seeds' }), {
      target: { value: '0,1' }
    });
    expect(screen.queryByRole('alert')).toBeNull();
    fireEvent.change(screen.getByRole('textbox', { name: 'lr' }), {
      target: { value: '0.05' }
    });
    fireEvent.change(screen.getByRole('combobox', { name: 'Order' }), {
      target: { value: 'notebook' }
    });
    await act(async () => {
      accepted = await model.submit();
    });

    // Then the request carries what was chosen and the notebook order's digest
    expect(accepted).toBe(true);
    expect(model.started?.id).toBe('p7');
    expect(JSON.parse(server.calls('POST promotions')[0].body ?? '')).toEqual({
      run_id: 'abc',
      params: { lr: 0.05 },
      seeds: [0, 1],
      order: 'notebook',
      cell_timeout: 600,
      tolerance: null,
      code_sha256: 'b'.repeat(64)
    });
  });

  it('stays open with the server’s refusal, and offers Retry when the plan cannot be read', async () => {
    // Given a server that refuses the promotion
    const server = new FakeTransport()
      .on('GET promote-plan', () => plan())
      .on('POST promotions', () => {
        throw serverError(409, 'The code changed since the dialog opened');
      });
    const model = await openDialog(server);

    // When the user presses Promote
    let accepted = true;
    await act(async () => {
      accepted = await model.submit();
    });

    // Then the refusal is shown as it came
    expect(accepted).toBe(false);
    expect(screen.getByRole('alert').textContent).toBe(
      'The code changed since the dialog opened'
    );

    // When the plan itself fails, then Retry reads it again
    server.on('GET promote-plan', () => {
      throw serverError(404, 'No run abc');
    });
    await act(async () => {
      void model.load();
      await advance();
    });
    expect(screen.getByRole('alert').textContent).toContain(
      'Cannot promote promo: No run abc'
    );
    server.on('GET promote-plan', () => plan());
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await act(() => advance());
    expect(screen.getByRole('table', { name: 'Parameters' })).toBeTruthy();
    expect(server.calls('GET promote-plan')).toHaveLength(3);
  });

  it('lists every package the recorded environment installs, and names them by their digest', async () => {
    // Given a plan whose source has a recorded lock of two pins
    const server = new FakeTransport()
      .on('GET promote-plan', () =>
        plan({
          recorded_env: {
            lock: { differed: 1, pins: 2, python: '3.11.9' },
            pins: ['numpy==1.26.4', 'scipy==1.13.1'],
            sha256: { recorded: 'c'.repeat(64), notebook: 'd'.repeat(64) }
          }
        })
      )
      .on('POST promotions', () => promotion({ id: 'p8' }));
    const model = await openDialog(server);

    // When the user picks the recorded environment
    expect(
      screen.queryByRole('list', { name: 'Packages it installs' })
    ).toBeNull();
    fireEvent.change(screen.getByRole('combobox', { name: 'Environment' }), {
      target: { value: 'recorded' }
    });

    // Then every pin it would install is listed, with how many differ
    const pins = screen.getByRole('list', { name: 'Packages it installs' });
    expect(
      within(pins)
        .getAllByRole('listitem')
        .map(item => item.textContent)
    ).toEqual(['numpy==1.26.4', 'scipy==1.13.1']);
    expect(
      screen.getByText(/^1 of the recorded lock’s 2 pins differ/)
    ).toBeTruthy();

    // When the user presses Promote
    await act(async () => {
      await model.submit();
    });

    // Then the request asks for that environment, by the digest of code and pins
    const body = JSON.parse(server.calls('POST promotions')[0].body ?? '');
    expect(body.env).toBe('recorded');
    expect(body.code_sha256).toBe('c'.repeat(64));
  });
});
