// A comparison's main-area view: two or more runs side by side, differences only by default.
import React, { useId, useState } from 'react';

import type { MetricRow, ValueRow } from '../../models/types';
import { CompareModel } from '../../models/compare';
import { Button, ErrorState, Loading, Section } from '../common';
import { LineChart } from '../LineChart';
import { BandKind, groupSeries, unevenSteps } from './bands';
import {
  CellDiffs,
  MetricTable,
  PackageTable,
  RunsHeader,
  ValueTable
} from './CompareTables';
import { GatePanel } from './Gate';
import { PairedTests } from './PairedTests';
import { SeedGroups } from './SeedGroups';
import { useModel } from '../useModel';
import { useTrans } from '../translation';

/** Props of {@link CompareView}. */
export interface ICompareViewProps {
  model: CompareModel;
  /** Open a run's detail tab. */
  onOpenRun: (runId: string) => void;
}

/** What each band shows, as the chart's description and the caption say it. */
const BAND_LABELS: Record<BandKind, string> = {
  std: 'mean ± std',
  ci: '95% t interval of the mean'
};

/** The band's choice (std or interval) and "Show individual runs". */
function CurveControls(props: {
  band: BandKind;
  onBand: (band: BandKind) => void;
  showRuns: boolean;
  onShowRuns: (showRuns: boolean) => void;
}): React.JSX.Element {
  const { band, showRuns } = props;
  // The band radios' group name: one per tab, as two comparisons may be open.
  const group = useId();
  return (
    <div className="jp-xp-Compare-toolbar">
      <span className="jp-xp-Muted">
        Curves: each seed group&apos;s mean over its runs at each step; shaded:
      </span>
      {(['std', 'ci'] as const).map(kind => (
        <label key={kind} className="jp-xp-Label">
          <input
            type="radio"
            name={group}
            checked={band === kind}
            onChange={() => props.onBand(kind)}
          />
          {kind === 'std' ? '± std' : '95% interval'}
        </label>
      ))}
      <label className="jp-xp-Label">
        <input
          type="checkbox"
          checked={showRuns}
          onChange={event => props.onShowRuns(event.currentTarget.checked)}
        />
        Show individual runs
      </label>
    </div>
  );
}

/** The prefix of the params that hold a seed component: `seed.data`. */
const SEED_COMPONENT = 'seed.';

/**
 * "Hold seed component": group the runs by one seed component too (the
 * components the compared runs record, `xp.seed(NAME)`), so each group's
 * spread is the other components' noise. Nothing when no run records one.
 */
