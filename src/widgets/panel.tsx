// The Experiments panel in the left sidebar: the live run list.
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
   */
  constructor(
    model: RunListModel,
    private readonly actions: {
      onOpenRun: (runId: string) => void;
      onCompare: (runIds: string[]) => void;
    }
  ) {
    super(model);
    this.id = PANEL_ID;
    this.title.icon = xpIcon;
    this.title.label = 'Experiments';
    this.title.caption = 'jupyterlab-xp: runs recorded by %xp start';
    this.addClass('jp-xp-Panel');
  }

  protected render(): React.JSX.Element {
    return (
      <RunListView
        model={this.model}
        onOpenRun={this.actions.onOpenRun}
        onCompare={this.actions.onCompare}
      />
    );
  }
}
