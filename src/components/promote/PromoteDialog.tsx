// The Promote dialog: pre-filled from the server's plan, it starts a promotion and shows why the server refused one.
import { Dialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import type { PromotePlan, Promotion } from '../../api/types';
import { errorMessage, PromoteSource, XpClient } from '../../api/client';
import { LoadState } from '../../models/base';
import { ErrorState, Loading } from '../common';
import { buildRequest, initialValues, IPromoteFormValues } from './formValues';
import { PromoteFields } from './PromoteFields';

/**
 * The Promote dialog: pre-filled from `GET promote-plan`, it starts a
 * promotion with `POST promotions` and stays open when the server refuses the
 * request, showing why.
 */

/** Gives each dialog's inputs ids of their own, for their labels. */
let formCount = 0;

/**
 * The dialog's body: loads the plan, holds the edited values and sends the
 * request. The dialog asks it to {@link submit} when Promote is pressed.
 */
export class PromoteForm
  extends ReactWidget
  implements Dialog.IBodyWidget<Promotion | null>
{
  /**
   * @param client - the REST client
   * @param source - the run or notebook to promote
   * @param sourceLabel - how the source is named to the user
   */
  constructor(
    private readonly client: XpClient,
    private readonly source: PromoteSource,
    private readonly sourceLabel: string
  ) {
    super();
    this.addClass('jp-xp-PromoteForm');
    formCount += 1;
    this._idPrefix = `jp-xp-promote-${formCount}`;
    void this._loadPlan();
  }

  /** The promotion this dialog started, once it has. */
  getValue(): Promotion | null {
    return this._started;
  }

  /**
   * Send the request. Resolves `true` once the server has started the
   * promotion; `false` when it refused (its message is then shown in the
   * form), when the form has nothing to send yet, or a request is on its way.
   */
  async submit(): Promise<boolean> {
    if (this._started !== null) {
      return true;
    }
    if (this._plan.kind !== 'ready' || this._values === null || this._busy) {
      return false;
    }
    const request = buildRequest(this._plan.value, this.source, this._values);
    if (typeof request === 'string') {
      this._error = request;
      this.update();
      return false;
    }
    this._busy = true;
    this._error = null;
    this.update();
    try {
      this._started = await this.client.promote(request);
      return true;
    } catch (error) {
      this._error = errorMessage(error);
      return false;
    } finally {
      this._busy = false;
      this.update();
    }
  }

  protected render(): React.JSX.Element {
    const plan = this._plan;
    switch (plan.kind) {
      case 'loading':
        return <Loading what="Reading what to promote…" />;
      case 'failed':
        return (
          <ErrorState
            what={`Cannot promote ${this.sourceLabel}`}
            message={plan.message}
            onRetry={() => void this._loadPlan()}
          />
        );
      case 'ready':
        return (
          <PromoteFields
            idPrefix={this._idPrefix}
            plan={plan.value}
            source={this.source}
            sourceLabel={this.sourceLabel}
            values={this._values ?? initialValues(plan.value)}
            onChange={values => {
              this._values = values;
              this._error = null;
              this.update();
            }}
            busy={this._busy}
            error={this._error}
          />
        );
    }
  }

  private async _loadPlan(): Promise<void> {
    this._plan = { kind: 'loading' };
    this.update();
    try {
      const plan = await this.client.promotePlan(this.source);
      this._plan = { kind: 'ready', value: plan };
      this._values = initialValues(plan);
    } catch (error) {
      this._plan = { kind: 'failed', message: errorMessage(error) };
    }
    this.update();
  }

  private readonly _idPrefix: string;
  private _plan: LoadState<PromotePlan> = { kind: 'loading' };
  private _values: IPromoteFormValues | null = null;
  private _busy = false;
  private _error: string | null = null;
  private _started: Promotion | null = null;
}

/**
 * The Promote dialog. Pressing Promote (or Enter) sends the request and
 * closes the dialog only once the server has started the promotion; a
 * refusal keeps it open with the server's message.
 */
class PromoteDialog extends Dialog<Promotion | null> {
  /** The index of the Promote button in the dialog's buttons. */
  static readonly PROMOTE = 1;

  constructor(
    private readonly form: PromoteForm,
    title: string
  ) {
    super({
      title,
      body: form,
      buttons: [
        Dialog.cancelButton(),
        Dialog.okButton({
          label: 'Promote',
          caption:
            'Replay the source as a parameterized, tracked job and verify it'
        })
      ],
      defaultButton: PromoteDialog.PROMOTE
    });
    this.addClass('jp-xp-PromoteDialog');
  }

  override resolve(index?: number): void {
    if ((index ?? PromoteDialog.PROMOTE) !== PromoteDialog.PROMOTE) {
      super.resolve(index);
      return;
    }
    void this.form.submit().then(started => {
      if (started) {
        super.resolve(PromoteDialog.PROMOTE);
      }
    });
  }
}

/**
 * Show the Promote dialog for a run or a notebook.
 *
 * @param client - the REST client
 * @param source - the run or notebook (path relative to the server root)
 * @param sourceLabel - how the source is named to the user
 * @returns the promotion the dialog started, or `null` when it was cancelled
 */
export async function showPromoteDialog(
  client: XpClient,
  source: PromoteSource,
  sourceLabel: string
): Promise<Promotion | null> {
  const form = new PromoteForm(client, source, sourceLabel);
  const dialog = new PromoteDialog(form, `Promote ${sourceLabel}`);
  const result = await dialog.launch();
  return result.button.accept ? result.value : null;
}
