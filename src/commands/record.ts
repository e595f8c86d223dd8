// The Record command (start or stop recording the current notebook) and the toolbar's Record toggle.
import { JupyterFrontEnd } from '@jupyterlab/application';
import { TranslationBundle } from '@jupyterlab/translation';

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
 * @param trans - the translation bundle
 */
export function addRecord(
  app: JupyterFrontEnd,
  recording: RecordingModel,
  notebooks: NotebookTracker,
  trans: TranslationBundle
): void {
  app.docRegistry.addWidgetExtension(
    'Notebook',
    new RecordExtension(recording, notebooks)
  );

  app.commands.addCommand(CommandIDs.toggleRecording, {
    label: () => {
      const notebook = notebooks.currentWidget;
      return notebook && isRecording(recording, notebook)
        ? trans.__('Stop Recording the Notebook (%%xp stop)')
        : trans.__('Record the Notebook (%%xp start)');
    },
    caption: trans.__('Start or stop recording the current notebook'),
    icon: xpIcon,
    isEnabled: () => notebooks.currentWidget !== null,
    execute: () => {
      const notebook = notebooks.currentWidget;
      return notebook ? toggleRecording(recording, notebook) : undefined;
    }
  });
}
