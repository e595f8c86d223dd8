// The Promote dialog: renders the plan model of a run or notebook; it starts a promotion and shows why the server refused one.
import { TranslationBundle } from '@jupyterlab/translation';

import { PromotePlanModel } from '../../models/promotePlan';
import type { Promotion } from '../../models/types';
import { showFormDialog } from '../FormDialog';
import { promoteView } from './PromoteFields';

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
