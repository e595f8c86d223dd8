// Unit tests of the comparison model: the comparison, then each compared metric's curves.
import { afterEach, describe, expect, it } from '@jest/globals';

import type { CompareBody, CompareCurves } from '../api/types';
import { CompareModel } from '../models/compare';
import { summary } from './bodies';
import { FakeTransport, serverError } from './fakeTransport';

/** A comparison of runs a and b, with `val/acc` logged by a only. */
const BODY: CompareBody = {
  runs: [summary({ run_id: 'a' }), summary({ run_id: 'b' })],
  metrics: [
    { key: 'loss', values: [0.5, 0.4], differs: true },
    { key: 'val/acc', values: [0.9, null], differs: true }
  ],
  params: [],
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

/** Resolves once `model` has emitted `times` more changes. */
function changes(model: CompareModel, times: number): Promise<void> {
  return new Promise(resolve => {
    let left = times;
    model.changed.connect(() => {
      left -= 1;
      if (left === 0) {
        resolve();
      }
    });
  });
}

describe('CompareModel', () => {
  let model: CompareModel;

  afterEach(() => {
    model.dispose();
  });

  it('fetches the comparison, then the curves of each metric per seed group in one request', async () => {
    // Given a server that compares runs a and b, and fails on val/acc's curves
    const LOSS: CompareCurves = {
      key: 'loss',
      confidence: 0.95,
      groups: [
        {
          label: 'all runs',
          run_ids: ['a', 'b'],
          points: [
            {
              step: 0,
              n: 2,
              mean: 0.45,
              std: 0.07,
              ci_low: -0.2,
              ci_high: 1.1
            }
          ],
          runs: []
        }
      ]
    };
    const server = new FakeTransport()
      .on('GET compare', () => BODY)
      .on('GET compare/curves', request => {
        if (request.query?.get('metric') === 'loss') {
          return LOSS;
        }
        throw serverError(500, 'The store is locked');
      });

    // When the comparison is opened
    model = new CompareModel(server.client(), ['a', 'b']);
    expect(model.state).toEqual({ kind: 'loading' });
    await model.refresh();

    // Then the comparison is there, with the runs in column order
    expect(server.calls('GET compare')[1].query?.toString()).toBe('ids=a%2Cb');
    expect(model.state.kind).toBe('ready');
    // And each metric's curves came in one request for all runs; a failure
    // says why
    expect(model.curves('loss')).toEqual({ kind: 'ready', value: LOSS });
    expect(
      server.calls('GET compare/curves').map(call => call.query?.toString())
    ).toContain('ids=a%2Cb&metric=loss');
    expect(model.curves('val/acc')).toEqual({
      kind: 'failed',
      message: 'The store is locked'
    });
  });

  it('holds a seed component: compares again, curves in the same groups', async () => {
    // Given a comparison of runs a and b, opened without a held seed
    const server = new FakeTransport()
      .on('GET compare', () => BODY)
      .on('GET compare/curves', () => ({
        key: 'loss',
        confidence: 0.95,
        groups: []
      }));
    model = new CompareModel(server.client(), ['a', 'b']);
    await model.refresh();
    expect(model.holdSeed).toBeNull();

    // When the data seed is held
    model.setHoldSeed('data');
    await model.refresh();

    // Then the comparison and every curve are asked again with hold_seed
    expect(model.holdSeed).toBe('data');
    const compares = server.calls('GET compare').map(c => c.query?.toString());
    expect(compares[compares.length - 1]).toBe('ids=a%2Cb&hold_seed=data');
    expect(
      server.calls('GET compare/curves').map(c => c.query?.toString())
    ).toContain('ids=a%2Cb&metric=loss&hold_seed=data');

    // And letting go asks without it
    model.setHoldSeed(null);
    await model.refresh();
    const last = server.calls('GET compare').pop();
    expect(last?.query?.toString()).toBe('ids=a%2Cb');
  });

  it('says why the comparison failed, and Refresh asks again', async () => {
    let fails = true;
    const server = new FakeTransport().on('GET compare', () => {
      if (fails) {
        throw serverError(404, 'Run b not found');
      }
      return { ...BODY, metrics: [] };
    });
    model = new CompareModel(server.client(), ['a', 'b']);
    await changes(model, 1);
    expect(model.state).toEqual({ kind: 'failed', message: 'Run b not found' });

    fails = false;
    await model.refresh();
    expect(model.state.kind).toBe('ready');
  });
});
