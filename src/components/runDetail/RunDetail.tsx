import { Signal } from '@lumino/signaling';
import React, { useState } from 'react';

import type { CellExecution, RunDetail } from '../../api/types';
import {
  asArray,
  asNumber,
  asRecord,
  asString,
  field,
  firstLine,
  formatDuration,
  formatGiB,
  formatNumber,
  formatTime,
  formatValue,
  MISSING,
  runLabel
} from '../../format';
import { RunDetailModel } from '../../models/runDetail';
import { relativeToRoot } from '../../paths';
import {
  Badge,
  Button,
  DiffView,
  EmptyState,
  ErrorState,
  KeyValueTable,
  Loading,
  Section,
  StatusBadge
} from '../common';
import { LineChart } from '../LineChart';
import { PromotionListView, VerificationView } from '../Promotion';

/** Props of {@link RunDetailView}. */
export interface IRunDetailViewProps {
  model: RunDetailModel;
  /** The server's root folder, to tell whether a notebook can be opened. */
  serverRoot: string;
  /** Open a notebook by its path relative to the server root. */
  onOpenNotebook: (path: string) => void;
  /** Open another run's detail (a promoted run, a source run). */
  onOpenRun: (runId: string) => void;
  /** Open the Promote dialog for this run. */
  onPromote: (run: RunDetail) => void;
}

/**
 * Everything recorded for one run: header, reproduction (for a promoted run),
 * promotions, params, metrics with curves, seeds, environment, hardware, git,
 * the cell journal and notes.
 */
export class RunDetailView extends React.Component<IRunDetailViewProps> {
  override componentDidMount(): void {
    this.props.model.changed.connect(this._onModelChanged, this);
  }

  override componentWillUnmount(): void {
    Signal.clearData(this);
  }

  override render(): React.JSX.Element {
    const { model, onOpenRun } = this.props;
    const { run, error } = model;
    if (run === null) {
      return (
        <div className="jp-xp-Detail">
          {error !== null ? (
            <ErrorState
              what={`Could not read run ${model.runId}`}
              message={error}
              onRetry={() => model.refresh()}
            />
          ) : (
            <Loading what="Loading the run…" />
          )}
        </div>
      );
    }
    return (
      <div className="jp-xp-Detail">
        {error !== null && (
          <ErrorState
            what="Could not refresh the run"
            message={error}
            onRetry={() => model.refresh()}
          />
        )}
        <Header
          run={run}
          serverRoot={this.props.serverRoot}
          onOpenNotebook={this.props.onOpenNotebook}
          onPromote={this.props.onPromote}
        />
        {(run.source_run_id !== null || run.verification !== null) && (
          <Section title="Reproduction">
            <Reproduction run={run} onOpenRun={onOpenRun} />
          </Section>
        )}
        <Section title="Promotions">
          <PromotedRuns runIds={run.promoted_runs} onOpenRun={onOpenRun} />
          <PromotionListView
            model={model.promotions}
            onOpenRun={onOpenRun}
            empty={
              run.promoted_runs.length === 0 ? (
                <p className="jp-xp-Muted">
                  Not promoted yet. Promote replays this run as a parameterized,
                  tracked job and checks that it reproduces the metrics.
                </p>
              ) : null
            }
          />
        </Section>
        <Section title="Parameters">
          <ParamsTable params={run.params} />
        </Section>
        <Section title="Metrics">
          <MetricsTable run={run} model={model} />
        </Section>
        <Section title="Cell journal" note={cellsNote(run)}>
          <OrderVerdict order={run.order} />
          <CellTimeline cells={run.cells_journal} />
        </Section>
        <Section title="Seeds and determinism">
          <Seeds seeds={run.seeds} />
        </Section>
        <Section title="Environment">
          <Environment environment={run.environment} />
        </Section>
        <Section title="Hardware">
          <Hardware hardware={run.hardware} device={run.tags['xp.device']} />
        </Section>
        <Section title="Git">
          <Git git={run.git} />
        </Section>
        <Section title="Notes">
          {run.note ? (
            <p className="jp-xp-Note">{run.note}</p>
          ) : (
            <p className="jp-xp-Muted">
              No notes. Add one with <code>%xp note TEXT</code> while the run is
              recording.
            </p>
          )}
        </Section>
        <Section title="Tags">
          <details>
            <summary>{`${Object.keys(run.tags).length} tags`}</summary>
            <KeyValueTable
              label="Tags"
              rows={Object.keys(run.tags)
                .sort()
                .map(key => [key, run.tags[key]] as const)}
            />
          </details>
        </Section>
      </div>
    );
  }

  private _onModelChanged(): void {
    this.forceUpdate();
  }
}

