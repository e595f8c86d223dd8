// Unit tests of the run list model: first page, paging, filters and the store line.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import type { IApiRequest } from '../api/handler';
import { RunListModel } from '../models/runList';
import { POLL_INTERVAL } from '../tokens';
import { numbered, page, summary } from './bodies';
import { advance, FakeTransport, serverError } from './fakeTransport';

/** The query arguments of a request, as a plain object. */
function query(request: IApiRequest): Record<string, string> {
  return Object.fromEntries(request.query ?? []);
}

describe('RunListModel', () => {
  let server: FakeTransport;
  let model: RunListModel;

  beforeEach(() => {
    server = new FakeTransport().on('GET config', () => ({
      store: 'sqlite:////home/me/xp/mlflow.db'
    }));
  });

  afterEach(() => {
    model.dispose();
  });

  /** A shown model over a server whose `GET runs` answers `answer`. */
  async function shown(
    answer: (request: IApiRequest) => unknown
  ): Promise<RunListModel> {
    server.on('GET runs', answer);
    model = new RunListModel(server.client());
    model.visible = true;
    await advance();
    return model;
  }

  it('shows the first page newest first, and where the runs are stored', async () => {
    // Given a server with two runs
    await shown(() =>
      page([
        summary({
          run_id: 'b',
          experiment: 'mnist',
          metrics: { 'val/acc': 1 }
        }),
        summary({ run_id: 'a', experiment: 'cifar', metrics: { loss: 2 } })
      ])
    );

    // Then the first page was asked for newest first
    expect(query(server.calls('GET runs')[0])).toEqual({
      sort: 'start_time',
      order: 'desc',
      limit: String(RunListModel.HEAD_SIZE)
    });
    // And the list, its experiments and metric keys are known
    expect(model.loaded).toBe(true);
    expect(model.runs.map(run => run.run_id)).toEqual(['b', 'a']);
    expect(model.experiments).toEqual(['cifar', 'mnist']);
    expect(model.metricKeys).toEqual(['loss', 'val/acc']);
    expect(model.hasMore).toBe(false);
    expect(model.config).toEqual({
      kind: 'ready',
      value: { store: 'sqlite:////home/me/xp/mlflow.db' }
    });
  });

  it('sends the search, filters and sort, and starts over when they change', async () => {
    // Given a shown list
    await shown(request =>
      query(request).q === 'lr'
        ? page([summary({ run_id: 'lr-run' })])
        : page(numbered(0, 5))
    );
    expect(model.runs).toHaveLength(5);
    expect(model.isFiltered).toBe(false);
    let changes = 0;
    model.changed.connect(() => (changes += 1));

    // When the search, status and sort change
    model.setFilters({
      q: ' lr ',
      status: 'FINISHED',
      sort: 'metrics.val/acc',
      order: 'asc'
    });

    // Then the list empties at once and says it is loading
    expect(changes).toBeGreaterThan(0);
    expect(model.runs).toEqual([]);
    expect(model.loaded).toBe(false);
    expect(model.isFiltered).toBe(true);

    // And the server is asked with the new arguments, the search trimmed
    await advance();
    expect(query(server.calls('GET runs')[1])).toEqual({
      q: 'lr',
      status: 'FINISHED',
      sort: 'metrics.val/acc',
      order: 'asc',
      limit: String(RunListModel.HEAD_SIZE)
    });
    expect(model.runs.map(run => run.run_id)).toEqual(['lr-run']);
  });

  it('asks nothing when the filters are set to what they are', async () => {
    await shown(() => page(numbered(0, 1)));
    model.setFilters({ q: '', order: 'desc' });
    await advance();
    expect(server.calls('GET runs')).toHaveLength(1);
    expect(model.loaded).toBe(true);
  });

  it('drops an answer for filters that have changed since it was asked for', async () => {
    // Given a first page on its way slowly
    let answer: (value: unknown) => void = () => undefined;
    await shown(request =>
      query(request).experiment === 'mnist'
        ? page([summary({ run_id: 'mnist-run' })])
        : new Promise(resolve => (answer = resolve))
    );

    // When the experiment filter changes before it arrives
    model.setFilters({ experiment: 'mnist' });
    await advance();
    answer(page([summary({ run_id: 'stale-run' })]));
    await advance();

    // Then the late answer is dropped
    expect(model.runs).toEqual([]);
    expect(model.loaded).toBe(false);

    // And the next poll brings the runs of the new filter
    await advance(POLL_INTERVAL);
    expect(model.runs.map(run => run.run_id)).toEqual(['mnist-run']);
  });

  it('loads further pages on demand and keeps them under the polled first page', async () => {
    // Given a store with more runs than the first page
    await shown(request => {
      const token = query(request).page_token;
      if (token === undefined) {
        return page(numbered(0, 3), 'after-3');
      }
      // (the pages overlap by one run: a run was added meanwhile)
      return token === 'after-3'
        ? page(numbered(2, 6), 'after-6')
        : page(numbered(6, 8), null);
    });
    expect(model.hasMore).toBe(true);

    // When the next page is asked for
    const loading = model.loadMore();
    expect(model.loadingMore).toBe(true);
    await loading;

    // Then it came after the first page's token, with the page size
    expect(query(server.calls('GET runs')[1])).toMatchObject({
      page_token: 'after-3',
      limit: String(RunListModel.PAGE_SIZE)
    });
    // And the list holds each run once, in the server's order
    expect(model.runs.map(run => run.run_id)).toEqual(
      numbered(0, 6).map(run => run.run_id)
    );
    expect(model.loadingMore).toBe(false);
    expect(model.hasMore).toBe(true);

    // When the last page is loaded
    await model.loadMore();
    expect(query(server.calls('GET runs')[2]).page_token).toBe('after-6');
    expect(model.runs).toHaveLength(8);
    expect(model.hasMore).toBe(false);

    // Then asking for more asks nothing, and the polls keep the pages
    await model.loadMore();
    await advance(POLL_INTERVAL);
    expect(server.calls('GET runs')).toHaveLength(4);
    expect(model.runs).toHaveLength(8);
  });

  it('asks for one further page at a time', async () => {
    let answer: (value: unknown) => void = () => undefined;
    await shown(request =>
      query(request).page_token === undefined
        ? page(numbered(0, 1), 'next')
        : new Promise(resolve => (answer = resolve))
    );
    const first = model.loadMore();
    void model.loadMore();
    answer(page(numbered(1, 2)));
    await first;
    expect(server.calls('GET runs')).toHaveLength(2);
    expect(model.runs).toHaveLength(2);
  });

  it('says why a further page failed, keeping what it has', async () => {
    await shown(request => {
      if (query(request).page_token !== undefined) {
        throw serverError(400, 'Invalid page token');
      }
      return page(numbered(0, 2), 'bad');
    });
    await model.loadMore();
    expect(model.error).toBe('Invalid page token');
    expect(model.loadingMore).toBe(false);
    expect(model.runs).toHaveLength(2);
  });

  it('reads the store again on Retry when it could not', async () => {
    // Given a server whose config failed
    let configFails = true;
    server.on('GET config', () => {
      if (configFails) {
        throw serverError(500, 'The store cannot be opened');
      }
      return { store: 'sqlite:////x.db' };
    });
    await shown(() => page([]));
    expect(model.config).toEqual({
      kind: 'failed',
      message: 'The store cannot be opened'
    });

    // When Retry is clicked once it works
    configFails = false;
    model.refresh();
    await advance();

    // Then the store is known
    expect(model.config).toEqual({
      kind: 'ready',
      value: { store: 'sqlite:////x.db' }
    });
    expect(server.calls('GET config')).toHaveLength(2);
  });
});
