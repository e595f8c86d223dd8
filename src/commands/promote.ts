// The Promote command (from a run's tab, a notebook's toolbar or the palette) and the toolbar's Promote button.
import { JupyterFrontEnd } from '@jupyterlab/application';
import { PathExt } from '@jupyterlab/coreutils';

import { TranslationBundle } from '@jupyterlab/translation';

import type { Promotion } from '../api/types';
import { PromoteSource, XpClient } from '../api/client';
import { showPromoteDialog } from '../components/promote/PromoteDialog';
import { PromotePlanModel } from '../models/promotePlan';
import { xpIcon } from '../icons';
import { notebookSource } from '../notebook/promote';
import { NotebookTracker } from '../notebook/recording';
import { PromoteExtension } from '../notebook/toolbar';
import { CommandIDs } from '../tokens';
import { stringArg } from './args';

/**
 * Registers the Promote command and adds its button to notebook toolbars.
 * The command opens the Promote dialog for a run (`runId`), a notebook
 * (`notebook`, a path under the server root) or the current notebook; what
 * the dialog starts is shown at once.
 *
 * @param app - the JupyterLab application
 * @param client - the REST client
 * @param notebooks - the open notebooks, and which one is current
 * @param onStarted - show a promotion the dialog started
 * @param trans - the translation bundle
 */
export function addPromote(
  app: JupyterFrontEnd,
  client: XpClient,
  notebooks: NotebookTracker,
  onStarted: (promotion: Promotion) => void,
  trans: TranslationBundle
): void {
  const { commands } = app;
  app.docRegistry.addWidgetExtension(
    'Notebook',
    new PromoteExtension(
      notebook =>
        void commands.execute(CommandIDs.promote, {
          notebook: notebook.context.path
        })
    )
  );

  const promote = async (
    source: PromoteSource,
    label: string
  ): Promise<void> => {
    const promotion = await showPromoteDialog(
      new PromotePlanModel(client, source),
      label,
      trans
    );
    if (promotion !== null) {
      onStarted(promotion);
    }
  };

  commands.addCommand(CommandIDs.promote, {
    label: args =>
      stringArg(args, 'runId') !== null
        ? trans.__('Promote Run…')
        : trans.__('Promote the Notebook…'),
    caption: trans.__(
      'Replay a run or notebook as a parameterized, tracked job and verify that it reproduces the result'
    ),
    icon: xpIcon,
    describedBy: {
      args: {
        type: 'object',
        properties: {
          runId: { type: 'string' },
          label: { type: 'string' },
          notebook: { type: 'string' }
        }
      }
    },
    isEnabled: args =>
      stringArg(args, 'runId') !== null ||
      stringArg(args, 'notebook') !== null ||
      notebooks.currentWidget !== null,
    execute: async args => {
      const runId = stringArg(args, 'runId');
      if (runId !== null) {
        return promote(
          { runId },
          stringArg(args, 'label') ?? runId.slice(0, 8)
        );
      }
      const path = stringArg(args, 'notebook');
      const notebook =
        path === null
          ? notebooks.currentWidget
          : notebooks.find(w => w.context.path === path);
      if (notebook) {
        const { source, label } = await notebookSource(notebook);
        return promote(source, label);
      }
      if (path !== null) {
        return promote({ notebook: path }, PathExt.basename(path));
      }
    }
  });
}