function cellsNote(run: RunDetail): string {
  const errors = run.errors > 0 ? `, ${run.errors} with errors` : '';
  return `${run.cells_journal.length} executions${errors}`;
}

function Header(props: {
  run: RunDetail;
  serverRoot: string;
  onOpenNotebook: (path: string) => void;
  onPromote: (run: RunDetail) => void;
}): React.JSX.Element {
  const { run, serverRoot, onOpenNotebook, onPromote } = props;
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
        <h2 className="jp-xp-DetailHeader-title">
          <span>{runLabel(run)}</span>
          <StatusBadge status={run.status} />
        </h2>
        {run.status !== 'RUNNING' && (
          <Button
            primary
            title="Replay this run as a parameterized, tracked job and check that it reproduces the metrics"
            onClick={() => onPromote(run)}
          >
            Promote
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

/** A link to another run, by the start of its id. */
function RunLink(props: {
  runId: string;
  onOpenRun: (runId: string) => void;
}): React.JSX.Element {
  const { runId, onOpenRun } = props;
  return (
    <button
      type="button"
      className="jp-xp-Link"
      title={`${runId}: open its details`}
      onClick={() => onOpenRun(runId)}
    >
      <code>{runId.slice(0, 8)}</code>
    </button>
  );
}

/** For a promoted run: where it comes from, and whether it reproduced it. */
function Reproduction(props: {
  run: RunDetail;
  onOpenRun: (runId: string) => void;
}): React.JSX.Element {
  const { run, onOpenRun } = props;
  return (
    <>
      {run.source_run_id !== null && (
        <p className="jp-xp-PromotedFrom">
          {'Promoted from '}
          <RunLink runId={run.source_run_id} onOpenRun={onOpenRun} />
        </p>
      )}
      {run.verification !== null ? (
        <VerificationView verification={run.verification} />
      ) : (
        <p className="jp-xp-Muted">
          {run.status === 'RUNNING'
            ? 'Not verified yet: the run is still going.'
            : 'No verification was stored for this run.'}
        </p>
      )}
    </>
  );
}

/** For a source run: the runs promoted from it. */
function PromotedRuns(props: {
  runIds: readonly string[];
  onOpenRun: (runId: string) => void;
}): React.JSX.Element | null {
  const { runIds, onOpenRun } = props;
  if (runIds.length === 0) {
    return null;
  }
  return (
    <p className="jp-xp-PromotedRuns">
      {`Promoted run${runIds.length === 1 ? '' : 's'}: `}
      {runIds.map((runId, index) => (
        <React.Fragment key={runId}>
          {index > 0 && ', '}
          <RunLink runId={runId} onOpenRun={onOpenRun} />
        </React.Fragment>
      ))}
    </p>
  );
}

function ParamsTable(props: {
  params: Record<string, string>;
}): React.JSX.Element {
  const keys = Object.keys(props.params).sort();
  if (keys.length === 0) {
    return (
      <p className="jp-xp-Muted">
        No parameters. Record some with <code>%xp param name=value</code> or a
        cell tagged <code>parameters</code>.
      </p>
    );
  }
  return (
    <table className="jp-xp-Table" aria-label="Parameters">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {keys.map(key => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td>
              <code>{props.params[key]}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MetricsTable(props: {
  run: RunDetail;
  model: RunDetailModel;
}): React.JSX.Element {
  const { run, model } = props;
  const keys = Object.keys(run.metrics).sort();
  if (keys.length === 0) {
    return (
      <p className="jp-xp-Muted">
        No metrics. Log some with{' '}
        <code>
          xp.log({'{'}...{'}'}, step=N)
        </code>{' '}
        or <code>%xp log name=value</code>.
      </p>
    );
  }
  return (
    <table className="jp-xp-Table jp-xp-Metrics" aria-label="Metrics">
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col">Latest</th>
          <th scope="col">Curve</th>
        </tr>
      </thead>
      <tbody>
        {keys.map(key => {
          const history = model.history(key);
          let curve: React.ReactNode;
          switch (history.kind) {
            case 'loading':
              curve = <span className="jp-xp-Muted">Loading…</span>;
              break;
            case 'failed':
              curve = <span className="jp-xp-Error">{history.message}</span>;
              break;
            case 'ready':
              curve = (
                <LineChart
                  title={key}
                  series={[
                    { label: runLabel(run), points: history.value.points }
                  ]}
                />
              );
              break;
          }
          return (
            <tr key={key}>
              <th scope="row">{key}</th>
              <td>{formatNumber(run.metrics[key])}</td>
              <td className="jp-xp-Metrics-curve">{curve}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
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
function OrderVerdict(props: { order: RunDetail['order'] }): React.JSX.Element {
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
function CellTimeline(props: {
  cells: readonly CellExecution[];
}): React.JSX.Element {
  const { cells } = props;
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

function Seeds(props: { seeds: RunDetail['seeds'] }): React.JSX.Element {
  const { seeds } = props;
  if (seeds === null) {
    return <p className="jp-xp-Muted">No seed record for this run.</p>;
  }
  const libraries = asRecord(seeds.libraries) ?? {};
  const determinism = asRecord(seeds.determinism) ?? {};
  const userCalls = asArray(seeds.user_calls);
  const errors = asArray(seeds.errors);
  const rows: [string, React.ReactNode][] = [
    [
      'Root seed',
      `${formatValue(seeds.seed)}${
        asString(seeds.seed_source) ? ` (${asString(seeds.seed_source)})` : ''
      }`
    ],
    [
      'PYTHONHASHSEED',
      seeds.pythonhashseed === null || seeds.pythonhashseed === undefined
        ? 'unset (str hashing differs per kernel)'
        : formatValue(seeds.pythonhashseed)
    ],
    ...Object.keys(libraries)
      .sort()
      .map(name => [name, formatValue(libraries[name])] as [string, string])
  ];
  const flags = Object.keys(determinism).sort();
  return (
    <>
      <KeyValueTable label="Seeds" rows={rows} />
      <h4 className="jp-xp-Subheading">Determinism</h4>
      {flags.length === 0 ? (
        <p className="jp-xp-Muted">
          Not requested (<code>%xp start --deterministic</code> turns it on).
        </p>
      ) : (
        <KeyValueTable
          label="Determinism"
          rows={flags.map(flag => [flag, formatValue(determinism[flag])])}
        />
      )}
      {userCalls.length > 0 && (
        <>
          <h4 className="jp-xp-Subheading">Seed calls made after start</h4>
          <ul className="jp-xp-Plain">
            {userCalls.map((call, index) => (
              <li key={index}>
                <code>{formatValue(call)}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      {errors.length > 0 && (
        <>
          <h4 className="jp-xp-Subheading">Seeding errors</h4>
          <ul className="jp-xp-Plain jp-xp-Error">
            {errors.map((error, index) => (
              <li key={index}>{formatValue(error)}</li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

function Environment(props: {
  environment: RunDetail['environment'];
}): React.JSX.Element {
  const { environment } = props;
  if (environment === null) {
    return <p className="jp-xp-Muted">No environment record for this run.</p>;
  }
  const python = environment.python;
  const platform = environment.platform;
  const env = asRecord(environment.env) ?? {};
  const rows: [string, string][] = [
    [
      'Python',
      [
        field(python, 'implementation'),
        field(python, 'version'),
        field(python, 'virtualenv') === true ? '(virtualenv)' : null
      ]
        .filter(part => typeof part === 'string')
        .join(' ') || MISSING
    ],
    ['Executable', formatValue(field(python, 'executable'))],
    [
      'Platform',
      [
        field(platform, 'system'),
        field(platform, 'release'),
        field(platform, 'machine')
      ]
        .filter(part => typeof part === 'string')
        .join(' ') || MISSING
    ],
    ['libc', formatValue(field(platform, 'libc'))],
    ['Host', formatValue(field(platform, 'hostname'))],
    ['Container', formatValue(environment.container ?? 'none')]
  ];
  const names = Object.keys(env).sort();
  return (
    <>
      <KeyValueTable label="Environment" rows={rows} />
      <h4 className="jp-xp-Subheading">Environment variables (allow-listed)</h4>
      {names.length === 0 ? (
        <p className="jp-xp-Muted">None recorded.</p>
      ) : (
        <KeyValueTable
          label="Environment variables"
          rows={names.map(name => [name, formatValue(env[name])])}
        />
      )}
      <h4 className="jp-xp-Subheading">Packages</h4>
      <PackageTable packages={asArray(environment.packages)} />
    </>
  );
}

/** The installed packages, with a search box. */
function PackageTable(props: { packages: unknown[] }): React.JSX.Element {
  const [search, setSearch] = useState('');
  const packages = props.packages
    .map(entry => ({
      name: asString(field(entry, 'name')) ?? '',
      version: asString(field(entry, 'version')) ?? MISSING
    }))
    .filter(entry => entry.name !== '');
  const needle = search.trim().toLowerCase();
  const shown = needle
    ? packages.filter(entry => entry.name.toLowerCase().includes(needle))
    : packages;
  return (
    <div className="jp-xp-Packages">
      <input
        type="search"
        className="jp-xp-Input"
        placeholder={`Search ${packages.length} packages`}
        aria-label="Search packages"
        value={search}
        onChange={event => setSearch(event.currentTarget.value)}
      />
      {shown.length === 0 ? (
        <p className="jp-xp-Muted">No package matches.</p>
      ) : (
        <table className="jp-xp-Table" aria-label="Packages">
          <thead>
            <tr>
              <th scope="col">Package</th>
              <th scope="col">Version</th>
            </tr>
          </thead>
          <tbody>
            {shown.map(entry => (
              <tr key={entry.name}>
                <td>{entry.name}</td>
                <td>
                  <code>{entry.version}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Hardware(props: {
  hardware: RunDetail['hardware'];
  device: string | undefined;
}): React.JSX.Element {
  const { hardware, device } = props;
  if (hardware === null) {
    return <p className="jp-xp-Muted">No hardware record for this run.</p>;
  }
  const cpu = hardware.cpu;
  const torch = hardware.torch;
  const gpus = asArray(hardware.gpus);
  const cores = [
    asNumber(field(cpu, 'logical_cores')),
    asNumber(field(cpu, 'physical_cores'))
  ];
  const rows: [string, string][] = [
    ['CPU', formatValue(field(cpu, 'model'))],
    [
      'Cores',
      cores[0] === null
        ? MISSING
        : `${cores[0]} logical${cores[1] !== null ? `, ${cores[1]} physical` : ''}`
    ],
    ['Memory', formatGiB(asNumber(field(hardware.memory, 'total')))],
    ['torch', formatValue(field(torch, 'version'))],
    ['torch CUDA build', formatValue(field(torch, 'cuda_build'))],
    ['Device chosen', device ?? MISSING]
  ];
  return (
    <>
      <KeyValueTable label="Hardware" rows={rows} />
      <h4 className="jp-xp-Subheading">GPUs</h4>
      {gpus.length === 0 ? (
        <p className="jp-xp-Muted">
          No GPU
          {asString(hardware.nvml_error)
            ? ` (${asString(hardware.nvml_error)})`
            : ''}
          .
        </p>
      ) : (
        <table className="jp-xp-Table" aria-label="GPUs">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Name</th>
              <th scope="col">Memory</th>
              <th scope="col">Driver</th>
              <th scope="col">CUDA</th>
            </tr>
          </thead>
          <tbody>
            {gpus.map((gpu, index) => (
              <tr key={index}>
                <td>{formatValue(field(gpu, 'index') ?? index)}</td>
                <td>{formatValue(field(gpu, 'name'))}</td>
                <td>{formatGiB(asNumber(field(gpu, 'memory_total')))}</td>
                <td>{formatValue(field(gpu, 'driver_version'))}</td>
                <td>{formatValue(field(gpu, 'cuda_driver_version'))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function Repository(props: {
  repo: Record<string, unknown>;
  label: string;
}): React.JSX.Element {
  const { repo, label } = props;
  const diff = asString(repo.diff) ?? '';
  const untracked = asNumber(repo.untracked);
  const rows: [string, React.ReactNode][] = [
    ['Commit', <code key="commit">{formatValue(repo.commit)}</code>],
    ['Branch', formatValue(repo.branch ?? '(detached)')],
    ['Remote', formatValue(repo.remote_url)],
    [
      'Dirty',
      `${formatValue(repo.dirty)}${
        untracked ? ` (${untracked} untracked files)` : ''
      }`
    ],
    ['Work tree', formatValue(repo.toplevel)]
  ];
  return (
    <>
      <KeyValueTable label={label} rows={rows} />
      {diff.length > 0 && (
        <details className="jp-xp-Details">
          <summary>
            {`Uncommitted changes${repo.diff_truncated === true ? ' (cut short)' : ''}`}
          </summary>
          <DiffView diff={diff} label={`${label}: uncommitted changes`} />
        </details>
      )}
    </>
  );
}

function Git(props: { git: RunDetail['git'] }): React.JSX.Element {
  const { git } = props;
  const repository = asRecord(git?.repository);
  const modules = asArray(git?.modules)
    .map(asRecord)
    .filter((repo): repo is Record<string, unknown> => repo !== null);
  if (repository === null && modules.length === 0) {
    return (
      <EmptyState>
        <p className="jp-xp-Muted">
          Not in a git work tree (nor were any locally imported modules).
        </p>
      </EmptyState>
    );
  }
  return (
    <>
      {repository !== null ? (
        <Repository repo={repository} label="Notebook repository" />
      ) : (
        <p className="jp-xp-Muted">The notebook is not in a git work tree.</p>
      )}
      {modules.map((repo, index) => (
        <div key={index}>
          <h4 className="jp-xp-Subheading">
            {`Repository of imported modules: ${formatValue(repo.modules_from ?? repo.toplevel)}`}
          </h4>
          <Repository repo={repo} label={`Module repository ${index + 1}`} />
        </div>
      ))}
    </>
  );
}
