// Unit tests of the sweep models and client: the requests they make, polling while a sweep runs, cancel.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import type { SweepDetail, SweepSummary } from '../api/types';
import { SweepDetailModel, SweepListModel } from '../models/sweeps';
import { POLL_INTERVAL, SWEEP_POLL_INTERVAL } from '../tokens';
import { advance, FakeTransport, serverError } from './fakeTransport';
import { sweepDetail, trial } from './sweepBodies';

describe('XpClient sweeps', () => {
  it('starts, reads, lists and cancels sweeps with the server’s routes', async () => {
    const server = new FakeTransport()
      .on('POST sweeps', () => sweepDetail())
      .on('GET sweeps', () => ({ sweeps: [] }))
      .on('GET sweeps/a%2Fb', () => sweepDetail())
      .on('DELETE sweeps/a%2Fb', () => sweepDetail({ state: 'cancelled' }));
    const client = server.client();
    await client.startSweep({
      run_id: 'run-0',
      params: ['lr=loguniform:1e-4:1e-1'],
      objective: 'val/loss',
      direction: 'minimize',
      trials: 2
    });
    await client.sweeps();
    await client.sweep('a/b');
    expect((await client.cancelSweep('a/b')).state).toBe('cancelled');
    expect(server.requests.map(r => r.route)).toEqual([
      'POST sweeps',
      'GET sweeps',
      'GET sweeps/a%2Fb',
      'DELETE sweeps/a%2Fb'
    ]);
    expect(JSON.parse(server.calls('POST sweeps')[0].body as string)).toEqual({
      run_id: 'run-0',
      params: ['lr=loguniform:1e-4:1e-1'],
      objective: 'val/loss',
      direction: 'minimize',
      trials: 2
    });
  });
});

describe('SweepDetailModel', () => {
  let server: FakeTransport;
  let model: SweepDetailModel;
  let body: SweepDetail;

  beforeEach(() => {
    body = sweepDetail();
    server = new FakeTransport()
      .on('GET sweeps/sweep-0', () => body)
      .on('DELETE sweeps/sweep-0', () => {
        body = sweepDetail({ state: 'cancelled', counts: { FAIL: 1 } });
        return body;
      });
    model = new SweepDetailModel(server.client(), 'sweep-0', sweepDetail());
  });

  afterEach(() => {
    model.dispose();
  });

  it('shows the started sweep at once, then follows its trials while shown and running', async () => {
    // Given the sweep POST sweeps answered
    expect(model.sweep?.state).toBe('running');
    expect(server.requests).toHaveLength(0);
    let changes = 0;
    model.changed.connect(() => (changes += 1));

    // When its tab is shown
    model.visible = true;
    await advance();
    expect(server.calls('GET sweeps/sweep-0')).toHaveLength(1);

    // When a trial arrives
    body = sweepDetail({ trials: [trial()], counts: { COMPLETE: 1 } });
    await advance(SWEEP_POLL_INTERVAL);
    expect(model.sweep?.trials).toHaveLength(1);
    const seen = changes;

    // When a poll brings the same answer, nothing changes
    await advance(SWEEP_POLL_INTERVAL);
    expect(changes).toBe(seen);

    // When the sweep finishes, polling stands by
    body = sweepDetail({
      state: 'finished',
      trials: [trial(), trial({ number: 1 })]
    });
    await advance(SWEEP_POLL_INTERVAL);
    expect(model.running).toBe(false);
    const asked = server.calls('GET sweeps/sweep-0').length;
    await advance(20 * SWEEP_POLL_INTERVAL);
    expect(server.calls('GET sweeps/sweep-0')).toHaveLength(asked);

    // When its tab is hidden and shown again, it asks once more
    model.visible = false;
    model.visible = true;
    await advance();
    expect(server.calls('GET sweeps/sweep-0')).toHaveLength(asked + 1);
  });

  it('asks nothing while its tab is hidden', async () => {
    await advance(10 * SWEEP_POLL_INTERVAL);
    expect(server.requests).toHaveLength(0);
  });

  it('cancels with DELETE and shows the cancelled sweep', async () => {
    model.visible = true;
    await advance();
    await model.cancel();
    expect(server.calls('DELETE sweeps/sweep-0')).toHaveLength(1);
    expect(model.sweep?.state).toBe('cancelled');
    expect(model.cancelling).toBe(false);
    expect(model.cancelError).toBeNull();
  });

  it('says why a cancel failed, and keeps the sweep', async () => {
    server.on('DELETE sweeps/sweep-0', () => {
      throw serverError(400, 'sweep xp-sweep-0 has nothing to cancel');
    });
    await model.cancel();
    expect(model.cancelError).toBe('sweep xp-sweep-0 has nothing to cancel');
    expect(model.sweep?.state).toBe('running');
  });

  it('shows the server’s message when the sweep cannot be read, then recovers', async () => {
    server.on('GET sweeps/sweep-0', () => {
      throw serverError(404, 'no run 0000');
    });
    model.visible = true;
    await advance();
    expect(model.error).toBe('no run 0000');
    server.on('GET sweeps/sweep-0', () => body);
    model.refresh();
    await advance();
    expect(model.error).toBeNull();
  });
});

describe('SweepListModel', () => {
  function summary(patch: Partial<SweepSummary>): SweepSummary {
    return {
      run_id: 'sweep-0',
      name: null,
      study: 'xp-sweep-0',
      status: 'RUNNING',
      state: 'running',
      objective: 'val/accuracy maximize',
      sampler: 'tpe',
      pruner: 'hyperband',
      space: 'x=uniform:0:1',
      storage: null,
      best_trial: null,
      best_value: null,
      best_run: null,
      source_run_id: 'run-0',
      start_time: 0,
      error: null,
      ...patch
    };
  }

  it('lists the sweeps while one runs, then stands by', async () => {
    let sweeps = [summary({})];
    const server = new FakeTransport().on('GET sweeps', () => ({ sweeps }));
    const model = new SweepListModel(server.client());
    model.visible = true;
    await advance();
    expect(model.loaded).toBe(true);
    expect(model.sweeps.map(s => s.state)).toEqual(['running']);
    sweeps = [summary({ state: 'finished', best_value: '0.9' })];
    await advance(POLL_INTERVAL);
    expect(model.sweeps[0].best_value).toBe('0.9');
    const asked = server.calls('GET sweeps').length;
    await advance(20 * POLL_INTERVAL);
    expect(server.calls('GET sweeps')).toHaveLength(asked);
    expect(server.calls('GET sweeps')[0].query).toBeUndefined();
    model.dispose();
  });
});
