// The Sweep dialog: renders the plan model of a run (its parameters as a search space); it starts a sweep and shows why the server refused one.
import { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import type { ISweepFormValues } from '../../models/sweepForm';
import { ISweepPlan, SweepPlanModel } from '../../models/sweepPlan';
import type { SweepDetail } from '../../models/types';
import { IFormView, showFormDialog } from '../FormDialog';
import { SweepFields } from './SweepFields';

/**
 * The Sweep dialog's texts and fields for a model.
 *
 * @param model - the plan model (its source run)
 * @param sourceLabel - how the run is named to the user
 * @param trans - the translation bundle
 */
export function sweepView(
  model: SweepPlanModel,
  sourceLabel: string,
  trans: TranslationBundle
): IFormView<ISweepPlan, ISweepFormValues> {
  return {
    loading: trans.__('Reading the run’s parameters and metrics…'),
    failed: trans.__('Cannot sweep %1', sourceLabel),
    busy: trans.__('Starting the sweep…'),
    fields: (plan, values, onChange) => (
      <SweepFields
        plan={plan}
        sourceLabel={sourceLabel}
        runId={model.runId}
        values={values}
        onChange={onChange}
      />
    )
  };
}

/**
 * Show the Sweep dialog of a plan model: a run's parameters pre-filled as a
 * search space; it starts a sweep with `POST sweeps` and stays open when the
 * server refuses the request, showing why.
 *
 * @param model - the plan model of the run (disposed with the dialog)
 * @param sourceLabel - how the run is named to the user
 * @param trans - the translation bundle
 * @returns the sweep the dialog started, or `null` when it was cancelled
 */
export async function showSweepDialog(
  model: SweepPlanModel,
  sourceLabel: string,
  trans: TranslationBundle
): Promise<SweepDetail | null> {
  return showFormDialog(model, sweepView(model, sourceLabel, trans), {
    title: trans.__('Sweep %1', sourceLabel),
    label: trans.__('Start sweep'),
    caption: trans.__(
      'Search the parameters with Optuna: every trial is a tracked promotion'
    ),
    trans,
    className: 'jp-xp-SweepForm'
  });
}
