// The models of sweeps: the list of sweeps, and one sweep's trials and results, polled while shown.
import type { SweepDetail, SweepSummary } from '../api/types';
import { errorMessage, XpClient } from '../api/client';
import { SWEEP_POLL_INTERVAL } from '../tokens';
import { PollingModel } from './base';

/** The sweep state (tag `xp.sweep.state`) while its workers are at work. */
export const SWEEP_RUNNING = 'running';

/**
 * Every sweep, newest first (`GET sweeps`: the parent runs' tags).
 *
 * Polled while shown and while any sweep is running; once all have ended the
 * poll stands by until the view is shown again.
 */
export class SweepListModel extends PollingModel {
  /**
   * @param client - the REST client
   */
  constructor(private readonly client: XpClient) {
    super({ name: 'jupyterlab-xp:sweeps' });
  }

  /** The sweeps, newest first. */
  get sweeps(): readonly SweepSummary[] {
    return this._sweeps;
  }

  /** Whether the first answer has arrived. */
  get loaded(): boolean {
    return this._loaded;
  }

  /** Fetch again now, even when every sweep has ended. */
  override refresh(): void {
    this.pollOnce();
  }

  /** Sweeps may start elsewhere (the CLI): ask once each time it is shown. */
  protected override onVisibleChanged(visible: boolean): void {
    if (visible) {
      this.pollOnce();
    }
  }

  protected override get idle(): boolean {
    return (
      this._loaded &&
      this.error === null &&
      !this._sweeps.some(sweep => sweep.state === SWEEP_RUNNING)
    );
  }

  protected async fetch(): Promise<void> {
    const list = await this.request(() => this.client.sweeps());
    if (list === null) {
      return;
    }
    const signature = JSON.stringify(list.sweeps);
    const news =
      signature !== this._signature || this.error !== null || !this._loaded;
    this._signature = signature;
    this._sweeps = list.sweeps;
    this._loaded = true;
    this.setError(null);
    if (news) {
      this.emitChanged();
    }
  }

  private _sweeps: SweepSummary[] = [];
  private _signature = '';
  private _loaded = false;
}

/**
 * One sweep (`GET sweeps/{id}`): its trials as they arrive, the best trial,
 * the objective over trials and parameter importance.
 *
 * Polled every {@link SWEEP_POLL_INTERVAL} ms while its view is shown and the
 * sweep is running; a sweep that has ended (finished, stopped, cancelled,
 * failed) is asked for once each time it is shown.
 */
export class SweepDetailModel extends PollingModel {
  /**
   * @param client - the REST client
   * @param sweepId - the sweep's parent run id
   * @param initial - the sweep as `POST sweeps` answered, shown at once
   */
  constructor(
    private readonly client: XpClient,
    readonly sweepId: string,
    initial: SweepDetail | null = null
  ) {
    super({
      name: `jupyterlab-xp:sweep:${sweepId}`,
      interval: SWEEP_POLL_INTERVAL
    });
    this._sweep = initial;
    this._signature = JSON.stringify(initial);
  }

  /** The sweep, or `null` before the first answer. */
  get sweep(): SweepDetail | null {
    return this._sweep;
  }

  /** Whether its workers are still at work. */
  get running(): boolean {
    return this._sweep?.state === SWEEP_RUNNING;
  }

  /** Whether a cancel is on its way. */
  get cancelling(): boolean {
    return this._cancelling;
  }

  /** Why the last cancel failed (the server's message), or `null`. */
  get cancelError(): string | null {
    return this._cancelError;
  }

  /** Stop the sweep: its workers stop and its running trials end FAIL. */
  async cancel(): Promise<void> {
    if (this._cancelling) {
      return;
    }
    this._cancelling = true;
    this._cancelError = null;
    this.emitChanged();
    try {
      const sweep = await this.client.cancelSweep(this.sweepId);
      if (!this.isDisposed) {
        this._set(sweep);
      }
    } catch (error) {
      if (!this.isDisposed) {
        this._cancelError = errorMessage(error);
      }
    } finally {
      if (!this.isDisposed) {
        this._cancelling = false;
        this.emitChanged();
        this.pollOnce();
      }
    }
  }

  /** Fetch again now (the Retry button), even when the sweep has ended. */
  override refresh(): void {
    this.pollOnce();
  }

  protected override onVisibleChanged(visible: boolean): void {
    if (visible) {
      this.pollOnce();
    }
  }

  /** A sweep that has ended changes no more. */
  protected override get idle(): boolean {
    return this._loaded && this.error === null && !this.running;
  }

  protected async fetch(): Promise<void> {
    const sweep = await this.request(() => this.client.sweep(this.sweepId));
    if (sweep === null) {
      return;
    }
    const news = this.error !== null || !this._loaded;
    this._loaded = true;
    this.setError(null);
    this._set(sweep, news);
  }

  /** Replace the sweep; emit `changed` when it differs or `force` is set. */
  private _set(sweep: SweepDetail, force = false): void {
    const signature = JSON.stringify(sweep);
    const changed = signature !== this._signature;
    this._signature = signature;
    this._sweep = sweep;
    if (changed || force) {
      this.emitChanged();
    }
  }

  private _sweep: SweepDetail | null;
  private _signature: string;
  private _loaded = false;
  private _cancelling = false;
  private _cancelError: string | null = null;
}
