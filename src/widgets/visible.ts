import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';

/** A model that polls only while a view of it can be seen. */
export interface IVisibilityAware {
  /** Whether the model's view is attached and shown. */
  visible: boolean;
}

/**
 * A ReactWidget that tells its model when it is shown or hidden, so live
 * models (the run list, a run's detail, a comparison) poll only while someone
 * can see them.
 */
export abstract class VisibleModelWidget<
  M extends IVisibilityAware
> extends ReactWidget {
  /**
   * @param model - the model this widget renders
   */
  constructor(readonly model: M) {
    super();
  }

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
