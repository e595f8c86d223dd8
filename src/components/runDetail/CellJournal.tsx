// A run's cell journal: the order verdict and one row per cell execution.
import React, { useState } from 'react';

import type { CellExecution, RunDetail } from '../../models/types';
import { asArray, asString, firstLine, formatDuration } from '../../format';
import { Badge } from '../common';

/** The journal's size, next to its section title. */
export function cellsNote(run: RunDetail): string {
  const errors = run.errors > 0 ? `, ${run.errors} with errors` : '';
  return `${run.cells_journal.length} executions${errors}`;
}

function cellTone(
  status: CellExecution['status']
): 'ok' | 'error' | 'warn' | 'info' {
  switch (status) {
    case 'ok':
      return 'ok';
    case 'error':
      return 'error';
    case 'died':
      return 'warn';
    case 'running':
      return 'info';
  }
}

/** Whether a top-to-bottom run of the notebook replays what was executed. */
export function OrderVerdict(props: {
  order: RunDetail['order'];
}): React.JSX.Element {
  const { order } = props;
  if (order === null) {
    return (
      <p className="jp-xp-Muted">No order verdict recorded for this run.</p>
    );
  }
  const linear = order.linear;
  const reasons = asArray(order.reasons)
    .map(asString)
    .filter((reason): reason is string => reason !== null);
  const verdict = linear === true ? 'yes' : linear === false ? 'no' : 'unknown';
  return (
    <div className="jp-xp-Order">
      <p>
        {'Linear replay reproduces this run: '}
        <Badge
          label={verdict}
          tone={linear === true ? 'ok' : linear === false ? 'warn' : 'muted'}
        />
      </p>
      {reasons.length > 0 && (
        <ul className="jp-xp-Plain">
          {reasons.map((reason, index) => (
            <li key={index}>{reason}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The cell journal: one row per execution, in the order they ran. */
export function CellTimeline(props: {
  cells: readonly CellExecution[];
  /** The journal could not be read from the store: unknown, not empty. */
  unavailable?: boolean;
}): React.JSX.Element {
  const { cells } = props;
  if (props.unavailable === true) {
    return (
      <p className="jp-xp-Muted">
        The cell journal could not be read from the store (see above).
      </p>
    );
  }
  if (cells.length === 0) {
    return (
      <p className="jp-xp-Muted">
        No cell executions recorded (a script run, or none yet).
      </p>
    );
  }
  const longest = Math.max(...cells.map(cell => cell.duration ?? 0));
  return (
    <ol className="jp-xp-Timeline" aria-label="Cell journal">
      {cells.map(cell => (
        <CellRow key={cell.seq} cell={cell} longest={longest} />
      ))}
    </ol>
  );
}

function CellRow(props: {
  cell: CellExecution;
  longest: number;
}): React.JSX.Element {
  const { cell, longest } = props;
  const [open, setOpen] = useState(false);
  const share =
    longest > 0 && cell.duration !== null ? cell.duration / longest : 0;
  const classes = ['jp-xp-Cell', `jp-xp-Cell-status-${cell.status}`];
  return (
    <li className={classes.join(' ')}>
      <button
        type="button"
        className="jp-xp-Cell-summary"
        aria-expanded={open}
        title={open ? 'Hide the source' : 'Show the full source'}
        onClick={() => setOpen(!open)}
      >
        <span className="jp-xp-Cell-seq">{`#${cell.seq}`}</span>
        <span className="jp-xp-Cell-count">{`[${cell.execution_count ?? ' '}]`}</span>
        <Badge
          label={cell.status}
          tone={cellTone(cell.status)}
          title={`Cell status: ${cell.status}`}
        />
        <span className="jp-xp-Cell-bar" aria-hidden="true">
          <span
            className="jp-xp-Cell-barFill"
            style={{ width: `${Math.max(share * 100, share > 0 ? 1 : 0)}%` }}
          />
        </span>
        <span className="jp-xp-Cell-duration">
          {formatDuration(cell.duration)}
        </span>
        <code className="jp-xp-Cell-source">{firstLine(cell.source)}</code>
      </button>
      {(cell.error_name !== null || cell.error_value !== null) && (
        <div className="jp-xp-Cell-errorText">
          {`${cell.error_name ?? 'Error'}: ${cell.error_value ?? ''}`}
        </div>
      )}
      {open && (
        <pre className="jp-xp-Cell-full" aria-label={`Source of #${cell.seq}`}>
          {cell.source}
        </pre>
      )}
    </li>
  );
}
