// A comparison's main-area view: two or more runs side by side, differences only by default.
import { Signal } from '@lumino/signaling';
import React from 'react';

import type { CompareBody, MetricRow, ValueRow } from '../../api/types';
import { runLabel } from '../../format';
import { CompareModel } from '../../models/compare';
import { Button, ErrorState, Loading, Section } from '../common';
import { LineChart } from '../LineChart';
import {
  CellDiffs,
  MetricTable,
  PackageTable,
  RunsHeader,
  ValueTable
} from './CompareTables';
import { PairedTests } from './PairedTests';
import { SeedGroups } from './SeedGroups';

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
        {values('Parameters', 'parameter', body.params)}
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
        {values('Hardware', 'hardware', body.hardware)}
        {values('Git', 'git', body.git)}
        {values('Environment', 'environment', body.environment)}
        <Section title="Executed code">
          <CellDiffs body={body} showAll={showAll} />
        </Section>
        <Section title="Seed groups">
          <SeedGroups body={body} />
          <PairedTests body={body} />
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
