// Unit tests of the run list's table view: values, sorting (numbers as numbers, missing last), the column chooser, its settings (JupyterLab's, once localStorage).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import type { IApiRequest } from '../api/handler';
import {
  cellText,
  cellValue,
  columnChoices,
  compareValues,
  nextSort,
  sortRuns,
  toggleColumn
} from '../components/runList/table';
import { RunListModel } from '../models/runList';
import {
  DEFAULT_TABLE,
  migrateTableSettings,
  parseTableSettings,
  TABLE_SETTINGS_KEY
} from '../models/runTable';
import { numbered, page, summary } from './bodies';
import { advance, FakeTransport } from './fakeTransport';
import { pluginSettings } from './settings';

/** Six runs all named digits-mlp that differ in lr, hidden and accuracy. */
const RUNS = [
  summary({
    run_id: 'r1',
    name: 'digits-mlp',
    params: { lr: '0.1', hidden: '32' },
    metrics: { 'val/accuracy': 0.9 }
  }),
  summary({
    run_id: 'r2',
    name: 'digits-mlp',
    params: { lr: '1e-3', hidden: '128' },
    metrics: { 'val/accuracy': 0.95 }
  }),
  summary({ run_id: 'r3', name: 'digits-mlp', params: {}, metrics: {} }),
  summary({
    run_id: 'r4',
    name: 'digits-mlp',
    params: { lr: '0.01', hidden: '64' },
    metrics: { 'val/accuracy': 0.93 }
  }),
  summary({
    run_id: 'r5',
    name: 'digits-mlp',
    params: { lr: 'auto', hidden: '9' },
    metrics: { 'val/accuracy': Number.NaN }
  }),
  summary({
    run_id: 'r6',
    name: 'digits-mlp',
    params: { lr: '0.01', hidden: '256' },
    metrics: { 'val/accuracy': 0.93 }
  })
];

const ids = (runs: readonly { run_id: string }[]): string[] =>
  runs.map(run => run.run_id);

describe('table values and sorting', () => {
  it('reads params, metrics and fixed columns; a missing value shows as a dash', () => {
    expect(cellValue(RUNS[0], 'params.lr')).toBe('0.1');
    expect(cellValue(RUNS[0], 'metrics.val/accuracy')).toBe(0.9);
    expect(cellValue(RUNS[2], 'params.lr')).toBeNull();
    expect(cellValue(RUNS[4], 'metrics.val/accuracy')).toBeNull(); // NaN
    expect(cellValue(RUNS[0], 'name')).toBe('digits-mlp');
    expect(cellText(null)).toBe('—');
    expect(cellText(0.123456789)).toBe('0.123457');
  });

  it('compares numbers as numbers, also when they are param text', () => {
    expect(compareValues('9', '10')).toBeLessThan(0);
    expect(compareValues('1e-3', '0.01')).toBeLessThan(0);
    expect(compareValues('0.01', '0.010')).toBe(0);
    expect(compareValues('adam', 'sgd')).toBeLessThan(0);
    expect(compareValues('run 9', 'run 10')).toBeLessThan(0);
  });

  it('sorts by a param numerically, then words, then missing, in both directions; ties in list order', () => {
    const up = sortRuns(RUNS, { column: 'params.lr', order: 'asc' });
    expect(ids(up)).toEqual(['r2', 'r4', 'r6', 'r1', 'r5', 'r3']);
    const down = sortRuns(RUNS, { column: 'params.lr', order: 'desc' });
    expect(ids(down)).toEqual(['r1', 'r4', 'r6', 'r2', 'r5', 'r3']);
    const hidden = sortRuns(RUNS, { column: 'params.hidden', order: 'asc' });
    expect(ids(hidden)).toEqual(['r5', 'r1', 'r4', 'r2', 'r6', 'r3']);
  });

  it('sorts by a metric with NaN and absent values last', () => {
    const down = sortRuns(RUNS, {
      column: 'metrics.val/accuracy',
      order: 'desc'
    });
    expect(ids(down)).toEqual(['r2', 'r4', 'r6', 'r1', 'r3', 'r5']);
    expect(sortRuns(RUNS, null)).toBe(RUNS);
  });

  it('sorts up on a first click and flips on the next', () => {
    const first = nextSort(null, 'params.lr');
    expect(first).toEqual({ column: 'params.lr', order: 'asc' });
    expect(nextSort(first, 'params.lr')).toEqual({
      column: 'params.lr',
      order: 'desc'
    });
    expect(nextSort(first, 'seed')).toEqual({ column: 'seed', order: 'asc' });
  });
});

describe('column chooser', () => {
  it('offers every param and metric key seen, and keeps chosen ones offered', () => {
    const choices = columnChoices(
      ['lr', 'hidden'],
      ['val/accuracy'],
      ['params.dropout']
    );
    expect(choices).toEqual({
      params: ['params.dropout', 'params.hidden', 'params.lr'],
      metrics: ['metrics.val/accuracy']
    });
    expect(toggleColumn(['params.lr'], 'metrics.val/accuracy')).toEqual([
      'params.lr',
      'metrics.val/accuracy'
    ]);
    expect(toggleColumn(['params.lr', 'params.hidden'], 'params.lr')).toEqual([
      'params.hidden'
    ]);
  });
});

