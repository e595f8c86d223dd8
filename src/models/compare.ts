// The model of a comparison tab: what differs between runs, and each compared metric's curves per seed group.
import type { CompareBody, CompareCurves } from '../api/types';
import { errorMessage, XpClient } from '../api/client';
import { LoadState, Model } from './base';
import { GateModel } from './gate';

/**
 * A comparison of two or more runs (`GET compare`) and, for each compared
 * metric, its curves per seed group (`GET compare/curves`: the mean, its band
 * and each run's own curve). Fetched when created and on {@link refresh};
 * runs that are compared have usually ended, so it is not polled.
 */
export class CompareModel extends Model {
  /** Metrics whose curves are fetched at the same time. */
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
    this.gate = new GateModel(client);
    void this.refresh();
  }

  /** "Gate against…": a gate between the compared sides (disposed with this model). */
  readonly gate: GateModel;

  /** The comparison. */
  get state(): LoadState<CompareBody> {
    return this._state;
  }

  /**
   * The seed component the seed groups hold (`data`: runs are grouped by
   * `seed.data` too, so each group's spread is the other components' noise),
   * or null for groups that differ only in their seeds.
   */
  get holdSeed(): string | null {
    return this._holdSeed;
  }

  /** Hold a seed component (null: none), and compare again. */
  setHoldSeed(name: string | null): void {
    if (name === this._holdSeed) {
      return;
    }
    this._holdSeed = name;
    void this.refresh();
  }

  /** The curves of one compared metric. */
  curves(key: string): LoadState<CompareCurves> {
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
      body = await this._client.compare(this.runIds, this._holdSeed);
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
        const curves = await this._fetchCurves(row.key);
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

  override dispose(): void {
    this.gate.dispose();
    super.dispose();
  }

  private async _fetchCurves(key: string): Promise<LoadState<CompareCurves>> {
    try {
      const value = await this._client.compareCurves(
        this.runIds,
        key,
        this._holdSeed
      );
      return { kind: 'ready', value };
    } catch (error) {
      return { kind: 'failed', message: errorMessage(error) };
    }
  }

  private readonly _client: XpClient;
  private readonly _curves = new Map<string, LoadState<CompareCurves>>();
  private _state: LoadState<CompareBody> = { kind: 'loading' };
  private _generation = 0;
  private _holdSeed: string | null = null;
}
