import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { PageConfig, PathExt } from '@jupyterlab/coreutils';
import { DocumentWidget } from '@jupyterlab/docregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import type { Promotion } from './api/types';
import { PromoteSource, XpClient } from './api/client';
import { serverTransport } from './api/handler';
import { showPromoteDialog } from './components/PromoteDialog';
import { runLabel } from './format';
import { xpIcon } from './icons';
import { CompareModel } from './models/compare';
import { PromotionsModel } from './models/promotions';
import { RecordingModel } from './models/recording';
import { RunDetailModel } from './models/runDetail';
import { RunListModel } from './models/runList';
import { XpPanel } from './widgets/panel';
import { notebookSource, PromoteExtension } from './notebook/promote';
import {
  isRecording,
  RecordExtension,
  RecordingStatus,
  toggleRecording
} from './notebook/recording';
import {
  CommandIDs,
  PANEL_ID,
  PLUGIN_ID,
  STATUS_ITEM_ID,
  TrackerNamespaces
} from './tokens';
import {
  CompareWidget,
  PromotionsWidget,
  RunDetailWidget
} from './widgets/tabs';

function runIdArg(args: ReadonlyPartialJSONObject): string {
  const { runId } = args;
  if (typeof runId !== 'string' || runId.length === 0) {
    throw new Error(`${CommandIDs.openRun} needs a runId`);
  }
  return runId;
}

function idsArg(args: ReadonlyPartialJSONObject): string[] {
  const { ids } = args;
  if (
    !Array.isArray(ids) ||
    ids.length < 2 ||
    !ids.every(id => typeof id === 'string' && id.length > 0)
  ) {
    throw new Error(`${CommandIDs.openCompare} needs two or more run ids`);
  }
  return ids as string[];
}

