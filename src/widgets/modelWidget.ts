// The base widgets of the panel and the tabs: each renders one model, disposed with it; live models poll only while shown.
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';

import { Model, PollingModel } from '../models/base';

/** A ReactWidget that renders one model and disposes it with itself. */
export abstract class ModelWidget<M extends Model> extends ReactWidget {
  /**
   * @param model - the model this widget renders (disposed with it)
   */
  constructor(readonly model: M) {
    super();
  }

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
