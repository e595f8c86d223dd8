// The Sweep dialog: a run's parameters pre-filled as a search space; it starts a sweep and shows why the server refused one.
import { Dialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import type { SweepDetail } from '../../api/types';
import { errorMessage, XpClient } from '../../api/client';
import { LoadState } from '../../models/base';
import { ErrorState, Loading } from '../common';
import {
  buildSweepRequest,
  initialSweepValues,
  ISweepFormValues
} from './sweepForm';
import { SweepFields } from './SweepFields';

/** Gives each dialog's inputs ids of their own, for their labels. */
let formCount = 0;

/** What the form is filled from: the source's parameters and metrics. */
interface ISweepSource {
  params: Record<string, unknown>;
  metrics: string[];
}

/**
 * The dialog's body: reads the source's parameters (the Promote plan's: what
 * the parameters cell defines) and metrics, holds the edited values and sends
 * `POST sweeps`.
 */
export class SweepForm
  extends ReactWidget
  implements Dialog.IBodyWidget<SweepDetail | null>
{
  /**
   * @param client - the REST client
   * @param runId - the source run
   * @param sourceLabel - how the run is named to the user
   */
  constructor(
    private readonly client: XpClient,
    private readonly runId: string,
    private readonly sourceLabel: string
  ) {
    super();
    this.addClass('jp-xp-PromoteForm');
    this.addClass('jp-xp-SweepForm');
    formCount += 1;
    this._idPrefix = `jp-xp-sweep-${formCount}`;
    void this._load();
  }

  /** The sweep this dialog started, once it has. */
  getValue(): SweepDetail | null {
    return this._started;
  }

  /**
   * Check the values and send the request. Resolves `true` once the server
   * has started the sweep; `false` when a value is wrong or the server
   * refused (the one-line reason is then shown in the form).
   */
  async submit(): Promise<boolean> {
    if (this._started !== null) {
      return true;
    }
    if (this._values === null || this._busy) {
      return false;
    }
    const request = buildSweepRequest(this.runId, this._values);
    if (typeof request === 'string') {
      this._error = request;
      this.update();
      return false;
    }
    this._busy = true;
    this._error = null;
    this.update();
    try {
      this._started = await this.client.startSweep(request);
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
    const source = this._source;
    switch (source.kind) {
      case 'loading':
        return <Loading what="Reading the run’s parameters and metrics…" />;
      case 'failed':
        return (
          <ErrorState
            what={`Cannot sweep ${this.sourceLabel}`}
            message={source.message}
            onRetry={() => void this._load()}
          />
        );
      case 'ready':
        return (
          <SweepFields
            idPrefix={this._idPrefix}
            sourceLabel={this.sourceLabel}
            runId={this.runId}
            metrics={source.value.metrics}
            values={
              this._values ??
              initialSweepValues(source.value.params, source.value.metrics)
            }
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

  private async _load(): Promise<void> {
    this._source = { kind: 'loading' };
    this.update();
    try {
      const [plan, run] = await Promise.all([
        this.client.promotePlan({ runId: this.runId }),
        this.client.run(this.runId)
      ]);
      const value = {
        params: plan.params,
        metrics: Object.keys(run.metrics)
      };
      this._source = { kind: 'ready', value };
      this._values = initialSweepValues(value.params, value.metrics);
    } catch (error) {
      this._source = { kind: 'failed', message: errorMessage(error) };
    }
    this.update();
  }

  private readonly _idPrefix: string;
  private _source: LoadState<ISweepSource> = { kind: 'loading' };
  private _values: ISweepFormValues | null = null;
  private _busy = false;
  private _error: string | null = null;
  private _started: SweepDetail | null = null;
}

/**
 * The Sweep dialog. Pressing Start sweep (or Enter) checks and sends the
 * request, and closes the dialog only once the server has started the sweep.
 */
class SweepDialog extends Dialog<SweepDetail | null> {
  /** The index of the Start button in the dialog's buttons. */
  static readonly START = 1;

  constructor(
    private readonly form: SweepForm,
    title: string
  ) {
    super({
      title,
      body: form,
      buttons: [
        Dialog.cancelButton(),
        Dialog.okButton({
          label: 'Start sweep',
          caption:
            'Search the parameters with Optuna: every trial is a tracked promotion'
        })
      ],
      defaultButton: SweepDialog.START
    });
    this.addClass('jp-xp-PromoteDialog');
  }

  override resolve(index?: number): void {
    if ((index ?? SweepDialog.START) !== SweepDialog.START) {
      super.resolve(index);
      return;
    }
    void this.form.submit().then(started => {
      if (started) {
        super.resolve(SweepDialog.START);
      }
    });
  }
}

/**
 * Show the Sweep dialog for a recorded run.
 *
 * @param client - the REST client
 * @param runId - the source run
 * @param sourceLabel - how the run is named to the user
 * @returns the sweep the dialog started, or `null` when it was cancelled
 */
export async function showSweepDialog(
  client: XpClient,
  runId: string,
  sourceLabel: string
): Promise<SweepDetail | null> {
  const form = new SweepForm(client, runId, sourceLabel);
  const dialog = new SweepDialog(form, `Sweep ${sourceLabel}`);
  const result = await dialog.launch();
  return result.button.accept ? result.value : null;
}
