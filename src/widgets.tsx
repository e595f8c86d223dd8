import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { CompareView } from './components/Compare';
import { RunDetailView } from './components/RunDetail';
import { runLabel } from './format';
import { xpIcon } from './icons';
import { CompareModel, RunDetailModel } from './model';
import { VisibleModelWidget } from './visible';

/**
 * The content of a run's main-area tab. Its model polls only while the tab is
 * visible, and is disposed with it.
 */
export class RunDetailWidget extends VisibleModelWidget<RunDetailModel> {
  /**
   * @param model - the run's model
   * @param serverRoot - the server's root folder
   * @param onOpenNotebook - open a notebook by its path relative to the root
   */
  constructor(
    model: RunDetailModel,
    private readonly serverRoot: string,
    private readonly onOpenNotebook: (path: string) => void
  ) {
    super(model);
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

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }

  protected render(): React.JSX.Element {
    return (
      <RunDetailView
        model={this.model}
        serverRoot={this.serverRoot}
        onOpenNotebook={this.onOpenNotebook}
      />
    );
  }

  private _setTitle(): void {
    const { run } = this.model;
    const name = run ? runLabel(run) : this.model.runId.slice(0, 8);
    this.title.label = `Run: ${name}`;
    this.title.caption = `Run ${name} (${this.model.runId})`;
  }
}

/** The content of a comparison's main-area tab. */
export class CompareWidget extends ReactWidget {
  /**
   * @param model - the comparison (disposed with the tab)
   * @param onOpenRun - open a run's detail tab
   */
  constructor(
    readonly model: CompareModel,
    private readonly onOpenRun: (runId: string) => void
  ) {
    super();
    this.addClass('jp-xp-MainArea');
    this.title.icon = xpIcon;
    this.title.closable = true;
    this.title.label = `Compare ${model.runIds.length} runs`;
    this.title.caption = `Compare runs ${model.runIds.join(', ')}`;
  }

  /** The compared run ids, in column order. */
  get runIds(): readonly string[] {
    return this.model.runIds;
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }

  protected render(): React.JSX.Element {
    return <CompareView model={this.model} onOpenRun={this.onOpenRun} />;
  }
}