function HoldSeed(props: {
  model: CompareModel;
  params: readonly ValueRow[];
}): React.JSX.Element | null {
  const { model } = props;
  const trans = useTrans();
  const id = useId();
  const components = props.params
    .filter(row => row.key.startsWith(SEED_COMPONENT))
    .map(row => row.key.slice(SEED_COMPONENT.length));
  if (components.length === 0) {
    return null;
  }
  return (
    <div className="jp-xp-Compare-toolbar">
      <label className="jp-xp-Label" htmlFor={id}>
        {trans.__('Hold seed component')}
      </label>
      <select
        id={id}
        value={model.holdSeed ?? ''}
        onChange={event => model.setHoldSeed(event.currentTarget.value || null)}
      >
        <option value="">{trans.__('none')}</option>
        {components.map(name => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      <span className="jp-xp-Muted">
        {trans.__(
          "Held: the groups split by that seed too, so each group's spread is the other components' noise."
        )}
      </span>
    </div>
  );
}

/** One metric's curves, a mean per seed group with its band. */
function Curves(props: {
  model: CompareModel;
  row: MetricRow;
  band: BandKind;
  showRuns: boolean;
}): React.JSX.Element {
  const { row, band } = props;
  const trans = useTrans();
  const curves = props.model.curves(row.key);
  let content: React.ReactNode;
  switch (curves.kind) {
    case 'loading':
      content = <Loading what={trans.__('Loading the curves…')} />;
      break;
    case 'failed':
      content = <p className="jp-xp-Error">{curves.message}</p>;
      break;
    case 'ready': {
      const spread = unevenSteps(curves.value);
      content = (
        <>
          <LineChart
            title={row.key}
            series={groupSeries(curves.value, band, props.showRuns)}
            bandLabel={BAND_LABELS[band]}
          />
          {spread !== null && (
            <p className="jp-xp-Muted">
              {`Runs logged different steps: each point is the mean of the ${spread[0]} to ${spread[1]} runs that logged that step.`}
            </p>
          )}
        </>
      );
      break;
    }
  }
  return (
    <div key={row.key} className="jp-xp-Compare-chart">
      <h4 className="jp-xp-Subheading">{row.key}</h4>
      {content}
    </div>
  );
}

/**
 * Two or more runs side by side: params, metrics (table and overlaid curves),
 * packages, hardware, git, environment, executed code, and seed statistics.
 * Only differences are shown until "Show all" is ticked.
 */
export function CompareView(props: ICompareViewProps): React.JSX.Element {
  const { model } = props;
  useModel(model);
  const trans = useTrans();
  const [showAll, setShowAll] = useState(false);
  const [band, setBand] = useState<BandKind>('std');
  const [showRuns, setShowRuns] = useState(false);
  const { state } = model;
  if (state.kind === 'loading') {
    return (
      <div className="jp-xp-Compare">
        <Loading what={trans.__('Comparing the runs…')} />
      </div>
    );
  }
  if (state.kind === 'failed') {
    return (
      <div className="jp-xp-Compare">
        <ErrorState
          what={trans.__('Could not compare the runs')}
          message={state.message}
          onRetry={() => void model.refresh()}
        />
      </div>
    );
  }
  const body = state.value;
  const metrics = showAll
    ? body.metrics
    : body.metrics.filter(row => row.differs);
  /** A section of values compared run by run. */
  const values = (
    title: string,
    what: string,
    rows: readonly ValueRow[]
  ): React.JSX.Element => (
    <Section title={title}>
      <ValueTable
        label={title}
        rows={rows}
        runs={body.runs}
        showAll={showAll}
        what={what}
      />
    </Section>
  );
  return (
    <div className="jp-xp-Compare">
      <div className="jp-xp-Compare-toolbar">
        <h2 className="jp-xp-Compare-title">
          {trans.__('Comparing %1 runs', body.runs.length)}
        </h2>
        <label className="jp-xp-Label">
          <input
            type="checkbox"
            checked={showAll}
            onChange={event => setShowAll(event.currentTarget.checked)}
          />
          {trans.__('Show all')}
        </label>
        <span className="jp-xp-Muted">
          {showAll
            ? trans.__('Rows that differ are highlighted.')
            : trans.__('Differences only.')}
        </span>
        <Button onClick={() => void model.refresh()}>
          {trans.__('Refresh')}
        </Button>
      </div>
      <RunsHeader runs={body.runs} onOpenRun={props.onOpenRun} />
      {values(trans.__('Parameters'), 'parameter', body.params)}
      <Section title={trans.__('Metrics')}>
        <MetricTable rows={metrics} runs={body.runs} showAll={showAll} />
        <CurveControls
          band={band}
          onBand={setBand}
          showRuns={showRuns}
          onShowRuns={setShowRuns}
        />
        <div className="jp-xp-Compare-charts">
          {metrics.map(row => (
            <Curves
              key={row.key}
              model={model}
              row={row}
              band={band}
              showRuns={showRuns}
            />
          ))}
        </div>
      </Section>
      <Section title={trans.__('Packages')}>
        <PackageTable rows={body.packages} runs={body.runs} showAll={showAll} />
      </Section>
      {values(trans.__('Hardware'), 'hardware', body.hardware)}
      {values(trans.__('Git'), 'git', body.git)}
      {values(trans.__('Environment'), 'environment', body.environment)}
      <Section title={trans.__('Executed code')}>
        <CellDiffs body={body} showAll={showAll} />
      </Section>
      <Section title={trans.__('Seed groups')}>
        <HoldSeed model={model} params={body.params} />
        <SeedGroups body={body} />
        <PairedTests body={body} />
      </Section>
      <Section title={trans.__('Gate')}>
        <GatePanel model={model.gate} body={body} />
      </Section>
    </div>
  );
}
