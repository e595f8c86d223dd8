import { PathExt } from '@jupyterlab/coreutils';
import { DocumentRegistry, DocumentWidget } from '@jupyterlab/docregistry';
import { ToolbarButton } from '@jupyterlab/ui-components';
import { IDisposable } from '@lumino/disposable';
import { Widget } from '@lumino/widgets';

import type { PromoteSource } from '../api/client';

/**
 * What the Promote dialog is opened for, from a notebook: its path relative
 * to the server root, saved first so that the server reads what the user
 * sees (it promotes the file on disk when the notebook has no recorded run).
 */
export async function notebookSource(
  notebook: DocumentWidget
): Promise<{ source: PromoteSource; label: string }> {
  const { context } = notebook;
  if (context.model.dirty && !context.model.readOnly) {
    await context.save();
  }
  return {
    source: { notebook: context.path },
    label: PathExt.basename(context.path)
  };
}

/**
 * Adds a Promote button, next to Record, to every notebook's toolbar.
 *
 * A document widget extension rather than the notebook toolbar registry:
 * @jupyterlab/notebook cannot be installed at the pinned JupyterLab version
 * (the Record button is added the same way, in recording.tsx).
 */
export class PromoteExtension implements DocumentRegistry.WidgetExtension {
  /**
   * @param onPromote - open the Promote dialog for a notebook
   */
  constructor(private readonly onPromote: (notebook: DocumentWidget) => void) {}

  createNew(widget: Widget): IDisposable | void {
    if (!(widget instanceof DocumentWidget)) {
      return;
    }
    const button = new ToolbarButton({
      className: 'jp-xp-PromoteButton',
      label: 'Promote',
      tooltip:
        'Promote: replay this notebook (or its latest recorded run) as a parameterized, tracked job and verify it',
      onClick: () => this.onPromote(widget)
    });
    // Just after the Record toggle (rank 10).
    widget.toolbar.insertItem(11, 'jupyterlab-xp-promote', button);
    return button;
  }
}
