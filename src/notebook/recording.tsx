// Recording a notebook from its toolbar (%xp start / %xp stop in its kernel), and the status-bar item.
import { Notification, WidgetTracker } from '@jupyterlab/apputils';
import { DocumentWidget } from '@jupyterlab/docregistry';
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { ReactWidget } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import React from 'react';

import { errorMessage } from '../api/client';
import { runLabel } from '../format';
import { RecordingModel } from '../models/recording';

/** The notebook widgets that have a Record button. */
export type NotebookTracker = WidgetTracker<DocumentWidget>;

/** Whether the notebook is being recorded, from the store's point of view. */
export function isRecording(
  model: RecordingModel,
  notebook: DocumentWidget
): boolean {
  return model.runFor(notebook.context.path) !== null;
}

/**
 * Run `code` in `kernel` as if a user had typed it, and resolve with what it
 * printed to stdout.
 *
 * @throws {Error} with the kernel's error (or stderr) when the code failed
 */
async function execute(
  kernel: Kernel.IKernelConnection,
  code: string
): Promise<string> {
  const future = kernel.requestExecute({
    code,
    silent: false,
    store_history: false
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let failure: string | null = null;
  future.onIOPub = msg => {
    if (KernelMessage.isStreamMsg(msg)) {
      (msg.content.name === 'stdout' ? stdout : stderr).push(msg.content.text);
    } else if (KernelMessage.isErrorMsg(msg)) {
      failure = `${msg.content.ename}: ${msg.content.evalue}`;
    }
  };
  const reply = await future.done;
  if (reply.content.status !== 'ok') {
    const stderrLine = stderr.join('').trim().split('\n').pop();
    throw new Error(
      failure ?? stderrLine ?? `the kernel answered ${reply.content.status}`
    );
  }
  return stdout.join('').trim();
}

/**
 * Start or stop recording a notebook, as a user would: run
 * `%load_ext jupyterlab_xp` and `%xp start`, or `%xp stop`, in its kernel.
 * The outcome is reported in a notification; the Record button learns the new
 * state from the store (through `model`).
 */
export async function toggleRecording(
  model: RecordingModel,
  notebook: DocumentWidget
): Promise<void> {
  const path = notebook.context.path;
  if (model.pendingFor(path) !== null) {
    return;
  }
  const kernel = notebook.context.sessionContext.session?.kernel;
  if (!kernel) {
    Notification.warning(
      'This notebook has no kernel: start one, then click Record.',
      { autoClose: 5000 }
    );
    return;
  }
  const stopping = isRecording(model, notebook);
  model.setPending(path, stopping ? 'stopping' : 'starting');
  try {
    let output = '';
    for (const code of stopping
      ? ['%xp stop']
      : ['%load_ext jupyterlab_xp', '%xp start']) {
      output = await execute(kernel, code);
    }
    if (output) {
      Notification.info(output.split('\n')[0], { autoClose: 5000 });
    }
  } catch (error) {
    model.setPending(path, null);
    Notification.error(
      `Could not ${stopping ? 'stop' : 'start'} recording ${path}: ${errorMessage(error)}`,
      { autoClose: false }
    );
  }
}

/**
 * The status-bar item: `xp: recording <name> · N cells` for the current
 * notebook's running run; hidden otherwise.
 */
export class RecordingStatus extends ReactWidget {
  /**
   * @param model - which notebooks are being recorded
   * @param tracker - the notebooks, and which one is current
   */
  constructor(
    private readonly model: RecordingModel,
    private readonly tracker: NotebookTracker
  ) {
    super();
    this.addClass('jp-xp-RecordingStatus');
    model.changed.connect(this._onChanged, this);
    tracker.currentChanged.connect(this._onChanged, this);
  }

  /** Emitted when the item starts or stops having something to say. */
  get activeStateChanged(): ISignal<this, void> {
    return this._activeStateChanged;
  }

  /** Whether the current notebook is being recorded. */
  get isActive(): boolean {
    return this._run() !== null;
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    Signal.clearData(this);
    super.dispose();
  }

  protected render(): React.JSX.Element | null {
    const run = this._run();
    if (run === null) {
      return null;
    }
    const text = `xp: recording ${runLabel(run)} · ${run.cells} cell${
      run.cells === 1 ? '' : 's'
    }`;
    return (
      <span title={`${text} (run ${run.run_id}, experiment ${run.experiment})`}>
        {text}
      </span>
    );
  }

  private _run(): ReturnType<RecordingModel['runFor']> {
    const notebook = this.tracker.currentWidget;
    return notebook ? this.model.runFor(notebook.context.path) : null;
  }

  private _onChanged(): void {
    const active = this.isActive;
    if (active !== this._wasActive) {
      this._wasActive = active;
      this._activeStateChanged.emit();
    }
    this.update();
  }

  private readonly _activeStateChanged = new Signal<this, void>(this);
  private _wasActive = false;
}