/** The optional string argument `name` of a command. */
function stringArg(
  args: ReadonlyPartialJSONObject,
  name: string
): string | null {
  const value = args[name];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/**
 * The jupyterlab-xp frontend: the Experiments panel (live run list), run,
 * comparison and promotion tabs, the notebook toolbar's Record toggle and
 * Promote button, and the status-bar item.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'The Experiments panel: runs recorded by %xp start, their details and comparisons.',
  autoStart: true,
  optional: [ILayoutRestorer, ICommandPalette, IStatusBar],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    statusBar: IStatusBar | null
  ): void => {
    const { commands, shell } = app;
    const client = new XpClient(
      serverTransport(app.serviceManager.serverSettings)
    );
    const serverRoot = PageConfig.getOption('serverRoot');

    const openRun = (runId: string): void => {
      void commands.execute(CommandIDs.openRun, { runId });
    };
    const panel = new XpPanel(new RunListModel(client), {
      onOpenRun: openRun,
      onCompare: ids => void commands.execute(CommandIDs.openCompare, { ids })
    });
    shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, PANEL_ID);

    const runs = new WidgetTracker<MainAreaWidget<RunDetailWidget>>({
      namespace: TrackerNamespaces.run
    });
    const comparisons = new WidgetTracker<MainAreaWidget<CompareWidget>>({
      namespace: TrackerNamespaces.compare
    });
    const promotionTabs = new WidgetTracker<MainAreaWidget<PromotionsWidget>>({
      namespace: TrackerNamespaces.promotions
    });

    /** The run's tab, brought to the front (created when it is not open). */
    const showRun = (runId: string): MainAreaWidget<RunDetailWidget> => {
      let widget = runs.find(w => w.content.runId === runId);
      if (!widget) {
        const content = new RunDetailWidget(
          new RunDetailModel(client, runId),
          serverRoot,
          {
            onOpenNotebook: path =>
              void commands.execute('docmanager:open', { path }),
            onOpenRun: openRun,
            onPromote: run =>
              void commands.execute(CommandIDs.promote, {
                runId: run.run_id,
                label: runLabel(run)
              })
          }
        );
        widget = new MainAreaWidget({ content });
        widget.id = `jupyterlab-xp-run-${runId}`;
        void runs.add(widget);
        shell.add(widget, 'main');
      }
      shell.activateById(widget.id);
      return widget;
    };

    /** The Promotions tab, brought to the front (created when it is not open). */
    const showPromotions = (): MainAreaWidget<PromotionsWidget> => {
      let widget = promotionTabs.currentWidget;
      if (!widget) {
        const content = new PromotionsWidget(
          new PromotionsModel(client, null),
          openRun
        );
        widget = new MainAreaWidget({ content });
        widget.id = 'jupyterlab-xp-promotions';
        void promotionTabs.add(widget);
        shell.add(widget, 'main');
      }
      shell.activateById(widget.id);
      return widget;
    };

    /**
     * Show a promotion's progress where it belongs: in its source run's tab,
     * else (a notebook without a recorded run) in the Promotions tab.
     */
    const showPromotion = (promotion: Promotion): void => {
      if (promotion.source_run_id !== null) {
        showRun(promotion.source_run_id).content.model.promotions.add(
          promotion
        );
      } else {
        showPromotions().content.model.add(promotion);
      }
    };

    /** The Promote dialog; what it starts is shown at once. */
    const promote = async (
      source: PromoteSource,
      label: string
    ): Promise<void> => {
      const promotion = await showPromoteDialog(client, source, label);
      if (promotion !== null) {
        showPromotion(promotion);
      }
    };

    commands.addCommand(CommandIDs.openPanel, {
      label: 'Show Experiments',
      caption: 'Open the jupyterlab-xp Experiments panel',
      icon: xpIcon,
      execute: () => {
        shell.activateById(PANEL_ID);
      }
    });

    commands.addCommand(CommandIDs.openRun, {
      label: 'Open Run',
      caption: 'Show everything recorded for a run',
      icon: xpIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: { runId: { type: 'string' } },
          required: ['runId']
        }
      },
      execute: args => showRun(runIdArg(args))
    });

    commands.addCommand(CommandIDs.openCompare, {
      label: 'Compare Runs',
      caption: 'Compare two or more runs side by side',
      icon: xpIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: { ids: { type: 'array', items: { type: 'string' } } },
          required: ['ids']
        }
      },
      execute: args => {
        const ids = idsArg(args);
        const key = ids.join(',');
        let widget = comparisons.find(w => w.content.runIds.join(',') === key);
        if (!widget) {
          const content = new CompareWidget(
            new CompareModel(client, ids),
            openRun
          );
          widget = new MainAreaWidget({ content });
          widget.id = `jupyterlab-xp-compare-${ids.join('-')}`;
          void comparisons.add(widget);
          shell.add(widget, 'main');
        }
        shell.activateById(widget.id);
        return widget;
      }
    });

    commands.addCommand(CommandIDs.openPromotions, {
      label: 'Show Promotions',
      caption: 'Promotion jobs: progress, promoted runs and verdicts',
      icon: xpIcon,
      execute: () => showPromotions()
    });

    if (restorer) {
      void restorer.restore(promotionTabs, {
        command: CommandIDs.openPromotions,
        name: () => 'promotions'
      });
      void restorer.restore(runs, {
        command: CommandIDs.openRun,
        args: widget => ({ runId: widget.content.runId }),
        name: widget => widget.content.runId
      });
      void restorer.restore(comparisons, {
        command: CommandIDs.openCompare,
        args: widget => ({ ids: [...widget.content.runIds] }),
        name: widget => widget.content.runIds.join(',')
      });
    }

    const recording = new RecordingModel(client, serverRoot);
    const notebooks = new WidgetTracker<DocumentWidget>({
      namespace: TrackerNamespaces.notebooks
    });
    app.docRegistry.addWidgetExtension(
      'Notebook',
      new RecordExtension(recording, notebooks)
    );
    app.docRegistry.addWidgetExtension(
      'Notebook',
      new PromoteExtension(
        notebook =>
          void commands.execute(CommandIDs.promote, {
            notebook: notebook.context.path
          })
      )
    );

    commands.addCommand(CommandIDs.promote, {
      label: args =>
        stringArg(args, 'runId') !== null
          ? 'Promote Run…'
          : 'Promote the Notebook…',
      caption:
        'Replay a run or notebook as a parameterized, tracked job and verify that it reproduces the result',
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

    commands.addCommand(CommandIDs.toggleRecording, {
      label: () => {
        const notebook = notebooks.currentWidget;
        return notebook && isRecording(recording, notebook)
          ? 'Stop Recording the Notebook (%xp stop)'
          : 'Record the Notebook (%xp start)';
      },
      caption: 'Start or stop recording the current notebook',
      icon: xpIcon,
      isEnabled: () => notebooks.currentWidget !== null,
      execute: () => {
        const notebook = notebooks.currentWidget;
        return notebook ? toggleRecording(recording, notebook) : undefined;
      }
    });

    palette?.addItem({
      command: CommandIDs.openPanel,
      category: 'Experiments'
    });
    palette?.addItem({
      command: CommandIDs.toggleRecording,
      category: 'Experiments'
    });
    palette?.addItem({ command: CommandIDs.promote, category: 'Experiments' });
    palette?.addItem({
      command: CommandIDs.openPromotions,
      category: 'Experiments'
    });

    if (statusBar) {
      const status = new RecordingStatus(recording, notebooks);
      statusBar.registerStatusItem(STATUS_ITEM_ID, {
        item: status,
        align: 'left',
        rank: 5,
        isActive: () => status.isActive,
        activeStateChanged: status.activeStateChanged
      });
    }
  }
};

export default plugin;
