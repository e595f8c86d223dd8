// Run columns as MLflow names them, `metrics.<key>`, `params.<key>`, `tags.<key>`: parsed and built in this one place on the TypeScript side (core/columns.py is the Python one).

/** The kinds of run column that carry a key. */
export type ColumnKind = 'metrics' | 'params' | 'tags';

export const METRICS: ColumnKind = 'metrics';
export const PARAMS: ColumnKind = 'params';
export const TAGS: ColumnKind = 'tags';

/** `kind.key`: a column as the table, the sort and the server name it. */
export function column(kind: ColumnKind, key: string): string {
  return `${kind}.${key}`;
}

/**
 * The key of `kind.key`, or `null` when `text` does not start with `kind.`.
 * The key is everything after the first dot (`metrics.val/acc.top1` is the
 * metric `val/acc.top1`), and may be empty: the caller checks it.
 */
export function parseColumn(text: string, kind: ColumnKind): string | null {
  const prefix = `${kind}.`;
  return text.startsWith(prefix) ? text.slice(prefix.length) : null;
}

/** Whether `text` is a `kind.key` column whose key starts with a visible character. */
export function isColumn(text: string, kind: ColumnKind): boolean {
  return /^\S/.test(parseColumn(text, kind) ?? '');
}
