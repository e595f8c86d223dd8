// How the run list is shown (list or table), the table's chosen columns and sort, remembered across sessions.

/**
 * A column of the table: `name`, `seed`, `params.<key>` or `metrics.<key>`.
 */
export type ColumnId = string;

/** How the table is sorted: by a column, up or down. */
export interface ITableSort {
  readonly column: ColumnId;
  readonly order: 'asc' | 'desc';
}

/** The run list's view settings. */
export interface IRunTableSettings {
  /** The list of run rows, or the table with chosen columns. */
  readonly view: 'list' | 'table';
  /** The table's chosen `params.<key>` and `metrics.<key>` columns, in order. */
  readonly columns: readonly ColumnId[];
  /** The table's sort, or null for the list's order. */
  readonly sort: ITableSort | null;
}

/** The list, no columns chosen, the server's order. */
export const DEFAULT_TABLE: IRunTableSettings = {
  view: 'list',
  columns: [],
  sort: null
};

/** Where the settings are kept (the browser's `localStorage`, or a test's map). */
export type SettingsStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** The storage key. */
export const TABLE_SETTINGS_KEY = 'jupyterlab-xp:run-table';

/** Columns kept at most (the server takes at most 50 param columns). */
const MAX_COLUMNS = 50;

/** The browser's localStorage, or null where there is none (or it is refused). */
export function browserStorage(): SettingsStorage | null {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null;
  } catch {
    return null;
  }
}

/**
 * The saved settings; anything missing or malformed (an older version, a
 * hand edit) falls back to the default, field by field.
 */
export function loadTableSettings(
  storage: SettingsStorage | null
): IRunTableSettings {
  let saved: unknown;
  try {
    saved = JSON.parse(storage?.getItem(TABLE_SETTINGS_KEY) ?? 'null');
  } catch {
    return DEFAULT_TABLE;
  }
  if (typeof saved !== 'object' || saved === null) {
    return DEFAULT_TABLE;
  }
  const { view, columns, sort } = saved as Record<string, unknown>;
  const kept = Array.isArray(columns)
    ? columns
        .filter(
          (c): c is string =>
            typeof c === 'string' && /^(params|metrics)\.\S/.test(c)
        )
        .slice(0, MAX_COLUMNS)
    : [];
  const { column, order } = (sort ?? {}) as Record<string, unknown>;
  return {
    view: view === 'table' ? 'table' : 'list',
    columns: kept,
    sort:
      typeof column === 'string' && (order === 'asc' || order === 'desc')
        ? { column, order }
        : null
  };
}

/** Keep the settings (a full or refused storage loses them, nothing else). */
export function saveTableSettings(
  storage: SettingsStorage | null,
  settings: IRunTableSettings
): void {
  try {
    storage?.setItem(TABLE_SETTINGS_KEY, JSON.stringify(settings));
  } catch {
    // Storage full or refused: the settings hold for this session only.
  }
}
