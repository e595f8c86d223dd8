// The Sweep dialog: a run's parameters pre-filled as a search space; it starts a sweep and shows why the server refused one.
import React from 'react';

import type { SweepDetail, SweepRequest } from '../../api/types';
import { errorMessage, XpClient } from '../../api/client';
import { LoadState } from '../../models/base';
import { ErrorState, Loading } from '../common';
import { showSubmitDialog, SubmitForm } from '../submitForm';
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
export class SweepForm extends SubmitForm<SweepRequest, SweepDetail> {
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

  /** The `POST sweeps` body, or what to fix; `null` before the run is read. */
  protected buildRequest(): SweepRequest | string | null {
    return this._values === null
      ? null
      : buildSweepRequest(this.runId, this._values);
  }

  protected send(request: SweepRequest): Promise<SweepDetail> {
    return this.client.startSweep(request);
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
              this.error = null;
              this.update();
            }}
            busy={this.busy}
            error={this.error}
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
  return showSubmitDialog(new SweepForm(client, runId, sourceLabel), {
    title: `Sweep ${sourceLabel}`,
    label: 'Start sweep',
    caption:
      'Search the parameters with Optuna: every trial is a tracked promotion'
  });
}
