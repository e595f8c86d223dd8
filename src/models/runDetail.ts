// The model of a run's tab: the run, its metric histories and its promotions.
import type { MetricHistory, RunDetail } from '../api/types';
import { errorMessage, XpClient } from '../api/client';
import { LoadState, PollingModel } from './base';
import { PromotionsModel } from './promotions';

/**
 * One run's detail, the history of each of its metrics and the promotions
 * made from it.
 *
 * Fetched when first shown; while the run is RUNNING it is polled every 2 s
 * (with back-off on errors) as long as its tab is visible. When one of its
 * promotions ends, the run is fetched again: the server has linked the
 * promoted runs to it.
 */
export class RunDetailModel extends PollingModel {
  /**
   * @param client - the REST client
   * @param runId - the MLflow run id
   */
  constructor(
    client: XpClient,
    readonly runId: string
  ) {
    super({ name: `jupyterlab-xp:run:${runId}` });
    this._client = client;
    this.promotions = new PromotionsModel(client, runId);
    this.promotions.settled.connect(this._onPromotionSettled, this);
  }

  /** The promotions whose source is this run (disposed with this model). */
  readonly promotions: PromotionsModel;

  /** The run, once it has been fetched (kept while a later fetch fails). */
  get run(): RunDetail | null {
    return this._run;
  }

  /** The history of one metric of the run, once asked for. */
  history(key: string): LoadState<MetricHistory> {
    return this._histories.get(key) ?? { kind: 'loading' };
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.promotions.dispose();
    super.dispose();
  }

  /** A run that has ended changes no more: no need to poll it. */
  protected override get idle(): boolean {
    return (
      this._run !== null &&
      this.error === null &&
      this._run.status !== 'RUNNING'
    );
  }

  /** The promotions are shown with the run. */
  protected override onVisibleChanged(visible: boolean): void {
    this.promotions.visible = visible;
    if (
      visible &&
      (this._run === null || this.stale || this._run.status === 'RUNNING')
    ) {
      this.pollNow();
    }
  }

  /** The poll: the run, then the history of each of its metrics. */
  protected async fetch(): Promise<void> {
    const run = await this.request(() => this._client.run(this.runId));
    if (run === null) {
      return;
    }
    this._run = run;
    this.setError(null);
    this.emitChanged();
    await Promise.all(
      Object.keys(run.metrics).map(key => this._fetchHistory(key))
    );
  }

  /**
   * A promotion of this run has ended: its promoted runs are now linked to
   * it. The poll stands by for a finished run: fetch it once more.
   */
  private _onPromotionSettled(): void {
    this.pollOnce();
  }

  private async _fetchHistory(key: string): Promise<void> {
    let state: LoadState<MetricHistory>;
    try {
      state = {
        kind: 'ready',
        value: await this._client.metricHistory(this.runId, key)
      };
    } catch (error) {
      state = { kind: 'failed', message: errorMessage(error) };
    }
    if (!this.isDisposed) {
      this._histories.set(key, state);
      this.emitChanged();
    }
  }

  private readonly _client: XpClient;
  private readonly _histories = new Map<string, LoadState<MetricHistory>>();
  private _run: RunDetail | null = null;
}
