// Unit tests of the promotions model: progress polling, jobs added before the server lists them, cancel.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import type { Promotion } from '../api/types';
import { isActivePromotion, PromotionsModel } from '../models/promotions';
import { PROMOTION_POLL_INTERVAL } from '../tokens';
import { promotion } from './bodies';
import { advance, FakeTransport, serverError } from './fakeTransport';

describe('PromotionsModel', () => {
  let server: FakeTransport;
  let model: PromotionsModel;
  let jobs: Promotion[];

  beforeEach(() => {
    jobs = [];
    server = new FakeTransport().on('GET promotions', () => ({
      promotions: jobs
    }));
    model = new PromotionsModel(server.client(), 'run-0');
  });

  afterEach(() => {
    model.dispose();
  });

  it('follows a running job cell by cell, then stops polling once it has ended', async () => {
    // Given a job that has run one cell of four
    jobs = [promotion({ cells_done: 1, cells_total: 4 })];
    const settled: Promotion[] = [];
    model.settled.connect((_, job) => settled.push(job));
    let changes = 0;
    model.changed.connect(() => (changes += 1));

    // When its view is shown
    model.visible = true;
    await advance();

    // Then its progress shows, and it is active
    expect(model.loaded).toBe(true);
    expect(model.active).toBe(true);
    expect(model.promotions[0].cells_done).toBe(1);
    expect(changes).toBe(1);

    // When a poll brings the same progress, nothing changes
    await advance(PROMOTION_POLL_INTERVAL);
    expect(changes).toBe(1);

    // When the next cells run
    jobs = [promotion({ cells_done: 3, cells_total: 4 })];
    await advance(PROMOTION_POLL_INTERVAL);
    expect(model.promotions[0].cells_done).toBe(3);
    expect(changes).toBe(2);

    // When it finishes
    jobs = [promotion({ cells_done: 4, state: 'finished', verdict: 'exact' })];
    await advance(PROMOTION_POLL_INTERVAL);

    // Then it says so once, and polling stands by
    expect(model.active).toBe(false);
    expect(settled.map(job => [job.id, job.state])).toEqual([
      ['p1', 'finished']
    ]);
    const asked = server.calls('GET promotions').length;
    await advance(30 * PROMOTION_POLL_INTERVAL);
    expect(server.calls('GET promotions')).toHaveLength(asked);
  });

  it('asks for the run’s promotions only', async () => {
    model.visible = true;
    await advance();
    expect(
      Object.fromEntries(server.calls('GET promotions')[0].query ?? [])
    ).toEqual({ run_id: 'run-0' });
  });

  it('asks once more each time it is shown again, even when every job has ended', async () => {
    // Given a view whose jobs have all ended
    jobs = [promotion({ state: 'failed' })];
    model.visible = true;
    await advance(5 * PROMOTION_POLL_INTERVAL);
    expect(server.calls('GET promotions')).toHaveLength(1);

    // When it is hidden and shown again
    model.visible = false;
    jobs = [promotion({ id: 'p2', state: 'queued' }), ...jobs];
    model.visible = true;
    await advance();

    // Then the job started elsewhere meanwhile shows
    expect(server.calls('GET promotions')).toHaveLength(2);
    expect(model.promotions.map(job => job.id)).toEqual(['p2', 'p1']);
  });

  it('shows a job it was told about before the server lists it', async () => {
    // Given a shown view with one ended job, polling on standby
    jobs = [promotion({ id: 'old', state: 'finished' })];
    model.visible = true;
    await advance();

    // When the dialog reports a job the server does not list yet
    const started = promotion({ id: 'new', state: 'queued' });
    model.add(started);

    // Then it shows first at once, and its progress is polled
    expect(model.promotions.map(job => job.id)).toEqual(['new', 'old']);
    expect(model.active).toBe(true);
    await advance();
    expect(server.calls('GET promotions')).toHaveLength(2);
    expect(model.promotions.map(job => job.id)).toEqual(['new', 'old']);

    // When the server lists it, its answer is what shows
    jobs = [{ ...started, state: 'running', cells_done: 2 }, ...jobs];
    await advance(PROMOTION_POLL_INTERVAL);
    expect(model.promotions.map(job => [job.id, job.cells_done])).toEqual([
      ['new', 2],
      ['old', 0]
    ]);
  });

  it('ignores a job of another run', () => {
    model.add(promotion({ id: 'other', source_run_id: 'run-9' }));
    expect(model.promotions).toEqual([]);
  });

  it('cancels a job and shows it ending', async () => {
    // Given a running job
    jobs = [promotion({ id: 'p1', state: 'running' })];
    let answer: (value: unknown) => void = () => undefined;
    server.on(
      'POST promotions/p1/cancel',
      () => new Promise(resolve => (answer = resolve))
    );
    model.visible = true;
    await advance();

    // When Cancel is clicked
    const cancelling = model.cancel('p1');

    // Then the button says it is cancelling, and a second click asks nothing
    expect(model.isCancelling('p1')).toBe(true);
    void model.cancel('p1');
    expect(server.calls('POST promotions/p1/cancel')).toHaveLength(1);

    // When the server has cancelled it
    answer(promotion({ id: 'p1', state: 'cancelled' }));
    await cancelling;

    // Then it shows cancelled
    expect(model.isCancelling('p1')).toBe(false);
    expect(model.cancelError('p1')).toBeNull();
    expect(model.promotions[0].state).toBe('cancelled');
  });

  it('says why a cancel failed', async () => {
    jobs = [promotion({ id: 'p1' })];
    server.on('POST promotions/p1/cancel', () => {
      throw serverError(409, 'Promotion p1 has already finished');
    });
    model.visible = true;
    await advance();
    await model.cancel('p1');
    expect(model.cancelError('p1')).toBe('Promotion p1 has already finished');
    expect(model.isCancelling('p1')).toBe(false);
  });
});

describe('isActivePromotion', () => {
  it('is true while a job is queued or running', () => {
    expect(
      (['queued', 'running', 'finished', 'failed', 'cancelled'] as const).map(
        state => isActivePromotion(promotion({ state }))
      )
    ).toEqual([true, true, false, false, false]);
  });
});
