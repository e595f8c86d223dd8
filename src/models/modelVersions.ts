// The model of a run's registered model versions (lineage run → versions), for its detail tab.
import type { RunModels } from '../api/types';
import { XpClient } from '../api/client';
import { FetchedModel } from './fetched';
import { ModelLineageModel } from './modelLineage';

/**
 * The model versions registered from one run (`GET runs/{id}/models`), with
 * their aliases. Fetched on {@link load}, not polled: a version is made by
 * `jupyter xp register`, rarely while the tab is open, and Refresh asks again.
 */
export class ModelVersionsModel extends FetchedModel<RunModels> {
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

  /** The version whose lineage is open (disposed with this model), or `null`. */
  get lineage(): ModelLineageModel | null {
    return this._lineage;
  }

  /**
   * Open the lineage of version `version` of `name` and fetch it; close it
   * when it is the one open.
   */
  toggleLineage(name: string, version: string): void {
    const open = this._lineage;
    open?.dispose();
    this._lineage = null;
    if (open?.name !== name || open.number !== version) {
      this._lineage = new ModelLineageModel(this._client, name, version);
      void this._lineage.load();
    }
    this.emitChanged();
  }

  override dispose(): void {
    this._lineage?.dispose();
    this._lineage = null;
    super.dispose();
  }

  protected fetch(): Promise<RunModels> {
    return this._client.runModels(this.runId);
  }

  private readonly _client: XpClient;
  private _lineage: ModelLineageModel | null = null;
}
