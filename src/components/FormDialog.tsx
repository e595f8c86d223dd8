// A dialog that renders a form's model (Promote, Sweep) and closes only once the server has accepted its request.
import { Dialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import type { FormModel } from '../models/form';
import { FormView, IFormView } from './FormView';
import { TranslationContext } from './translation';

/** The body of a form's dialog: renders the model; its value is what the server accepted. */
class FormBody<P, V, T>
  extends ReactWidget
  implements Dialog.IBodyWidget<T | null>
{
  constructor(
    readonly model: FormModel<P, V, object, T>,
    private readonly view: IFormView<P, V>,
    private readonly trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-xp-PromoteForm');
  }

  getValue(): T | null {
    return this.model.started;
  }

  override dispose(): void {
    this.model.dispose();
    super.dispose();
  }

  protected render(): React.JSX.Element {
    return (
      <TranslationContext.Provider value={this.trans}>
        <FormView model={this.model} view={this.view} />
      </TranslationContext.Provider>
    );
  }
}

/**
 * A dialog whose accept button submits its form and closes only once the
 * server has accepted the request; a refusal keeps it open with the reason.
 */
class FormDialog<T> extends Dialog<T | null> {
  /** The index of the accept button in the dialog's buttons. */
  static readonly ACCEPT = 1;

  constructor(
    private readonly form: FormBody<unknown, unknown, T>,
    options: IFormDialogOptions
  ) {
    super({
      title: options.title,
      body: form,
      buttons: [
        Dialog.cancelButton({ label: options.trans.__('Cancel') }),
        Dialog.okButton({ label: options.label, caption: options.caption })
      ],
      defaultButton: FormDialog.ACCEPT
    });
    this.addClass('jp-xp-PromoteDialog');
  }

  override resolve(index?: number): void {
    if ((index ?? FormDialog.ACCEPT) !== FormDialog.ACCEPT) {
      super.resolve(index);
      return;
    }
    void this.form.model.submit().then(accepted => {
      if (accepted) {
        super.resolve(FormDialog.ACCEPT);
      }
    });
  }
}

/** The dialog's title, its accept button's label and caption, and the bundle. */
export interface IFormDialogOptions {
  title: string;
  label: string;
  caption: string;
  trans: TranslationBundle;
  /** A class for the body, besides `jp-xp-PromoteForm`. */
  className?: string;
}

/**
 * Show a dialog around a form's model; the model is read ({@link
 * FormModel.load}) and disposed with the dialog.
 *
 * @param model - the form's model
 * @param view - its texts and fields
 * @param options - the title, the accept button's label and caption
 * @returns what the server answered, or `null` when the dialog was cancelled
 */
export async function showFormDialog<P, V, T>(
  model: FormModel<P, V, object, T>,
  view: IFormView<P, V>,
  options: IFormDialogOptions
): Promise<T | null> {
  const body = new FormBody(model, view, options.trans);
  if (options.className !== undefined) {
    body.addClass(options.className);
  }
  void model.load();
  const dialog = new FormDialog(body as FormBody<unknown, unknown, T>, options);
  const result = await dialog.launch();
  return result.button.accept ? result.value : null;
}
