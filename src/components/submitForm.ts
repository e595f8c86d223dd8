// A dialog body that sends one request (Promote, Sweep), and the dialog that closes only once the server has accepted it.
import { Dialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';

import { errorMessage } from '../api/client';

/**
 * A form that sends one request. Its {@link submit} checks the values
 * ({@link buildRequest}), sends them ({@link send}) and keeps the server's
 * refusal as {@link error}, shown by the subclass' `render`.
 *
 * @typeParam R - the request body
 * @typeParam T - what the server answers when it accepts the request
 */
export abstract class SubmitForm<R extends object, T>
  extends ReactWidget
  implements Dialog.IBodyWidget<T | null>
{
  /** What the server answered once it accepted the request. */
  getValue(): T | null {
    return this.started;
  }

  /**
   * Send the request. Resolves `true` once the server has accepted it;
   * `false` when a value is wrong or the server refused (the one-line reason
   * is then {@link error}), when there is nothing to send yet, or a request
   * is on its way.
   */
  async submit(): Promise<boolean> {
    if (this.started !== null) {
      return true;
    }
    if (this.busy) {
      return false;
    }
    const request = this.buildRequest();
    if (request === null) {
      return false;
    }
    if (typeof request === 'string') {
      this.error = request;
      this.update();
      return false;
    }
    this.busy = true;
    this.error = null;
    this.update();
    try {
      this.started = await this.send(request);
      return true;
    } catch (error) {
      this.error = errorMessage(error);
      return false;
    } finally {
      this.busy = false;
      this.update();
    }
  }

  /** The request, one line saying what to fix, or `null` (nothing to send yet). */
  protected abstract buildRequest(): R | string | null;

  /** Send the request; rejects with the server's refusal. */
  protected abstract send(request: R): Promise<T>;

  /** Whether the request is on its way. */
  protected busy = false;
  /** What to fix, or why the server refused; `null` if nothing. */
  protected error: string | null = null;
  private started: T | null = null;
}

/**
 * A dialog whose accept button submits its form and closes only once the
 * server has accepted the request; a refusal keeps it open with the reason.
 */
class SubmitDialog<T> extends Dialog<T | null> {
  /** The index of the accept button in the dialog's buttons. */
  static readonly ACCEPT = 1;

  constructor(
    private readonly form: SubmitForm<object, T>,
    options: { title: string; label: string; caption: string }
  ) {
    super({
      title: options.title,
      body: form,
      buttons: [
        Dialog.cancelButton(),
        Dialog.okButton({ label: options.label, caption: options.caption })
      ],
      defaultButton: SubmitDialog.ACCEPT
    });
    this.addClass('jp-xp-PromoteDialog');
  }

  override resolve(index?: number): void {
    if ((index ?? SubmitDialog.ACCEPT) !== SubmitDialog.ACCEPT) {
      super.resolve(index);
      return;
    }
    void this.form.submit().then(accepted => {
      if (accepted) {
        super.resolve(SubmitDialog.ACCEPT);
      }
    });
  }
}

/**
 * Show a dialog around `form`.
 *
 * @param form - the dialog's body
 * @param options - the title, and the accept button's label and caption
 * @returns what the server answered, or `null` when the dialog was cancelled
 */
export async function showSubmitDialog<T>(
  form: SubmitForm<object, T>,
  options: { title: string; label: string; caption: string }
): Promise<T | null> {
  const result = await new SubmitDialog(form, options).launch();
  return result.button.accept ? result.value : null;
}
