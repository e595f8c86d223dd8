import { Signal } from '@lumino/signaling';
import React from 'react';

import type {
  CompareBody,
  MetricRow,
  PackageRow,
  RunSummary,
  ValueRow
} from '../api/types';
import { formatNumber, formatPValue, MISSING, runLabel } from '../format';
import { CompareModel } from '../models/compare';
import {
  Badge,
  Button,
  DiffView,
  ErrorState,
  Loading,
  Section,
  StatusBadge
} from './common';
import { LineChart } from './LineChart';

/** Props of {@link CompareView}. */
export interface ICompareViewProps {
  model: CompareModel;
  /** Open a run's detail tab. */
  onOpenRun: (runId: string) => void;
}

interface IState {
  /** Whether rows that are the same in every run are shown too. */
  showAll: boolean;
}

/**
 * Two or more runs side by side: params, metrics (table and overlaid curves),
 * packages, hardware, git, environment, executed code, and seed statistics.
 * Only differences are shown until "Show all" is ticked.
 */
export class CompareView extends React.Component<ICompareViewProps, IState> {
  constructor(props: ICompareViewProps) {
    super(props);
    this.state = { showAll: false };
  }

  override componentDidMount(): void {
    this.props.model.changed.connect(this._onModelChanged, this);
  }

  override componentWillUnmount(): void {
    Signal.clearData(this);
  }

  override render(): React.JSX.Element {
    const { model } = this.props;
    const { state } = model;
    if (state.kind === 'loading') {
      return (
        <div className="jp-xp-Compare">
          <Loading what="Comparing the runs…" />
        </div>
      );
    }
    if (state.kind === 'failed') {
      return (
        <div className="jp-xp-Compare">
          <ErrorState
            what="Could not compare the runs"
            message={state.message}
            onRetry={() => void model.refresh()}
          />
        </div>
      );
    }
    const body = state.value;
    const { showAll } = this.state;
    const metrics = showAll
      ? body.metrics
      : body.metrics.filter(row => row.differs);
    return (
      <div className="jp-xp-Compare">
        <div className="jp-xp-Compare-toolbar">
          <h2 className="jp-xp-Compare-title">
            {`Comparing ${body.runs.length} runs`}
          </h2>
          <label className="jp-xp-Label">
            <input
              type="checkbox"
              checked={showAll}
              onChange={event =>
                this.setState({ showAll: event.currentTarget.checked })
              }
            />
            Show all
          </label>
          <span className="jp-xp-Muted">
            {showAll
              ? 'Rows that differ are highlighted.'
              : 'Differences only.'}
          </span>
          <Button onClick={() => void model.refresh()}>Refresh</Button>
        </div>
        <RunsHeader runs={body.runs} onOpenRun={this.props.onOpenRun} />
        <Section title="Parameters">
          <ValueTable
            label="Parameters"
            rows={body.params}
            runs={body.runs}
            showAll={showAll}
            what="parameter"
          />
        </Section>
        <Section title="Metrics">
          <MetricTable rows={metrics} runs={body.runs} showAll={showAll} />
          <div className="jp-xp-Compare-charts">
            {metrics.map(row => this._renderCurves(body, row))}
          </div>
        </Section>
        <Section title="Packages">
          <PackageTable
            rows={body.packages}
            runs={body.runs}
            showAll={showAll}
          />
        </Section>
        <Section title="Hardware">
          <ValueTable
            label="Hardware"
            rows={body.hardware}
            runs={body.runs}
            showAll={showAll}
            what="hardware"
          />
        </Section>
        <Section title="Git">
          <ValueTable
            label="Git"
            rows={body.git}
            runs={body.runs}
            showAll={showAll}
            what="git"
          />
        </Section>
        <Section title="Environment">
          <ValueTable
            label="Environment"
            rows={body.environment}
            runs={body.runs}
            showAll={showAll}
            what="environment"
          />
        </Section>
        <Section title="Executed code">
          <CellDiffs body={body} showAll={showAll} />
        </Section>
        <Section title="Seed groups">
          <SeedGroups body={body} />
        </Section>
      </div>
    );
  }

