// The model of a comparison's "Gate against…": the sides and metrics a comparison offers, and the gate's decision.
import type { CompareBody, GateBody } from '../api/types';
import { errorMessage, IGateQuery, XpClient } from '../api/client';
import { LoadState, Model } from './base';

export type { IGateQuery } from '../api/client';

/** The gate's answer: not asked yet, on its way, the decision, or why not. */
export type GateState = { readonly kind: 'idle' } | LoadState<GateBody>;

/** A side of a comparison that can be gated: one seed group, by its runs' ids. */
export interface IGateSide {
  /** The seed group's label (`width=16`). */
  readonly label: string;
  /** The selection the gate is asked with: the group's run ids. */
  readonly selection: string;
  readonly runs: number;
}

/** The seed groups of a comparison as gate sides, in the comparison's order. */
export function gateSides(body: CompareBody): IGateSide[] {
  return body.seed_groups.map(group => ({
    label: group.label,
    selection: group.run_ids.join(','),
    runs: group.run_ids.length
  }));
}

/**
 * The compared metrics a gate can test: `system/*` measures the machine, and
 * the server refuses to gate on it (the comparison lists those as untested).
 */
export function gateMetrics(body: CompareBody): string[] {
  const untested = new Set(body.untested_metrics);
  return body.metrics
    .map(row => row.key)
    .filter(key => !untested.has(key) && !key.startsWith('system/'));
}

/**
 * One gate at a time (`GET gate`): asking again drops the answer of the
 * previous question, even one still on its way.
 */
export class GateModel extends Model {
  /**
   * @param client - the REST client
   */
  constructor(client: XpClient) {
    super();
    this._client = client;
  }

  /** The last question's answer. */
  get state(): GateState {
    return this._state;
  }

  /** The last question asked, or `null` before the first. */
  get query(): IGateQuery | null {
    return this._query;
  }

  /** Ask the server for the gate's decision on `query`. */
  async gate(query: IGateQuery): Promise<void> {
    const generation = ++this._generation;
    this._query = query;
    this._state = { kind: 'loading' };
    this.emitChanged();
    let state: GateState;
    try {
      state = { kind: 'ready', value: await this._client.gate(query) };
    } catch (error) {
      state = { kind: 'failed', message: errorMessage(error) };
    }
    if (generation === this._generation && !this.isDisposed) {
      this._state = state;
      this.emitChanged();
    }
  }

  /** Forget the question and its answer (the form was closed). */
  clear(): void {
    this._generation += 1;
    this._query = null;
    this._state = { kind: 'idle' };
    this.emitChanged();
  }

  private readonly _client: XpClient;
  private _state: GateState = { kind: 'idle' };
  private _query: IGateQuery | null = null;
  private _generation = 0;
}