describe('table settings', () => {
  it('fall back to the list for nothing saved or anything malformed, field by field', () => {
    expect(parseTableSettings(null)).toEqual(DEFAULT_TABLE);
    expect(parseTableSettings('{not json')).toEqual(DEFAULT_TABLE);
    expect(
      parseTableSettings({
        view: 'table',
        columns: ['params.lr', 'bogus', 3],
        sort: { column: 'params.lr', order: 'sideways' }
      })
    ).toEqual({ view: 'table', columns: ['params.lr'], sort: null });
  });

  it('move once from localStorage into the settings, unless the user has set them there', async () => {
    // Given the table an earlier version left in localStorage
    const legacy = {
      view: 'table',
      columns: ['params.lr'],
      sort: { column: 'params.lr', order: 'asc' }
    };
    window.localStorage.setItem(TABLE_SETTINGS_KEY, JSON.stringify(legacy));
    const { settings } = await pluginSettings();

    // When the plugin starts
    await migrateTableSettings(window.localStorage, settings);

    // Then the settings say so, and the old key is gone
    expect(parseTableSettings(settings.composite)).toEqual(legacy);
    expect(window.localStorage.getItem(TABLE_SETTINGS_KEY)).toBeNull();

    // When an older tab writes its value again, then the user's settings win
    window.localStorage.setItem(
      TABLE_SETTINGS_KEY,
      JSON.stringify({ view: 'list', columns: [], sort: null })
    );
    await migrateTableSettings(window.localStorage, settings);
    expect(parseTableSettings(settings.composite)).toEqual(legacy);
    expect(window.localStorage.getItem(TABLE_SETTINGS_KEY)).toBeNull();
  });
});

/** A fake server whose `GET runs` answers with `runs`. */
function runsServer(runs: (request: IApiRequest) => unknown): FakeTransport {
  return new FakeTransport()
    .on('GET config', () => ({ store: 'sqlite:////x/mlflow.db' }))
    .on('GET runs', runs);
}

describe('RunListModel in the table view', () => {
  let server: FakeTransport;
  let model: RunListModel;

  beforeEach(() => {
    server = runsServer((request: IApiRequest) => {
      const body = page(RUNS);
      return request.query?.has('params')
        ? { ...body, param_keys: ['hidden', 'lr', 'seed'] }
        : body;
    });
  });

  afterEach(() => {
    model.dispose();
  });

  it('asks for the chosen param columns only in the table view, and keeps them in the settings', async () => {
    // Given the list view, with the plugin's settings
    const { settings, connector } = await pluginSettings();
    model = new RunListModel(server.client());
    model.useSettings(settings);
    model.visible = true;
    await advance();
    expect(server.calls('GET runs')[0].query?.has('params')).toBe(false);
    expect(model.paramKeys).toEqual([]);

    // When the table view is chosen, then a param and a metric column
    model.setTable({ view: 'table' });
    await advance();
    model.setTable({ columns: ['params.lr', 'metrics.val/accuracy'] });
    await advance();

    // Then the list asks for the param keys, then for lr (not the metric:
    // every row carries its metrics)
    const asked = server
      .calls('GET runs')
      .map(call => call.query?.get('params'));
    expect(asked.slice(-2)).toEqual(['', 'lr']);
    expect(model.paramKeys).toEqual(['hidden', 'lr', 'seed']);

    // ...a sort changes no request
    const before = server.calls('GET runs').length;
    model.setTable({ sort: { column: 'params.lr', order: 'asc' } });
    expect(server.calls('GET runs')).toHaveLength(before);

    // ...and the settings keep them, so a new panel starts where this one
    // was left
    await advance();
    const again = new RunListModel(server.client());
    again.useSettings((await pluginSettings(connector.raw)).settings);
    expect(again.table).toEqual({
      view: 'table',
      columns: ['params.lr', 'metrics.val/accuracy'],
      sort: { column: 'params.lr', order: 'asc' }
    });
    again.dispose();
  });

  it('follows the settings when the user changes them in the Settings Editor', async () => {
    // Given the list view, with the plugin's settings
    const { settings } = await pluginSettings();
    model = new RunListModel(server.client());
    model.useSettings(settings);
    model.visible = true;
    await advance();

    // When the user sets the table and a param column in the settings
    await settings.set('view', 'table');
    await settings.set('columns', ['params.hidden']);
    await advance();

    // Then the list shows the table and asks for that column
    expect(model.table.view).toBe('table');
    expect(server.calls('GET runs').at(-1)?.query?.get('params')).toBe(
      'hidden'
    );
  });
});

