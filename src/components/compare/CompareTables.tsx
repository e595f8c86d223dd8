// The comparison's tables: runs, parameters and other values, metrics, packages and executed code, differences first.
import React from 'react';

import type {
  CompareBody,
  MetricRow,
  PackageRow,
  RunSummary,
  ValueRow
} from '../../models/types';
import { formatNumber, MISSING, runLabel } from '../../format';
import { Badge, DiffView, StatusBadge, TableHead } from '../common';

/** The compared runs, in column order, each a link to its tab. */
export function RunsHeader(props: {
  runs: readonly RunSummary[];
  onOpenRun: (runId: string) => void;
}): React.JSX.Element {
  return (
    <ol className="jp-xp-Compare-runs" aria-label="Compared runs">
      {props.runs.map(run => (
        <li key={run.run_id}>
          <button
            type="button"
            className="jp-xp-Link"
            title={`${run.run_id}: open its details`}
            onClick={() => props.onOpenRun(run.run_id)}
          >
            {runLabel(run)}
          </button>{' '}
          <StatusBadge status={run.status} />{' '}
          <span className="jp-xp-Muted">
            {`${run.experiment} · ${run.run_id.slice(0, 8)}`}
          </span>
        </li>
      ))}
    </ol>
  );
}

/** Column headers: one per run. */
function RunColumns(props: { runs: readonly RunSummary[] }): React.JSX.Element {
  return (
    <>
      {props.runs.map(run => (
        <th key={run.run_id} scope="col" title={run.run_id}>
          {runLabel(run)}
        </th>
      ))}
    </>
  );
}

function NoDifferences(props: {
  what: string;
  total: number;
}): React.JSX.Element {
  return (
    <p className="jp-xp-Muted">
      {props.total === 0
        ? `No ${props.what} recorded.`
        : `No ${props.what} differences (${props.total} the same; tick Show all to see them).`}
    </p>
  );
}

/** One row per compared value (params, hardware, git, environment). */
export function ValueTable(props: {
  label: string;
  rows: readonly ValueRow[];
  runs: readonly RunSummary[];
  showAll: boolean;
  what: string;
}): React.JSX.Element {
  const rows = props.showAll
    ? props.rows
    : props.rows.filter(row => row.differs);
  if (rows.length === 0) {
    return <NoDifferences what={props.what} total={props.rows.length} />;
  }
  return (
    <table className="jp-xp-Table jp-xp-CompareTable" aria-label={props.label}>
      <TableHead columns={['Name']}>
        <RunColumns runs={props.runs} />
      </TableHead>
      <tbody>
        {rows.map(row => (
          <tr key={row.key} className={row.differs ? 'jp-xp-differs' : ''}>
            <th scope="row">{row.key}</th>
            {row.values.map((value, index) => (
              <td key={index}>{value ?? MISSING}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Each metric's latest value in each run. */
export function MetricTable(props: {
  rows: readonly MetricRow[];
  runs: readonly RunSummary[];
  showAll: boolean;
}): React.JSX.Element {
  if (props.rows.length === 0) {
    return (
      <p className="jp-xp-Muted">
        {props.showAll
          ? 'No metrics recorded.'
          : 'No metric differences (tick Show all to see every metric).'}
      </p>
    );
  }
  return (
    <table
      className="jp-xp-Table jp-xp-CompareTable"
      aria-label="Metrics (latest values)"
    >
      <TableHead columns={['Metric (latest)']}>
        <RunColumns runs={props.runs} />
      </TableHead>
      <tbody>
        {props.rows.map(row => (
          <tr key={row.key} className={row.differs ? 'jp-xp-differs' : ''}>
            <th scope="row">{row.key}</th>
            {row.values.map((value, index) => (
              <td key={index}>{formatNumber(value)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const CHANGE_TONES: Record<
  PackageRow['change'],
  'ok' | 'error' | 'warn' | 'muted'
> = {
  added: 'ok',
  removed: 'error',
  changed: 'warn',
  same: 'muted'
};

/** Packages added, removed or changed against the first run. */
export function PackageTable(props: {
  rows: readonly PackageRow[];
  runs: readonly RunSummary[];
  showAll: boolean;
}): React.JSX.Element {
  const rows = props.showAll
    ? props.rows
    : props.rows.filter(row => row.change !== 'same');
  if (rows.length === 0) {
    return <NoDifferences what="package" total={props.rows.length} />;
  }
  const counts = (['added', 'removed', 'changed'] as const)
    .map(change => ({
      change,
      n: props.rows.filter(row => row.change === change).length
    }))
    .filter(entry => entry.n > 0)
    .map(entry => `${entry.n} ${entry.change}`)
    .join(', ');
  return (
    <>
      {counts && (
        <p className="jp-xp-Muted">{`Against the first run: ${counts}.`}</p>
      )}
      <table className="jp-xp-Table jp-xp-CompareTable" aria-label="Packages">
        <TableHead columns={['Package', 'Change']}>
          <RunColumns runs={props.runs} />
        </TableHead>
        <tbody>
          {rows.map(row => (
            <tr
              key={row.name}
              className={row.change !== 'same' ? 'jp-xp-differs' : ''}
            >
              <th scope="row">{row.name}</th>
              <td>
                <Badge label={row.change} tone={CHANGE_TONES[row.change]} />
              </td>
              {row.versions.map((version, index) => (
                <td key={index}>{version ?? MISSING}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** The executed code of each run against the first run's, as a diff. */
export function CellDiffs(props: {
  body: CompareBody;
  showAll: boolean;
}): React.JSX.Element {
  const { body, showAll } = props;
  const names = new Map(body.runs.map(run => [run.run_id, runLabel(run)]));
  const first = body.runs[0] ? runLabel(body.runs[0]) : MISSING;
  const shown = showAll ? body.cells : body.cells.filter(d => !d.identical);
  if (shown.length === 0) {
    return (
      <p className="jp-xp-Muted">
        {`Every run executed the same code as ${first}.`}
      </p>
    );
  }
  return (
    <>
      {shown.map(cellDiff => {
        const name = names.get(cellDiff.run_id) ?? cellDiff.run_id;
        return (
          <div key={cellDiff.run_id} className="jp-xp-CellDiff">
            <h4 className="jp-xp-Subheading">{`${first} → ${name}`}</h4>
            {cellDiff.identical ? (
              <p className="jp-xp-Muted">Same executed code.</p>
            ) : (
              <DiffView
                diff={cellDiff.diff}
                label={`Executed code: ${first} against ${name}`}
              />
            )}
          </div>
        );
      })}
    </>
  );
}
