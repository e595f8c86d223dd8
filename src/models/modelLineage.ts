// The model of one registered model version's lineage (version → run, data, code, environment), opened from a run's Registered models list.
import type { ModelLineage } from '../api/types';
import { XpClient } from '../api/client';
import { FetchedModel } from './fetched';

/**
 * Version `number` of model `name` with its lineage tags
 * (`GET models/{name}/{version}`). Fetched on {@link load}, not polled: a
 * version's lineage is written once, when it is registered.
 */
export class ModelLineageModel extends FetchedModel<ModelLineage> {
  /**
   * @param client - the REST client
   * @param name - the registered model's name
   * @param number - the version's number (`version` is the change count)
   */
  constructor(
    client: XpClient,
    readonly name: string,
    readonly number: string
  ) {
    super();
    this._client = client;
  }

  protected fetch(): Promise<ModelLineage> {
    return this._client.modelLineage(this.name, this.number);
  }

  private readonly _client: XpClient;
}
