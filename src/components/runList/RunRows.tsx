// One row of the run list: a run (checkbox, name, status, details) or a group's collapsible header.
import React from 'react';

import type { RunSummary } from '../../models/types';
import { METRICS, parseColumn } from '../../models/columns';
import {
  formatDuration,
  formatNumber,
  formatTime,
  runLabel
} from '../../format';
import { Button, StatusBadge } from '../common';
import { useTrans } from '../translation';
import { Row } from './rows';

/** A group's header: click to collapse or expand its runs. */
export function GroupRow(props: {
  row: Row & { kind: 'group' };
  onToggle: (key: string) => void;
}): React.JSX.Element {
  const { row, onToggle } = props;
  return (
    <button
      type="button"
      className="jp-xp-RunGroup"
      aria-expanded={!row.collapsed}
      title={row.label}
      onClick={() => onToggle(row.key)}
    >
      <span className="jp-xp-RunGroup-caret" aria-hidden="true">
        {row.collapsed ? '▸' : '▾'}
      </span>
      <span className="jp-xp-RunGroup-label">{row.label}</span>
      <span className="jp-xp-RunGroup-count">{row.count}</span>
    </button>
  );
}

/**
 * A run: a checkbox to compare it, its name (opens its tab), its status (and
 * Restore, when it is archived), and one line of details: start, duration,
 * seed, cells and two metrics, the one the list is sorted by first.
 */
export function RunRow(props: {
  run: RunSummary;
  selected: boolean;
  /** The list's sort: `start_time`, `name` or `metrics.<key>`. */
  sort: string;
  onToggle: (runId: string) => void;
  onOpenRun: (runId: string) => void;
  onRestore: (runId: string) => void;
}): React.JSX.Element {
  const { run, selected, sort, onToggle, onOpenRun, onRestore } = props;
  const trans = useTrans();
  const label = runLabel(run);
  const sortKey = parseColumn(sort, METRICS);
  const metricKeys = Object.keys(run.metrics).sort();
  const shownKeys = (
    sortKey !== null && sortKey in run.metrics
      ? [sortKey, ...metricKeys.filter(key => key !== sortKey)]
      : metricKeys
  ).slice(0, 2);
  const details = [
    run.archived ? trans.__('archived') : null,
    formatTime(run.start_time),
    run.status === 'RUNNING' ? null : formatDuration(run.duration),
    run.seed !== null ? trans.__('seed %1', run.seed) : null,
    trans._n('%1 cell', '%1 cells', run.cells),
    ...shownKeys.map(key => `${key} ${formatNumber(run.metrics[key])}`)
  ].filter((part): part is string => part !== null);
  return (
    <div
      className={`jp-xp-RunRow${selected ? ' jp-mod-selected' : ''}${
        run.status === 'KILLED' ? ' jp-xp-RunRow-killed' : ''
      }${run.archived ? ' jp-xp-RunRow-archived' : ''}`}
    >
      <input
        type="checkbox"
        className="jp-xp-RunRow-check"
        aria-label={trans.__('Select %1', label)}
        checked={selected}
        onChange={() => onToggle(run.run_id)}
      />
      <div className="jp-xp-RunRow-text">
        <div className="jp-xp-RunRow-line">
          <button
            type="button"
            className="jp-xp-RunRow-name"
            title={trans.__('%1 (%2): open its details', label, run.run_id)}
            onClick={() => onOpenRun(run.run_id)}
          >
            {label}
          </button>
          <StatusBadge status={run.status} />
        </div>
        <div
          className="jp-xp-RunRow-details"
          title={
            run.died_in_cell !== null
              ? trans.__('Died in %1', run.died_in_cell)
              : details.join(' · ')
          }
        >
          {details.join(' · ')}
        </div>
      </div>
      {run.archived && (
        <Button
          aria-label={trans.__('Restore %1', label)}
          title={trans.__('Archived: bring the run back into the run list')}
          onClick={() => onRestore(run.run_id)}
        >
          {trans.__('Restore')}
        </Button>
      )}
    </div>
  );
}
