// The model of which open notebooks are being recorded (Record button, status bar).
import { IDisposable } from '@lumino/disposable';

import type { RunSummary } from '../api/types';
import { XpClient } from '../api/client';
import { isSameNotebook } from '../paths';
import { PollingModel } from './base';

/** What the Record button is waiting for after it ran code in a kernel. */
export type PendingAction = 'starting' | 'stopping';

/**
 * Which open notebooks are being recorded, for the notebook toolbar's Record
 * button and the status bar.
 *
 * The panel never talks to the kernel's recorder: it learns from the store.
 * One poll (`GET runs?status=RUNNING`, every 2 s while any notebook is open
 * and the browser tab is visible) serves every open notebook: the model is
 * {@link visible} while any notebook {@link watch}es it. A run belongs to a
 * notebook when its recorded path is the server root joined with the
 * notebook's path, or ends with `/` + that path (the recorder resolves
 * symlinks; the server root may be reached through one). When several match,
 * the newest wins.
 */
export class RecordingModel extends PollingModel {
  /** Running runs asked for in each poll. */
  static readonly LIMIT = 100;
  /** How long a Record click waits for the store to show its effect, in ms. */
  static readonly PENDING_TIMEOUT = 60000;

  /**
   * @param client - the REST client
   * @param serverRoot - the server's root folder (`PageConfig` `serverRoot`)
   */
  constructor(
    client: XpClient,
    readonly serverRoot: string
  ) {
    super({ name: 'jupyterlab-xp:recording' });
    this._client = client;
  }

  /**
   * Declare an open notebook: the model polls while at least one is.
   *
   * @returns a disposable that withdraws the declaration
   */
  watch(): IDisposable {
    this._watchers += 1;
    this.visible = true;
    let done = false;
    return {
      get isDisposed() {
        return done;
      },
      dispose: () => {
        if (!done) {
          done = true;
          this._watchers -= 1;
          this.visible = this._watchers > 0;
        }
      }
    };
  }

  /**
   * The running run recorded from the notebook at `path` (relative to the
   * server root), or `null`.
   */
  runFor(path: string): RunSummary | null {
    return (
      this._running.find(
        run =>
          run.notebook !== null &&
          isSameNotebook(run.notebook, path, this.serverRoot)
      ) ?? null
    );
  }

  /** What a Record click on the notebook at `path` still waits for. */
  pendingFor(path: string): PendingAction | null {
    return this._pending.get(path)?.action ?? null;
  }

  /**
   * Note that code that starts or stops a recording was sent to the kernel
   * of the notebook at `path`; `null` clears it (the code failed).
   */
  setPending(path: string, action: PendingAction | null): void {
    if (action === null) {
      this._pending.delete(path);
    } else {
      this._pending.set(path, { action, since: Date.now() });
    }
    this.emitChanged();
    this.pollNow();
  }

  /**
   * The poll: the running runs; a pending Record click ends once the store
   * shows its effect, or after {@link PENDING_TIMEOUT}.
   */
  protected async fetch(): Promise<void> {
    const page = await this.request(() =>
      this._client.runs({ status: 'RUNNING', limit: RecordingModel.LIMIT })
    );
    if (page === null) {
      return;
    }
    const signature = JSON.stringify(
      page.runs.map(run => [run.run_id, run.name, run.notebook, run.cells])
    );
    let changed = signature !== this._signature || this.error !== null;
    this._signature = signature;
    this._running = page.runs;
    this.setError(null);
    const now = Date.now();
    for (const [path, { action, since }] of this._pending) {
      const recording = this.runFor(path) !== null;
      const settled = action === 'starting' ? recording : !recording;
      if (settled || now - since > RecordingModel.PENDING_TIMEOUT) {
        this._pending.delete(path);
        changed = true;
      }
    }
    if (changed) {
      this.emitChanged();
    }
  }

  private readonly _client: XpClient;
  private readonly _pending = new Map<
    string,
    { action: PendingAction; since: number }
  >();
  private _running: readonly RunSummary[] = [];
  private _signature = '';
  private _watchers = 0;
}
