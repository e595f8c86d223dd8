// The Record command (start or stop recording the current notebook) and the toolbar's Record toggle.
import { JupyterFrontEnd } from '@jupyterlab/application';

import { xpIcon } from '../icons';
import { RecordingModel } from '../models/recording';
import {
  isRecording,
  NotebookTracker,
  toggleRecording
} from '../notebook/recording';
import { RecordExtension } from '../notebook/toolbar';
import { CommandIDs } from '../tokens';

/**
 * Adds the Record toggle to notebook toolbars (which also tracks the
 * notebooks) and registers the command that toggles the current notebook.
 *
 * @param app - the JupyterLab application
 * @param recording - which notebooks are being recorded
 * @param notebooks - receives every notebook; its current one is toggled
 */
export function addRecord(
  app: JupyterFrontEnd,
  recording: RecordingModel,
  notebooks: NotebookTracker
): void {
  app.docRegistry.addWidgetExtension(
    'Notebook',
    new RecordExtension(recording, notebooks)
  );

  app.commands.addCommand(CommandIDs.toggleRecording, {
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
}
