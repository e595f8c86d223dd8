// The model of a comparison tab: what differs between runs, and each compared metric's curves.
import type { CompareBody, MetricHistory, RunSummary } from '../api/types';
import { errorMessage, XpClient } from '../api/client';
import { LoadState, Model } from './base';

/** The curves of one metric in a comparison: one history per compared run. */
export type CompareCurves = LoadState<(MetricHistory | null)[]>;

/**
 * A comparison of two or more runs (`GET compare`) and, for each compared
 * metric, every run's history of it (for the overlaid curves). Fetched when
 * created and on {@link refresh}; runs that are compared have usually ended,
 * so it is not polled.
 */
export class CompareModel extends Model {
  /** Metric histories fetched at the same time. */
  static readonly CONCURRENCY = 4;

  /**
   * @param client - the REST client
   * @param runIds - two or more run ids, in column order
   */
  constructor(
    client: XpClient,
    readonly runIds: readonly string[]
  ) {
    super();
    this._client = client;
    void this.refresh();
  }

  /** The comparison. */
  get state(): LoadState<CompareBody> {
    return this._state;
  }

  /** The curves of one compared metric. */
  curves(key: string): CompareCurves {
    return this._curves.get(key) ?? { kind: 'loading' };
  }

  /** Fetch the comparison and its curves (again). */
  async refresh(): Promise<void> {
    const generation = ++this._generation;
    const current = (): boolean =>
      generation === this._generation && !this.isDisposed;
    this._state = { kind: 'loading' };
    this._curves.clear();
    this.emitChanged();
    let body: CompareBody;
    try {
      body = await this._client.compare(this.runIds);
    } catch (error) {
      if (current()) {
        this._state = { kind: 'failed', message: errorMessage(error) };
        this.emitChanged();
      }
      return;
    }
    if (!current()) {
      return;
    }
    this._state = { kind: 'ready', value: body };
    this.emitChanged();
    const queue = body.metrics.slice();
    const worker = async (): Promise<void> => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const curves = await this._fetchCurves(body.runs, row.key, row.values);
        if (!current()) {
          return;
        }
        this._curves.set(row.key, curves);
        this.emitChanged();
      }
    };
    await Promise.all(
      Array.from({ length: CompareModel.CONCURRENCY }, () => worker())
    );
  }

  private async _fetchCurves(
    runs: readonly RunSummary[],
    key: string,
    latest: readonly (number | null)[]
  ): Promise<CompareCurves> {
    try {
      const histories = await Promise.all(
        runs.map((run, i) =>
          latest[i] === null
            ? Promise.resolve(null)
            : this._client.metricHistory(run.run_id, key)
        )
      );
      return { kind: 'ready', value: histories };
    } catch (error) {
      return { kind: 'failed', message: errorMessage(error) };
    }
  }

  private readonly _client: XpClient;
  private readonly _curves = new Map<string, CompareCurves>();
  private _state: LoadState<CompareBody> = { kind: 'loading' };
  private _generation = 0;
}
