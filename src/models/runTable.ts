// How the run list is shown (list or table), the table's chosen columns and sort: JupyterLab settings (schema/plugin.json), once localStorage.
import type { JSONValue, ReadonlyPartialJSONObject } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import { isColumn, METRICS, PARAMS } from './columns';

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

/**
 * The plugin's settings, as the run list reads and writes them: JupyterLab's
 * `ISettingRegistry.ISettings` (users change them in the Settings Editor).
 */
export interface ITableSettingsStore {
  /** The settings with their defaults (schema/plugin.json). */
  readonly composite: ReadonlyPartialJSONObject;
  /** What the user set. */
  readonly user: ReadonlyPartialJSONObject;
  /** Emitted when they change (the Settings Editor, another tab). */
  readonly changed: ISignal<unknown, unknown>;
  set(key: string, value: JSONValue): Promise<void>;
}

/** Where earlier versions kept the settings (the browser's `localStorage`). */
export type SettingsStorage = Pick<Storage, 'getItem' | 'removeItem'>;

/** The key earlier versions kept the settings under in `localStorage`. */
export const TABLE_SETTINGS_KEY = 'jupyterlab-xp:run-table';

/** The settings' keys (the properties of schema/plugin.json). */
const KEYS = ['view', 'columns', 'sort'] as const;

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
 * Settings as saved; anything missing or malformed (an older version, a hand
 * edit) falls back to the default, field by field.
 */
export function parseTableSettings(saved: unknown): IRunTableSettings {
  if (typeof saved !== 'object' || saved === null) {
    return DEFAULT_TABLE;
  }
  const { view, columns, sort } = saved as Record<string, unknown>;
  const kept = Array.isArray(columns)
    ? columns
        .filter(
          (c): c is string =>
            typeof c === 'string' &&
            (isColumn(c, PARAMS) || isColumn(c, METRICS))
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

/** The settings an earlier version left in `localStorage`, or `null`. */
export function legacyTableSettings(
  storage: SettingsStorage | null
): IRunTableSettings | null {
  let saved: unknown;
  try {
    saved = JSON.parse(storage?.getItem(TABLE_SETTINGS_KEY) ?? 'null');
  } catch {
    return DEFAULT_TABLE;
  }
  return saved === null ? null : parseTableSettings(saved);
}

/**
 * Move the settings an earlier version kept in `localStorage` into
 * JupyterLab's settings, once: unless the user has set them there already,
 * and then the old key goes either way.
 */
export async function migrateTableSettings(
  storage: SettingsStorage | null,
  settings: ITableSettingsStore
): Promise<void> {
  const legacy = legacyTableSettings(storage);
  if (legacy === null) {
    return;
  }
  if (KEYS.every(key => settings.user[key] === undefined)) {
    for (const key of KEYS) {
      if (JSON.stringify(legacy[key]) !== JSON.stringify(DEFAULT_TABLE[key])) {
        await settings.set(key, legacy[key] as JSONValue);
      }
    }
  }
  try {
    storage?.removeItem(TABLE_SETTINGS_KEY);
  } catch {
    // A refused storage: the old value stays, and is not read again once
    // the user has settings of their own.
  }
}

/** Write the keys of `patch` that differ from `before` into the settings. */
export async function saveTableSettings(
  settings: ITableSettingsStore,
  before: IRunTableSettings,
  patch: Partial<IRunTableSettings>
): Promise<void> {
  for (const key of KEYS) {
    const value = patch[key];
    if (
      value !== undefined &&
      JSON.stringify(value) !== JSON.stringify(before[key])
    ) {
      await settings.set(key, value as JSONValue);
    }
  }
}