describe('the run list has one sort', () => {
  /** Runs whose lr, read as numbers, sorts against the server's pages. */
  const PAGES: Record<string, { runs: typeof RUNS; next: string | null }> = {
    '': {
      runs: [
        summary({ run_id: 'a', params: { lr: '10' } }),
        summary({ run_id: 'b', params: { lr: '9' } })
      ],
      next: 'p1'
    },
    p1: {
      runs: [summary({ run_id: 'c', params: { lr: '0.5' } })],
      next: 'p2'
    },
    p2: {
      runs: [
        summary({ run_id: 'd', params: { lr: '100' } }),
        summary({ run_id: 'e', params: { lr: '1e-3' } })
      ],
      next: null
    }
  };
  let server: FakeTransport;
  let model: RunListModel;

  beforeEach(() => {
    server = runsServer((request: IApiRequest) => {
      const at = PAGES[request.query?.get('page_token') ?? ''];
      return page(at.runs, at.next);
    });
    model = new RunListModel(server.client());
  });

  afterEach(() => {
    model.dispose();
  });

  it('asks the server for a sort by name or a metric, and the table sorts nothing again', async () => {
    // Given the table with a metric column, shown
    model.setTable({ view: 'table', columns: ['metrics.val/accuracy'] });
    model.visible = true;
    await advance();

    // When its heading is sorted up
    model.setSort({ column: 'metrics.val/accuracy', order: 'asc' });
    await advance();

    // Then the server is asked for that sort, for the first page only, and
    // the table keeps the server's order
    const last = server.calls('GET runs').at(-1);
    expect(last?.query?.get('sort')).toBe('metrics.val/accuracy');
    expect(last?.query?.get('order')).toBe('asc');
    expect(last?.query?.has('page_token')).toBe(false);
    expect(model.sort).toEqual({
      column: 'metrics.val/accuracy',
      order: 'asc'
    });
    expect(model.sortsHere).toBe(false);
    expect(model.table.sort).toBeNull();
    expect(model.filters.sort).toBe('metrics.val/accuracy');
    expect(model.hasMore).toBe(true);
  });

  it('sorts by a param over every page, loaded for it, not over the first page alone', async () => {
    // Given the table with the lr column, shown, the server's pages loaded
    // as they are scrolled to
    model.setTable({ view: 'table', columns: ['params.lr'] });
    model.visible = true;
    await advance();
    expect(model.runs.map(run => run.run_id)).toEqual(['a', 'b']);

    // When it is sorted by lr, up
    model.setSort({ column: 'params.lr', order: 'asc' });
    await advance();

    // Then every page was loaded, and the smallest lr (on the last page)
    // comes first: numbers as numbers, not as MLflow's text order
    expect(
      server.calls('GET runs').map(c => c.query?.get('page_token'))
    ).toEqual([null, 'p1', 'p2']);
    expect(model.sortReady).toBe(true);
    expect(model.sortCapped).toBe(false);
    expect(model.sortsHere).toBe(true);
    expect(ids(sortRuns(model.runs, model.sort))).toEqual([
      'e',
      'c',
      'b',
      'a',
      'd'
    ]);
    // ...and the server's sort is left as it was
    expect(model.filters.sort).toBe('start_time');
  });

  it('sorts at most MAX_SORTED runs itself, and says so', async () => {
    // Given a server with more runs than the table sorts itself
    let served = 0;
    server.on('GET runs', (request: IApiRequest) => {
      const limit = Number(request.query?.get('limit'));
      const runs = numbered(served, served + limit);
      served += limit;
      return page(runs, `t${served}`);
    });

    // When the table is sorted by a param
    model.setTable({
      view: 'table',
      columns: ['params.lr'],
      sort: { column: 'params.lr', order: 'desc' }
    });
    model.visible = true;
    await advance();

    // Then it loaded pages up to the cap and no further, and says it is capped
    expect(model.runs.length).toBeGreaterThanOrEqual(RunListModel.MAX_SORTED);
    expect(model.runs.length).toBeLessThan(
      RunListModel.MAX_SORTED + RunListModel.PAGE_SIZE
    );
    expect(model.sortReady).toBe(true);
    expect(model.sortCapped).toBe(true);
    // ...nor after the polls of the next five seconds
    const tailPages = (): number =>
      server.calls('GET runs').filter(c => c.query?.has('page_token')).length;
    const before = tailPages();
    await advance(5000);
    expect(server.calls('GET runs').length).toBeGreaterThan(before + 1);
    expect(tailPages()).toBe(before);
  });

  it('moves a name or metric sort kept in the settings to the server', async () => {
    // Given settings an earlier version saved, sorting the table by a metric
    const { settings } = await pluginSettings(
      JSON.stringify({
        view: 'table',
        columns: ['metrics.val/accuracy'],
        sort: { column: 'metrics.val/accuracy', order: 'desc' }
      })
    );

    // When the run list reads them
    model.useSettings(settings);
    model.visible = true;
    await advance();

    // Then the server sorts by that metric, and the settings keep no sort
    expect(server.calls('GET runs').at(-1)?.query?.get('sort')).toBe(
      'metrics.val/accuracy'
    );
    expect(model.sort).toEqual({
      column: 'metrics.val/accuracy',
      order: 'desc'
    });
    expect(model.table.sort).toBeNull();
    expect(settings.composite.sort).toBeNull();
  });
});
