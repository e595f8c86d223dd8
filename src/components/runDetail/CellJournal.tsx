// A run's cell journal: the order verdict and one row per cell execution.
import React, { useState } from 'react';

import type { CellExecution, CellProfile, RunDetail } from '../../models/types';
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

/** How each verdict reads at a glance: waiting on data or memory is the warning sign. */
function verdictTone(
  verdict: NonNullable<CellExecution['verdict']>
): 'ok' | 'warn' | 'error' | 'muted' {
  switch (verdict) {
    case 'compute-bound':
      return 'ok';
    case 'data-bound':
      return 'warn';
    case 'memory-bound':
      return 'error';
    case 'idle':
      return 'muted';
  }
}

/** Microseconds as milliseconds, three decimals (what torch.profiler's tables show). */
function milliseconds(us: number): string {
  return `${(us / 1000).toFixed(3)} ms`;
}

/** A profiled cell's top operators (``%xp profile``) and where its trace is. */
export function ProfileTable(props: {
  profile: CellProfile;
}): React.JSX.Element {
  const { profile } = props;
  const cuda = profile.cuda;
  const steps =
    profile.steps !== null ? `, first ${profile.steps} batches` : '';
  return (
    <div className="jp-xp-Cell-profile">
      <p className="jp-xp-Muted">
        {`Profiled${steps}`}
        {profile.trace !== null && ` — trace: xp/${profile.trace}`}
      </p>
      <table
        className="jp-xp-Table"
        aria-label={`Top operators of #${profile.cell}`}
      >
        <thead>
          <tr>
            <th>Operator</th>
            <th>Self CPU</th>
            <th>Calls</th>
            {cuda && <th>Self CUDA</th>}
          </tr>
        </thead>
        <tbody>
          {profile.operators.map((op, index) => (
            <tr key={index}>
              <td>
                <code>{op.name}</code>
              </td>
              <td>{milliseconds(op.self_cpu_us)}</td>
              <td>{op.calls}</td>
              {cuda && (
                <td>
                  {typeof op.self_cuda_us === 'number'
                    ? milliseconds(op.self_cuda_us)
                    : ''}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Where the run's time went: the verdict of most of its judged cells' time. */
export function TimeVerdict(props: {
  verdict: RunDetail['time_verdict'];
}): React.JSX.Element | null {
  const { verdict } = props;
  if (verdict === null || verdict === undefined) {
    return null;
  }
  return (
    <p className="jp-xp-TimeVerdict">
      {'Where the time went: '}
      <Badge
        label={verdict.verdict}
        tone={verdictTone(verdict.verdict)}
        title="The verdict of most of the judged cells' time (cells of 1 s or more)"
      />
      {` ${Math.round(verdict.share * 100)} % of the time of the cells judged`}
    </p>
  );
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
  /** The cells run under ``%xp profile``, by their seq. */
  profiles?: readonly CellProfile[];
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
  const profiles = new Map(
    (props.profiles ?? []).map(profile => [profile.cell, profile])
  );
  return (
    <ol className="jp-xp-Timeline" aria-label="Cell journal">
      {cells.map(cell => (
        <CellRow
          key={cell.seq}
          cell={cell}
          longest={longest}
          profile={profiles.get(cell.seq)}
        />
      ))}
    </ol>
  );
}

function CellRow(props: {
  cell: CellExecution;
  longest: number;
  profile?: CellProfile;
}): React.JSX.Element {
  const { cell, longest, profile } = props;
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
      {cell.verdict !== null && cell.verdict !== undefined && (
        <div className="jp-xp-Cell-verdict">
          <Badge
            label={cell.verdict}
            tone={verdictTone(cell.verdict)}
            title="Where this cell's time went"
          />
          <span>{` ${cell.verdict_because ?? ''}`}</span>
        </div>
      )}
      {profile !== undefined && <ProfileTable profile={profile} />}
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
