// The Sweep dialog: renders the plan model of a run (its parameters as a search space); it starts a sweep and shows why the server refused one.
import { TranslationBundle } from '@jupyterlab/translation';

import { SweepPlanModel } from '../../models/sweepPlan';
import type { SweepDetail } from '../../models/types';
import { showFormDialog } from '../FormDialog';
import { sweepView } from './SweepFields';

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
