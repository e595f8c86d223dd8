// The run list's table view: its columns, their values, and sorting that puts missing values last.
import type { RunSummary } from '../../models/types';
import { formatNumber, MISSING, runLabel } from '../../format';
import type { ColumnId, ITableSort } from '../../models/runTable';
import {
  column as columnOf,
  METRICS,
  PARAMS,
  parseColumn
} from '../../models/columns';

export type { ColumnId, ITableSort };

/** The columns every table has, before the chosen ones. */
export const FIXED_COLUMNS: readonly ColumnId[] = ['name', 'seed'];

/** The heading of a column: a key as it was logged, fixed columns by name. */
export function columnLabel(column: ColumnId): string {
  const key = parseColumn(column, PARAMS) ?? parseColumn(column, METRICS);
  if (key !== null) {
    return key;
  }
  return { name: 'Name', seed: 'Seed' }[column] ?? column;
}

/** A run's value in a column: a number, a text, or null when it has none. */
export function cellValue(
  run: RunSummary,
  column: ColumnId
): string | number | null {
  const param = parseColumn(column, PARAMS);
  if (param !== null) {
    return run.params?.[param] ?? null;
  }
  const metric = parseColumn(column, METRICS);
  if (metric !== null) {
    const value = run.metrics[metric];
    return value === undefined || Number.isNaN(value) ? null : value;
  }
  switch (column) {
    case 'name':
      return runLabel(run);
    case 'seed':
      return run.seed;
    default:
      return null;
  }
}

/** A cell as shown: numbers to six significant digits, text as it is. */
export function cellText(value: string | number | null): string {
  if (value === null) {
    return MISSING;
  }
  return typeof value === 'number' ? formatNumber(value) : value;
}

/** `value` as a number when it is one or is text that reads as one (params are text). */
function asNumber(value: string | number): number | null {
  if (typeof value === 'number') {
    return value;
  }
  const text = value.trim();
  if (text === '') {
    return null;
  }
  const number = Number(text);
  return Number.isNaN(number) ? null : number;
}

/**
 * Orders two present values: as numbers when both read as numbers (`9` before
 * `10`, `1e-3` before `0.01`), else as text, digits compared by value.
 */
export function compareValues(a: string | number, b: string | number): number {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== null && y !== null) {
    return x === y ? 0 : x < y ? -1 : 1;
  }
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** Where a value sorts whichever the order: numbers, then words, then nothing. */
function rank(value: string | number | null): number {
  if (value === null) {
    return 2;
  }
  return asNumber(value) === null ? 1 : 0;
}

/**
 * The runs sorted by a column the server cannot sort (a param or the seed,
 * see `serverSorts`), given every run the filters match (a stable sort:
 * ties keep the list's order).
 * Numbers come first, then text (`auto`), then runs without a value, in
 * either order: the order sorts within each.
 */
export function sortRuns(
  runs: readonly RunSummary[],
  sort: ITableSort | null
): readonly RunSummary[] {
  if (sort === null) {
    return runs;
  }
  const sign = sort.order === 'asc' ? 1 : -1;
  const keyed = runs.map((run, index) => {
    const value = cellValue(run, sort.column);
    return { run, index, value, rank: rank(value) };
  });
  keyed.sort((a, b) => {
    if (a.rank !== b.rank) {
      return a.rank - b.rank;
    }
    const order =
      a.value === null || b.value === null
        ? 0
        : sign * compareValues(a.value, b.value);
    return order || a.index - b.index;
  });
  return keyed.map(entry => entry.run);
}

/** The next sort after a click on `column`'s heading: ascending first, then flipped. */
export function nextSort(
  sort: ITableSort | null,
  column: ColumnId
): ITableSort {
  if (sort !== null && sort.column === column) {
    return { column, order: sort.order === 'asc' ? 'desc' : 'asc' };
  }
  return { column, order: 'asc' };
}

/** What the column chooser offers: every param and metric key seen, chosen ones kept. */
export function columnChoices(
  paramKeys: readonly string[],
  metricKeys: readonly string[],
  chosen: readonly ColumnId[]
): { params: ColumnId[]; metrics: ColumnId[] } {
  const params = new Set(paramKeys.map(key => columnOf(PARAMS, key)));
  const metrics = new Set(metricKeys.map(key => columnOf(METRICS, key)));
  for (const column of chosen) {
    (parseColumn(column, PARAMS) !== null ? params : metrics).add(column);
  }
  const sorted = (columns: Set<ColumnId>): ColumnId[] =>
    [...columns].sort((a, b) => a.localeCompare(b));
  return { params: sorted(params), metrics: sorted(metrics) };
}

/** The chosen columns with `column` added at the end, or taken out. */
export function toggleColumn(
  chosen: readonly ColumnId[],
  column: ColumnId
): ColumnId[] {
  return chosen.includes(column)
    ? chosen.filter(c => c !== column)
    : [...chosen, column];
}
