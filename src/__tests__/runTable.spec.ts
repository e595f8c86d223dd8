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
import { page, summary } from './bodies';
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

describe('RunListModel in the table view', () => {
  let server: FakeTransport;
  let model: RunListModel;

  beforeEach(() => {
    server = new FakeTransport()
      .on('GET config', () => ({ store: 'sqlite:////x/mlflow.db' }))
      .on('GET runs', (request: IApiRequest) => {
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