  private _renderCurves(body: CompareBody, row: MetricRow): React.JSX.Element {
    const curves = this.props.model.curves(row.key);
    let content: React.ReactNode;
    switch (curves.kind) {
      case 'loading':
        content = <Loading what="Loading the curves…" />;
        break;
      case 'failed':
        content = <p className="jp-xp-Error">{curves.message}</p>;
        break;
      case 'ready':
        content = (
          <LineChart
            title={row.key}
            series={body.runs.map((run, index) => ({
              label: runLabel(run),
              points: curves.value[index]?.points ?? []
            }))}
          />
        );
        break;
    }
    return (
      <div key={row.key} className="jp-xp-Compare-chart">
        <h4 className="jp-xp-Subheading">{row.key}</h4>
        {content}
      </div>
    );
  }

  private _onModelChanged(): void {
    this.forceUpdate();
  }
}

function RunsHeader(props: {
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

function ValueTable(props: {
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
      <thead>
        <tr>
          <th scope="col">Name</th>
          <RunColumns runs={props.runs} />
        </tr>
      </thead>
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

function MetricTable(props: {
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
      <thead>
        <tr>
          <th scope="col">Metric (latest)</th>
          <RunColumns runs={props.runs} />
        </tr>
      </thead>
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

function PackageTable(props: {
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
        <thead>
          <tr>
            <th scope="col">Package</th>
            <th scope="col">Change</th>
            <RunColumns runs={props.runs} />
          </tr>
        </thead>
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

function CellDiffs(props: {
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

function SeedGroups(props: { body: CompareBody }): React.JSX.Element {
  const { seed_groups: groups, group_tests: tests } = props.body;
  if (groups.length === 0) {
    return <p className="jp-xp-Muted">No seed groups.</p>;
  }
  const hasReplicates = groups.some(group => group.run_ids.length > 1);
  return (
    <>
      <p className="jp-xp-Muted">
        Runs with the same parameters except the seed form a group.
        {hasReplicates
          ? ''
          : ' Every group has one run: record more seeds to measure seed noise.'}
      </p>
      <table className="jp-xp-Table" aria-label="Seed groups">
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col">Runs</th>
            <th scope="col">Metric</th>
            <th scope="col">Mean ± std</th>
            <th scope="col">95% CI</th>
          </tr>
        </thead>
        <tbody>
          {groups.flatMap(group =>
            group.metrics.map((stats, index) => (
              <tr key={`${group.label}:${stats.key}`}>
                {index === 0 && (
                  <>
                    <th scope="row" rowSpan={group.metrics.length}>
                      {group.label}
                    </th>
                    <td rowSpan={group.metrics.length}>
                      {group.run_ids.length}
                    </td>
                  </>
                )}
                <td>{stats.key}</td>
                <td>
                  {`${formatNumber(stats.mean)} ± ${formatNumber(stats.std)}`}
                  <span className="jp-xp-Muted">{` (n=${stats.n})`}</span>
                </td>
                <td>
                  {`[${formatNumber(stats.ci_low)}, ${formatNumber(stats.ci_high)}]`}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <h4 className="jp-xp-Subheading">
        Is the difference more than seed noise?
      </h4>
      {tests.length === 0 ? (
        <p className="jp-xp-Muted">
          No tests: they need two groups with at least two seeds each.
        </p>
      ) : (
        <table className="jp-xp-Table" aria-label="Group tests">
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col">Groups</th>
              <th scope="col">Mean difference</th>
              <th scope="col">Cohen&apos;s d</th>
              <th scope="col">Welch p</th>
              <th scope="col">Permutation p</th>
              <th scope="col">Distinguishable</th>
            </tr>
          </thead>
          <tbody>
            {tests.map(test => (
              <tr key={`${test.key}:${test.group_a}:${test.group_b}`}>
                <th scope="row">{test.key}</th>
                <td>{`${test.group_a} vs ${test.group_b}`}</td>
                <td>{formatNumber(test.mean_difference)}</td>
                <td>{formatNumber(test.cohens_d)}</td>
                <td>{formatPValue(test.welch_p)}</td>
                <td>{formatPValue(test.permutation_p)}</td>
                <td>
                  <Badge
                    label={test.distinguishable ? 'yes' : 'no'}
                    tone={test.distinguishable ? 'ok' : 'muted'}
                    title="p < 0.05 on Welch's test"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
