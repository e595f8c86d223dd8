// The Promote dialog: renders the plan model of a run or notebook; it starts a promotion and shows why the server refused one.
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import type { IPromoteFormValues } from '../../models/promoteForm';
import { PromotePlanModel } from '../../models/promotePlan';
import type { PromotePlan, Promotion } from '../../models/types';
import { IFormView, showFormDialog } from '../FormDialog';
import { PromoteFields } from './PromoteFields';

/**
 * The Promote dialog's texts and fields for a model.
 *
 * @param model - the plan model (its source)
 * @param sourceLabel - how the source is named to the user
 * @param trans - the translation bundle
 */
export function promoteView(
  model: PromotePlanModel,
  sourceLabel: string,
  trans: TranslationBundle
): IFormView<PromotePlan, IPromoteFormValues> {
  return {
    loading: trans.__('Reading what to promote…'),
    failed: trans.__('Cannot promote %1', sourceLabel),
    busy: trans.__('Starting the promotion…'),
    fields: (plan, values, onChange) => (
      <PromoteFields
        plan={plan}
        source={model.source}
        sourceLabel={sourceLabel}
        values={values}
        onChange={onChange}
      />
    )
  };
}

/**
 * Show the Promote dialog of a plan model: pre-filled from `GET
 * promote-plan`, it starts a promotion with `POST promotions` and stays open
 * when the server refuses the request, showing why.
 *
 * @param model - the plan model of the run or notebook (disposed with the dialog)
 * @param sourceLabel - how the source is named to the user
 * @param trans - the translation bundle
 * @returns the promotion the dialog started, or `null` when it was cancelled
 */
export async function showPromoteDialog(
  model: PromotePlanModel,
  sourceLabel: string,
  trans: TranslationBundle
): Promise<Promotion | null> {
  return showFormDialog(model, promoteView(model, sourceLabel, trans), {
    title: trans.__('Promote %1', sourceLabel),
    label: trans.__('Promote'),
    caption: trans.__(
      'Replay the source as a parameterized, tracked job and verify it'
    ),
    trans
  });
}
