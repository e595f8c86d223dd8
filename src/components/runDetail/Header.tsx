// The head of a run's tab: its name, status, Promote and Sweep buttons and key facts.
import React from 'react';

import type { RunDetail } from '../../models/types';
import { formatDuration, formatTime, MISSING, runLabel } from '../../format';
import { relativeToRoot } from '../../paths';
import { Button, KeyValueTable, StatusBadge } from '../common';

/** The tag of a trial run that names its sweep's parent run (`core/tags.py`'s SWEEP_RUN). */
const SWEEP_RUN_TAG = 'xp.sweep.run';

/** The sweep a run belongs to: its own for a sweep's parent run, its sweep's for a trial. */
function sweepOf(run: RunDetail): string | null {
  if (run.kind === 'sweep') {
    return run.run_id;
  }
  return run.kind === 'trial' ? (run.tags[SWEEP_RUN_TAG] ?? null) : null;
}

/** The run's name and status, Promote, how it died (if it did) and its key facts. */
export function Header(props: {
  run: RunDetail;
  serverRoot: string;
  onOpenNotebook: (path: string) => void;
  onPromote: (run: RunDetail) => void;
  /** Open the Sweep dialog for the run (no button without it). */
  onSweep?: (run: RunDetail) => void;
  /** Open a sweep's tab by its parent run id (no button without it). */
  onOpenSweep?: (sweepId: string) => void;
  /** Replaces the name and status heading (the inline rename). */
  title?: React.ReactNode;
  /** More buttons before Promote (Archive or Restore). */
  actions?: React.ReactNode;
}): React.JSX.Element {
  const { run, serverRoot, onOpenNotebook, onPromote, onOpenSweep } = props;
  const sweepId = sweepOf(run);
  const relative =
    run.notebook !== null ? relativeToRoot(run.notebook, serverRoot) : null;
  const notebook =
    run.notebook === null ? (
      MISSING
    ) : (
      <span className="jp-xp-Notebook">
        <code>{run.notebook}</code>
        {relative !== null ? (
          <Button onClick={() => onOpenNotebook(relative)}>
            Open notebook
          </Button>
        ) : (
          <span className="jp-xp-Muted"> (outside the server root)</span>
        )}
      </span>
    );
  const rows: [string, React.ReactNode][] = [
    ['Run id', <code key="id">{run.run_id}</code>],
    ['Experiment', run.experiment],
    ['Kind', run.kind ?? MISSING],
    ['Started', formatTime(run.start_time)],
    ['Ended', formatTime(run.end_time)],
    ['Duration', formatDuration(run.duration)],
    ['Seed', run.seed ?? MISSING],
    [
      'Cells',
      `${run.cells} executed${run.errors > 0 ? `, ${run.errors} with errors` : ''}`
    ],
    ['Notebook', notebook]
  ];
  return (
    <header className="jp-xp-DetailHeader">
      <div className="jp-xp-DetailHeader-bar">
        {props.title ?? (
          <h2 className="jp-xp-DetailHeader-title">
            <span>{runLabel(run)}</span>
            <StatusBadge status={run.status} />
          </h2>
        )}
        {props.actions}
        {onOpenSweep !== undefined && sweepId !== null && (
          <Button
            title="Show the sweep: its trials, best trial and charts"
            onClick={() => onOpenSweep(sweepId)}
          >
            Open sweep
          </Button>
        )}
        {run.status !== 'RUNNING' && (
          <Button
            primary
            title="Replay this run as a parameterized, tracked job and check that it reproduces the metrics"
            onClick={() => onPromote(run)}
          >
            Promote
          </Button>
        )}
        {props.onSweep !== undefined &&
          run.status !== 'RUNNING' &&
          run.kind !== 'sweep' && (
            <Button
              title="Search this run’s parameters with Optuna: every trial is a tracked promotion"
              onClick={() => props.onSweep?.(run)}
            >
              Sweep…
            </Button>
          )}
      </div>
      {run.died_in_cell !== null && (
        <div className="jp-xp-Died" role="alert">
          <strong>The kernel died in a cell:</strong> {run.died_in_cell}
        </div>
      )}
      <KeyValueTable label="Run" rows={rows} />
    </header>
  );
}
