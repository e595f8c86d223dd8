// The jupyterlab-xp frontend plugin: wires the REST client, the panel and its tabs, the notebook tools and the status bar.
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, WidgetTracker } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { DocumentWidget } from '@jupyterlab/docregistry';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator } from '@jupyterlab/translation';

import { XpClient } from './api/client';
import { serverTransport } from './api/handler';
import { addPromote } from './commands/promote';
import { addRecord } from './commands/record';
import { bundleOf } from './components/translation';
import { SweepViews } from './commands/sweep';
import { XpTabs } from './commands/tabs';
import { RecordingModel } from './models/recording';
import { browserStorage, migrateTableSettings } from './models/runTable';
import { RecordingStatus } from './notebook/recording';
import {
  CommandIDs,
  PLUGIN_ID,
  STATUS_ITEM_ID,
  TrackerNamespaces
} from './tokens';

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
  optional: [
    ILayoutRestorer,
    ICommandPalette,
    IStatusBar,
    IRenderMimeRegistry,
    ITranslator,
    ISettingRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    statusBar: IStatusBar | null,
    rendermime: IRenderMimeRegistry | null,
    translator: ITranslator | null,
    settingRegistry: ISettingRegistry | null
  ): void => {
    const trans = bundleOf(translator);
    const client = new XpClient(
      serverTransport(app.serviceManager.serverSettings)
    );
    const serverRoot = PageConfig.getOption('serverRoot');
    const tabs = new XpTabs(
      app,
      client,
      serverRoot,
      restorer,
      rendermime,
      trans
    );
    new SweepViews(app, client, restorer, trans);
    if (settingRegistry) {
      // The run table's view, columns and sort (schema/plugin.json): what an
      // earlier version kept in localStorage moves there once.
      void settingRegistry
        .load(PLUGIN_ID)
        .then(async settings => {
          await migrateTableSettings(browserStorage(), settings);
          tabs.runs.useSettings(settings);
        })
        .catch(() => {
          // Settings that cannot be read: the defaults hold for this session.
        });
    }

    const recording = new RecordingModel(client, serverRoot);
    const notebooks = new WidgetTracker<DocumentWidget>({
      namespace: TrackerNamespaces.notebooks
    });
    addRecord(app, recording, notebooks, trans);
    addPromote(
      app,
      client,
      notebooks,
      promotion => tabs.showPromotion(promotion),
      trans
    );

    for (const command of [
      CommandIDs.openPanel,
      CommandIDs.toggleRecording,
      CommandIDs.promote,
      CommandIDs.openPromotions,
      CommandIDs.openSweeps
    ]) {
      palette?.addItem({ command, category: trans.__('Experiments') });
    }

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
