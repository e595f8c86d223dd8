// The main-area tabs of sweeps: one sweep's view, and the list of every sweep.
import React from 'react';

import { SweepList } from '../components/sweep/SweepList';
import { SweepView } from '../components/sweep/SweepView';
import { xpIcon } from '../icons';
import { SweepDetailModel, SweepListModel } from '../models/sweeps';
import { VisibleModelWidget } from './modelWidget';

/**
 * A sweep's tab. Its model polls while the tab is visible and the sweep is
 * running, and is disposed with it.
 */
export class SweepWidget extends VisibleModelWidget<SweepDetailModel> {
  /**
   * @param model - the sweep's model
   * @param onOpenRun - open a run's tab (a trial's, the source's)
   */
  constructor(
    model: SweepDetailModel,
    private readonly onOpenRun: (runId: string) => void
  ) {
    super(model);
    this.addClass('jp-xp-MainArea');
    this.title.icon = xpIcon;
    this.title.closable = true;
    this._setTitle();
    model.changed.connect(this._setTitle, this);
  }

  /** The sweep's parent run id. */
  get sweepId(): string {
    return this.model.sweepId;
  }

  protected render(): React.JSX.Element {
    return <SweepView model={this.model} onOpenRun={this.onOpenRun} />;
  }

  private _setTitle(): void {
    const { sweep } = this.model;
    const name = sweep?.study ?? this.model.sweepId.slice(0, 8);
    this.title.label = `Sweep: ${name}`;
    this.title.caption = `Sweep ${name} (${this.model.sweepId})`;
  }
}

/** The Sweeps tab: every sweep, newest first, with its state and best value. */
export class SweepsWidget extends VisibleModelWidget<SweepListModel> {
  /**
   * @param model - every sweep (disposed with the tab)
   * @param onOpenSweep - open a sweep's tab
   */
  constructor(
    model: SweepListModel,
    private readonly onOpenSweep: (sweepId: string) => void
  ) {
    super(model);
    this.addClass('jp-xp-MainArea');
    this.title.icon = xpIcon;
    this.title.closable = true;
    this.title.label = 'Sweeps';
    this.title.caption = 'Sweeps: their state, objective and best value';
  }

  protected render(): React.JSX.Element {
    return <SweepList model={this.model} onOpenSweep={this.onOpenSweep} />;
  }
}
