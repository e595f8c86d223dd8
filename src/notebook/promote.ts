// What a notebook's Promote button promotes: the notebook, saved first.
import { PathExt } from '@jupyterlab/coreutils';
import { DocumentWidget } from '@jupyterlab/docregistry';

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
