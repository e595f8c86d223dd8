// A sweep's main-area view: its state and Cancel, best trial, charts, parameter importance and trials.
import React, { useState } from 'react';

import type { SweepDetail } from '../../models/types';
import { SweepDetailModel } from '../../models/sweeps';
import {
  Badge,
  Button,
  ErrorState,
  KeyValueTable,
  Loading,
  Section
} from '../common';
import { RunLink } from '../runDetail/Reproduction';
import { BestTrial } from './BestTrial';
import { Importance } from './Importance';
import { ObjectiveChart } from './ObjectiveChart';
import { ParallelCoordinates } from './ParallelCoordinates';
import { TrialsTable } from './TrialsTable';
import { useModel } from '../useModel';
import { useTrans } from '../translation';

const STATE_TONES: Record<string, 'ok' | 'error' | 'warn' | 'info' | 'muted'> =
  {
    running: 'info',
    finished: 'ok',
    stopped: 'error',
    cancelled: 'warn',
    failed: 'error'
  };

/** Which chart is shown. */
type ChartKind = 'objective' | 'parallel';

/** How many trials ended in each state: `2 complete, 1 running of 20`. */
function progress(sweep: SweepDetail): string {
  const counts = Object.entries(sweep.counts)
    .map(([state, n]) => `${n} ${state.toLowerCase()}`)
    .join(', ');
  return `${counts || 'none yet'} (of ${sweep.trials_target})`;
}

/** The sweep's facts, state and Cancel. */
function SweepHeader(props: {
  model: SweepDetailModel;
  sweep: SweepDetail;
  onOpenRun: (runId: string) => void;
}): React.JSX.Element {
  const { model, sweep, onOpenRun } = props;
  const state = sweep.state ?? 'unknown';
  const rows: [string, React.ReactNode][] = [
    ['Study', <code key="study">{sweep.study}</code>],
    ['Objective', `${sweep.objective} (${sweep.direction})`],
    ['Trials', progress(sweep)],
    ['Sampler', sweep.sampler],
    ['Pruner', sweep.pruner],
    ['Seed', sweep.seed],
    ['Storage', <code key="storage">{sweep.storage}</code>]
  ];
  if (sweep.source_run_id !== null) {
    rows.push([
      'Source run',
      <RunLink key="source" runId={sweep.source_run_id} onOpenRun={onOpenRun} />
    ]);
  }
  rows.push([
    'Sweep run',
    <RunLink key="run" runId={sweep.run_id} onOpenRun={onOpenRun} />
  ]);
  return (
    <header className="jp-xp-DetailHeader">
      <div className="jp-xp-DetailHeader-bar">
        <h2 className="jp-xp-DetailHeader-title">
          <span>{`Sweep ${sweep.study}`}</span>
          <Badge label={state} tone={STATE_TONES[state] ?? 'muted'} />
        </h2>
        {model.running && (
          <Button
            title="Stop the workers; running trials end FAIL and their runs KILLED (what they logged is kept)"
            disabled={model.cancelling}
            onClick={() => void model.cancel()}
          >
            {model.cancelling ? 'Cancelling…' : 'Cancel'}
          </Button>
        )}
      </div>
      {sweep.stopped !== null && (
        <div className="jp-xp-Died" role="alert">
          <strong>Stopped:</strong> {sweep.stopped}
        </div>
      )}
      {model.cancelError !== null && (
        <p className="jp-xp-PromoteForm-error" role="alert">
          Could not cancel: {model.cancelError}
        </p>
      )}
      <KeyValueTable label="Sweep" rows={rows} />
    </header>
  );
}

/** The objective over trials or the parallel coordinates, one at a time. */
function Charts(props: {
  sweep: SweepDetail;
  chart: ChartKind;
  onChart: (chart: ChartKind) => void;
}): React.JSX.Element {
  const { sweep, chart, onChart } = props;
  const choice = (kind: ChartKind, label: string): React.JSX.Element => (
    <Button
      aria-pressed={chart === kind}
      primary={chart === kind}
      onClick={() => onChart(kind)}
    >
      {label}
    </Button>
  );
  return (
    <>
      <div className="jp-xp-ChartSwitch" role="group" aria-label="Chart">
        {choice('objective', 'Objective over trials')}
        {choice('parallel', 'Parallel coordinates')}
      </div>
      {chart === 'objective' ? (
        <ObjectiveChart sweep={sweep} />
      ) : (
        <ParallelCoordinates sweep={sweep} />
      )}
    </>
  );
}

/** Props of {@link SweepView}. */
export interface ISweepViewProps {
  model: SweepDetailModel;
  /** Open a run's tab (a trial's, the source's). */
  onOpenRun: (runId: string) => void;
}

/**
 * A sweep as its trials arrive: state and Cancel, best trial, the objective
 * over trials or the parallel coordinates, parameter importance and every
 * trial.
 */
export function SweepView(props: ISweepViewProps): React.JSX.Element {
  const { model, onOpenRun } = props;
  useModel(model);
  const trans = useTrans();
  const [chart, setChart] = useState<ChartKind>('objective');
  const { sweep, error } = model;
  const failed =
    error !== null ? (
      <ErrorState
        what={
          sweep === null
            ? `Could not read sweep ${model.sweepId}`
            : 'Could not refresh the sweep'
        }
        message={error}
        onRetry={() => model.refresh()}
        retrying={model.retrying}
      />
    ) : null;
  if (sweep === null) {
    return (
      <div className="jp-xp-Detail">
        {failed ?? <Loading what={trans.__('Loading the sweep…')} />}
      </div>
    );
  }
  return (
    <div className="jp-xp-Detail jp-xp-Sweep">
      {failed}
      <SweepHeader model={model} sweep={sweep} onOpenRun={onOpenRun} />
      <Section title={trans.__('Best trial')}>
        <BestTrial sweep={sweep} onOpenRun={onOpenRun} />
      </Section>
      <Section title={trans.__('Charts')}>
        <Charts sweep={sweep} chart={chart} onChart={setChart} />
      </Section>
      <Section
        title={trans.__('Parameter importance')}
        note={trans.__('fANOVA')}
      >
        <Importance importance={sweep.importance} />
      </Section>
      <Section title={trans.__('Trials')}>
        <TrialsTable sweep={sweep} onOpenRun={onOpenRun} />
      </Section>
    </div>
  );
}
