// The Promote dialog: pre-filled from the server's plan, it starts a promotion and shows why the server refused one.
import React from 'react';

import type { PromotePlan, PromoteRequest, Promotion } from '../../api/types';
import { errorMessage, PromoteSource, XpClient } from '../../api/client';
import { LoadState } from '../../models/base';
import { ErrorState, Loading } from '../common';
import { showSubmitDialog, SubmitForm } from '../submitForm';
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
export class PromoteForm extends SubmitForm<PromoteRequest, Promotion> {
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

  /** The `POST promotions` body, or what to fix; `null` before the plan is read. */
  protected buildRequest(): PromoteRequest | string | null {
    if (this._plan.kind !== 'ready' || this._values === null) {
      return null;
    }
    return buildRequest(this._plan.value, this.source, this._values);
  }

  protected send(request: PromoteRequest): Promise<Promotion> {
    return this.client.promote(request);
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
              this.error = null;
              this.update();
            }}
            busy={this.busy}
            error={this.error}
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
  return showSubmitDialog(new PromoteForm(client, source, sourceLabel), {
    title: `Promote ${sourceLabel}`,
    label: 'Promote',
    caption: 'Replay the source as a parameterized, tracked job and verify it'
  });
}
