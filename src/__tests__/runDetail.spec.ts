// Unit tests of a run tab's model: the run, its metric curves, polling while it runs, its promotions.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import type { RunDetail } from '../api/types';
import { RunDetailModel } from '../models/runDetail';
import { POLL_INTERVAL, PROMOTION_POLL_INTERVAL } from '../tokens';
import { detail, promotion } from './bodies';
import { advance, FakeTransport, serverError } from './fakeTransport';

describe('RunDetailModel', () => {
  let server: FakeTransport;
  let model: RunDetailModel;
  let run: RunDetail;

  beforeEach(() => {
    run = detail({
      run_id: 'abc',
      status: 'RUNNING',
      metrics: { 'val/accuracy': 0.7, loss: 0.3 }
    });
    server = new FakeTransport()
      .on('GET runs/abc', () => run)
      .on('GET runs/abc/metrics/val%2Faccuracy', () => ({
        key: 'val/accuracy',
        run_id: 'abc',
        points: [{ step: 0, timestamp: 0, value: 0.7 }]
      }))
      .on('GET runs/abc/metrics/loss', () => {
        throw serverError(404, 'No metric loss');
      })
      .on('GET promotions', () => ({ promotions: [] }));
    model = new RunDetailModel(server.client(), 'abc');
  });

  afterEach(() => {
    model.dispose();
  });

  it('fetches the run and the history of each metric once its tab is shown', async () => {
    // Given a run tab that is not shown yet
    await advance(POLL_INTERVAL);
    expect(server.requests).toHaveLength(0);
    expect(model.run).toBeNull();
    expect(model.history('val/accuracy')).toEqual({ kind: 'loading' });

    // When it is shown
    model.visible = true;
    await advance();

    // Then the run is there, and each metric's history, the key as one
    // encoded path segment; a failed one says why
    expect(model.run?.run_id).toBe('abc');
    expect(model.error).toBeNull();
    expect(model.history('val/accuracy')).toEqual({
      kind: 'ready',
      value: {
        key: 'val/accuracy',
        run_id: 'abc',
        points: [{ step: 0, timestamp: 0, value: 0.7 }]
      }
    });
    expect(model.history('loss')).toEqual({
      kind: 'failed',
      message: 'No metric loss'
    });
    // And its promotions are asked for, as the run's
    expect(
      Object.fromEntries(server.calls('GET promotions')[0].query ?? [])
    ).toEqual({ run_id: 'abc' });
  });

  it('polls while the run is running, and stops once it has ended', async () => {
    // Given a shown tab of a running run
    model.visible = true;
    await advance();
    await advance(2 * POLL_INTERVAL);
    expect(server.calls('GET runs/abc')).toHaveLength(3);

    // When the run finishes
    run = { ...run, status: 'FINISHED' };
    await advance(POLL_INTERVAL);
    expect(model.run?.status).toBe('FINISHED');

    // Then it is not asked for again
    await advance(10 * POLL_INTERVAL);
    expect(server.calls('GET runs/abc')).toHaveLength(4);
  });

  it('keeps the run it has while a later fetch fails, and Retry fetches again', async () => {
    // Given a shown run
    model.visible = true;
    await advance();

    // When the server fails
    server.on('GET runs/abc', () => {
      throw serverError(500, 'The store is locked');
    });
    await advance(POLL_INTERVAL);

    // Then the error shows above the run it had
    expect(model.error).toBe('The store is locked');
    expect(model.run?.run_id).toBe('abc');

    // When the server is back and Retry is clicked
    server.on('GET runs/abc', () => ({ ...run, status: 'FINISHED' }));
    model.refresh();
    await advance();

    // Then the error is gone
    expect(model.error).toBeNull();
    expect(model.run?.status).toBe('FINISHED');
  });

  it('fetches a finished run again when one of its promotions ends', async () => {
    // Given a finished run with a running promotion, shown
    run = { ...run, status: 'FINISHED' };
    let job = promotion({ id: 'p1', source_run_id: 'abc', state: 'running' });
    server.on('GET promotions', () => ({ promotions: [job] }));
    model.visible = true;
    await advance();
    await advance(5 * POLL_INTERVAL);
    expect(server.calls('GET runs/abc')).toHaveLength(1);

    // When the promotion finishes, with its promoted run linked to the run
    job = { ...job, state: 'finished' };
    run = { ...run, promoted_runs: ['def'] };
    await advance(PROMOTION_POLL_INTERVAL);

    // Then the run is fetched once more and shows its promoted run
    expect(server.calls('GET runs/abc')).toHaveLength(2);
    expect(model.run?.promoted_runs).toEqual(['def']);
    await advance(10 * POLL_INTERVAL);
    expect(server.calls('GET runs/abc')).toHaveLength(2);
  });

  it('shows and hides its promotions with it, and disposes them with it', async () => {
    model.visible = true;
    expect(model.promotions.visible).toBe(true);
    model.visible = false;
    expect(model.promotions.visible).toBe(false);
    model.dispose();
    expect(model.promotions.isDisposed).toBe(true);
  });
});
