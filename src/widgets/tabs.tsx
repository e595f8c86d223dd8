// The main-area tabs: a run's detail, a comparison, and the Promotions tab.
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import type { RunDetail } from '../api/types';
import { CompareView } from '../components/compare/Compare';
import { PromotionListView } from '../components/Promotion';
import { RunDetailView } from '../components/runDetail/RunDetail';
import { runLabel } from '../format';
import { xpIcon } from '../icons';
import { CompareModel } from '../models/compare';
import { PromotionsModel } from '../models/promotions';
import { RunDetailModel } from '../models/runDetail';
import { ModelWidget, VisibleModelWidget } from './modelWidget';

/** What the links and buttons of a run's tab do. */
export interface IRunDetailActions {
  /** Open a notebook by its path relative to the server root. */
  onOpenNotebook: (path: string) => void;
  /** Open another run's tab. */
  onOpenRun: (runId: string) => void;
  /** Open the Promote dialog for the run. */
  onPromote: (run: RunDetail) => void;
  /** Open the Sweep dialog for the run. */
  onSweep?: (run: RunDetail) => void;
  /** Open a sweep's tab. */
  onOpenSweep?: (sweepId: string) => void;
}

/**
 * The content of a run's main-area tab. Its model polls only while the tab is
 * visible, and is disposed with it.
 */
export class RunDetailWidget extends VisibleModelWidget<RunDetailModel> {
  /**
   * @param model - the run's model
   * @param serverRoot - the server's root folder
   * @param actions - what the tab's links and buttons do
   * @param rendermime - renders the run's note (Markdown, sanitized)
   * @param trans - the translation bundle
   */
  constructor(
    model: RunDetailModel,
    private readonly serverRoot: string,
    private readonly actions: IRunDetailActions,
    private readonly rendermime: IRenderMimeRegistry | null = null,
    trans?: TranslationBundle
  ) {
    super(model, trans);
    this.addClass('jp-xp-MainArea');
    this.title.icon = xpIcon;
    this.title.closable = true;
    this._setTitle();
    model.changed.connect(this._setTitle, this);
  }

  /** The MLflow id of the run shown. */
  get runId(): string {
    return this.model.runId;
  }

  protected renderModel(): React.JSX.Element {
    return (
      <RunDetailView
        model={this.model}
        serverRoot={this.serverRoot}
        onOpenNotebook={this.actions.onOpenNotebook}
        onOpenRun={this.actions.onOpenRun}
        onPromote={this.actions.onPromote}
        onSweep={this.actions.onSweep}
        onOpenSweep={this.actions.onOpenSweep}
        rendermime={this.rendermime}
      />
    );
  }

  private _setTitle(): void {
    const { run } = this.model;
    const name = run ? runLabel(run) : this.model.runId.slice(0, 8);
    this.title.label = this.trans.__('Run: %1', name);
    this.title.caption = this.trans.__('Run %1 (%2)', name, this.model.runId);
  }
}

/** The content of a comparison's main-area tab. */
export class CompareWidget extends ModelWidget<CompareModel> {
  /**
   * @param model - the comparison (disposed with the tab)
   * @param onOpenRun - open a run's detail tab
   * @param trans - the translation bundle
   */
  constructor(
    model: CompareModel,
    private readonly onOpenRun: (runId: string) => void,
    trans?: TranslationBundle
  ) {
    super(model, trans);
    this.addClass('jp-xp-MainArea');
    this.title.icon = xpIcon;
    this.title.closable = true;
    this.title.label = this.trans.__('Compare %1 runs', model.runIds.length);
    this.title.caption = this.trans.__(
      'Compare runs %1',
      model.runIds.join(', ')
    );
  }

  /** The compared run ids, in column order. */
  get runIds(): readonly string[] {
    return this.model.runIds;
  }

  protected renderModel(): React.JSX.Element {
    return <CompareView model={this.model} onOpenRun={this.onOpenRun} />;
  }
}

/**
 * The Promotions tab: every promotion job, newest first, with its progress.
 * It shows the promotions of notebooks that have no recorded run (those of a
 * run show in the run's tab too).
 */
export class PromotionsWidget extends VisibleModelWidget<PromotionsModel> {
  /**
   * @param model - all promotions (disposed with the tab)
   * @param onOpenRun - open a run's detail tab
   * @param trans - the translation bundle
   */
  constructor(
    model: PromotionsModel,
    private readonly onOpenRun: (runId: string) => void,
    trans?: TranslationBundle
  ) {
    super(model, trans);
    this.addClass('jp-xp-MainArea');
    this.title.icon = xpIcon;
    this.title.closable = true;
    this.title.label = this.trans.__('Promotions');
    this.title.caption = this.trans.__(
      'Promotion jobs: progress, promoted runs and verdicts'
    );
  }

  protected renderModel(): React.JSX.Element {
    return (
      <div className="jp-xp-Detail">
        <h2 className="jp-xp-DetailHeader-title">
          {this.trans.__('Promotions')}
        </h2>
        <PromotionListView
          model={this.model}
          onOpenRun={this.onOpenRun}
          empty={
            <p className="jp-xp-Muted">
              {this.trans.__(
                'No promotions yet. Click Promote in a run’s tab or a notebook’s toolbar.'
              )}
            </p>
          }
        />
      </div>
    );
  }
}
