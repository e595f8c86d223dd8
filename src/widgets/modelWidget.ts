// The base widgets of the panel and the tabs: each renders one model, disposed with it; live models poll only while shown.
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import React from 'react';

import { bundleOf, TranslationContext } from '../components/translation';
import { Model, PollingModel } from '../models/base';

/**
 * A ReactWidget that renders one model and disposes it with itself; the
 * components below it translate their strings with its bundle.
 */
export abstract class ModelWidget<M extends Model> extends ReactWidget {
  /**
   * @param model - the model this widget renders (disposed with it)
   * @param trans - the translation bundle (the strings as written without one)
   */
  constructor(
    readonly model: M,
    protected readonly trans: TranslationBundle = bundleOf(null)
  ) {
    super();
  }

  protected render(): React.JSX.Element {
    return React.createElement(
      TranslationContext.Provider,
      { value: this.trans },
      this.renderModel()
    );
  }

  /** The model's view. */
  protected abstract renderModel(): React.JSX.Element;

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }
}

/**
 * A {@link ModelWidget} that tells its model when it is shown or hidden, so
 * live models (the run list, a run's detail, the promotions) poll only while
 * someone can see them.
 */
export abstract class VisibleModelWidget<
  M extends PollingModel
> extends ModelWidget<M> {
  protected override onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.visible = this.isVisible;
  }

  protected override onBeforeDetach(msg: Message): void {
    this.model.visible = false;
    super.onBeforeDetach(msg);
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.visible = true;
  }

  protected override onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.visible = false;
  }
}
