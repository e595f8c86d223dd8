// The notebook toolbar's Record toggle and Promote button.
import { DocumentRegistry, DocumentWidget } from '@jupyterlab/docregistry';
import {
  ReactWidget,
  ToolbarButton,
  ToolbarButtonComponent
} from '@jupyterlab/ui-components';
import { IDisposable } from '@lumino/disposable';
import { Widget } from '@lumino/widgets';
import React from 'react';

import { useModel } from '../components/useModel';
import { runLabel } from '../format';
import { xpIcon } from '../icons';
import { RecordingModel } from '../models/recording';
import { NotebookTracker, toggleRecording } from './recording';

/** The Record toggle, rendering the recording model for one notebook. */
function RecordToggle(props: {
  model: RecordingModel;
  notebook: DocumentWidget;
}): React.JSX.Element {
  const { model, notebook } = props;
  useModel(model);
  const path = notebook.context.path;
  const run = model.runFor(path);
  const pending = model.pendingFor(path);
  let label: string;
  let tooltip: string;
  if (pending === 'starting') {
    label = 'Starting…';
    tooltip = 'Waiting for the run to reach the store';
  } else if (pending === 'stopping') {
    label = 'Stopping…';
    tooltip = 'Waiting for the run to end in the store';
  } else if (run !== null) {
    label = 'Recording';
    tooltip = `Recording ${runLabel(run)}: click to run %xp stop`;
  } else {
    label = 'Record';
    tooltip =
      'Record this notebook: runs %load_ext jupyterlab_xp and %xp start in its kernel';
  }
  return (
    <ToolbarButtonComponent
      className={run !== null ? 'jp-xp-RecordButton-on' : ''}
      icon={xpIcon}
      label={label}
      tooltip={tooltip}
      pressed={run !== null}
      pressedTooltip={tooltip}
      enabled={pending === null}
      onClick={() => void toggleRecording(model, notebook)}
    />
  );
}

/**
 * The Record toggle in a notebook's toolbar: pressed while the store holds a
 * running run of this notebook.
 */
export class RecordButton extends ReactWidget {
  /**
   * @param model - which notebooks are being recorded
   * @param notebook - the notebook this button belongs to
   */
  constructor(
    private readonly model: RecordingModel,
    private readonly notebook: DocumentWidget
  ) {
    super();
    this.addClass('jp-xp-RecordButton');
  }

  protected render(): React.JSX.Element {
    return <RecordToggle model={this.model} notebook={this.notebook} />;
  }
}

/**
 * Adds the Record button to every notebook's toolbar and tracks notebooks
 * (for the status bar and the toggle command).
 */
export class RecordExtension implements DocumentRegistry.WidgetExtension {
  /**
   * @param model - which notebooks are being recorded
   * @param tracker - receives every notebook the extension sees
   */
  constructor(
    private readonly model: RecordingModel,
    private readonly tracker: NotebookTracker
  ) {}

  createNew(widget: Widget): IDisposable | void {
    if (!(widget instanceof DocumentWidget)) {
      return;
    }
    const button = new RecordButton(this.model, widget);
    widget.toolbar.insertItem(10, 'jupyterlab-xp-record', button);
    const watch = this.model.watch();
    void this.tracker.add(widget);
    widget.disposed.connect(() => watch.dispose());
    return button;
  }
}

/**
 * Adds a Promote button, next to Record, to every notebook's toolbar.
 *
 * A document widget extension rather than the notebook toolbar registry:
 * @jupyterlab/notebook cannot be installed at the pinned JupyterLab version
 * (the Record button is added the same way).
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
