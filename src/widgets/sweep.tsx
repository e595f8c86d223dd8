// The main-area tabs of sweeps: one sweep's view, and the list of every sweep.
import type { TranslationBundle } from '@jupyterlab/translation';
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
   * @param trans - the translation bundle
   */
  constructor(
    model: SweepDetailModel,
    private readonly onOpenRun: (runId: string) => void,
    trans?: TranslationBundle
  ) {
    super(model, trans);
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

  protected renderModel(): React.JSX.Element {
    return <SweepView model={this.model} onOpenRun={this.onOpenRun} />;
  }

  private _setTitle(): void {
    const { sweep } = this.model;
    const name = sweep?.study ?? this.model.sweepId.slice(0, 8);
    this.title.label = this.trans.__('Sweep: %1', name);
    this.title.caption = this.trans.__(
      'Sweep %1 (%2)',
      name,
      this.model.sweepId
    );
  }
}

/** The Sweeps tab: every sweep, newest first, with its state and best value. */
export class SweepsWidget extends VisibleModelWidget<SweepListModel> {
  /**
   * @param model - every sweep (disposed with the tab)
   * @param onOpenSweep - open a sweep's tab
   * @param trans - the translation bundle
   */
  constructor(
    model: SweepListModel,
    private readonly onOpenSweep: (sweepId: string) => void,
    trans?: TranslationBundle
  ) {
    super(model, trans);
    this.addClass('jp-xp-MainArea');
    this.title.icon = xpIcon;
    this.title.closable = true;
    this.title.label = this.trans.__('Sweeps');
    this.title.caption = this.trans.__(
      'Sweeps: their state, objective and best value'
    );
  }

  protected renderModel(): React.JSX.Element {
    return <SweepList model={this.model} onOpenSweep={this.onOpenSweep} />;
  }
}
