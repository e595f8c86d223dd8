// The model of a run's registered model versions (lineage run → versions), for its detail tab.
import type { RunModels } from '../api/types';
import { errorMessage, XpClient } from '../api/client';
import { LoadState, Model } from './base';

/**
 * The model versions registered from one run (`GET runs/{id}/models`), with
 * their aliases. Fetched on {@link load}, not polled: a version is made by
 * `jupyter xp register`, rarely while the tab is open, and Refresh asks again.
 */
export class ModelVersionsModel extends Model {
  /**
   * @param client - the REST client
   * @param runId - the MLflow run id
   */
  constructor(
    client: XpClient,
    readonly runId: string
  ) {
    super();
    this._client = client;
  }

  /** The versions, once asked for. */
  get state(): LoadState<RunModels> {
    return this._state;
  }

  /** Whether they have been asked for at all. */
  get asked(): boolean {
    return this._generation > 0;
  }

  /** Fetch the versions (again); an older answer still on its way is dropped. */
  async load(): Promise<void> {
    const generation = ++this._generation;
    if (this._state.kind === 'failed') {
      this._state = { kind: 'loading' };
      this.emitChanged();
    }
    let state: LoadState<RunModels>;
    try {
      state = {
        kind: 'ready',
        value: await this._client.runModels(this.runId)
      };
    } catch (error) {
      state = { kind: 'failed', message: errorMessage(error) };
    }
    if (generation === this._generation && !this.isDisposed) {
      this._state = state;
      this.emitChanged();
    }
  }

  private readonly _client: XpClient;
  private _state: LoadState<RunModels> = { kind: 'loading' };
  private _generation = 0;
}
