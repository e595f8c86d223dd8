// The Experiments panel in the left sidebar: the live run list.
import type { TranslationBundle } from '@jupyterlab/translation';
import React from 'react';

import { RunListView } from '../components/runList/RunList';
import { xpIcon } from '../icons';
import { RunListModel } from '../models/runList';
import { PANEL_ID } from '../tokens';
import { VisibleModelWidget } from './modelWidget';

/**
 * The Experiments panel in the left sidebar: the live run list.
 *
 * The panel tells its model when it is shown or hidden, so the list is polled
 * only while someone can see it.
 */
export class XpPanel extends VisibleModelWidget<RunListModel> {
  /**
   * @param model - the run list (disposed with the panel)
   * @param actions - what clicking a run and Compare do
   * @param trans - the translation bundle
   */
  constructor(
    model: RunListModel,
    private readonly actions: {
      onOpenRun: (runId: string) => void;
      onCompare: (runIds: string[]) => void;
    },
    trans?: TranslationBundle
  ) {
    super(model, trans);
    this.id = PANEL_ID;
    this.title.icon = xpIcon;
    this.title.label = this.trans.__('Experiments');
    this.title.caption = this.trans.__(
      'jupyterlab-xp: runs recorded by %xp start'
    );
    this.addClass('jp-xp-Panel');
  }

  protected renderModel(): React.JSX.Element {
    return (
      <RunListView
        model={this.model}
        onOpenRun={this.actions.onOpenRun}
        onCompare={this.actions.onCompare}
      />
    );
  }
}
