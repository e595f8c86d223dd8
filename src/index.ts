import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';

import { xpIcon } from './icons';
import { XpPanel } from './panel';
import { CommandIDs, PANEL_ID, PLUGIN_ID } from './tokens';

/**
 * The jupyterlab-xp frontend: the Experiments panel in the left sidebar and
 * a command that opens it.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The Experiments panel: runs recorded by %xp start.',
  autoStart: true,
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ): void => {
    const panel = new XpPanel(app.serviceManager.serverSettings);
    app.shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, PANEL_ID);

    app.commands.addCommand(CommandIDs.openPanel, {
      label: 'Show Experiments',
      caption: 'Open the jupyterlab-xp Experiments panel',
      icon: xpIcon,
      execute: () => {
        app.shell.activateById(PANEL_ID);
      }
    });
    palette?.addItem({
      command: CommandIDs.openPanel,
      category: 'Experiments'
    });
  }
};

export default plugin;
