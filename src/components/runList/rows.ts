// The rows of the run list: runs, grouped by experiment or notebook under collapsible headers.
import type { RunSummary } from '../../models/types';

/** What the runs are grouped by. */
export type GroupBy = 'experiment' | 'notebook' | 'none';

/** A row of the list: a group's header, or a run. */
export type Row =
  | {
      kind: 'group';
      key: string;
      label: string;
      count: number;
      collapsed: boolean;
    }
  | { kind: 'run'; run: RunSummary };

function groupKey(run: RunSummary, groupBy: GroupBy): string {
  if (groupBy === 'experiment') {
    return run.experiment;
  }
  if (groupBy === 'notebook') {
    return run.notebook ?? '';
  }
  return '';
}

function groupLabel(key: string, groupBy: GroupBy): string {
  if (groupBy === 'notebook') {
    return key === '' ? '(not from a notebook)' : key;
  }
  return key;
}

/** The rows of the list: group headers, each followed by its runs unless collapsed. */
export function buildRows(
  runs: readonly RunSummary[],
  groupBy: GroupBy,
  collapsed: ReadonlySet<string>
): Row[] {
  if (groupBy === 'none') {
    return runs.map(run => ({ kind: 'run', run }));
  }
  const groups = new Map<string, RunSummary[]>();
  for (const run of runs) {
    const key = groupKey(run, groupBy);
    const group = groups.get(key);
    if (group) {
      group.push(run);
    } else {
      groups.set(key, [run]);
    }
  }
  const rows: Row[] = [];
  for (const [key, members] of groups) {
    const isCollapsed = collapsed.has(key);
    rows.push({
      kind: 'group',
      key,
      label: groupLabel(key, groupBy),
      count: members.length,
      collapsed: isCollapsed
    });
    if (!isCollapsed) {
      for (const run of members) {
        rows.push({ kind: 'run', run });
      }
    }
  }
  return rows;
}
