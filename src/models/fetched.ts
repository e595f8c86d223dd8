// The base of models that fetch one value on demand (not polled): its load state, and a reload that drops an older answer.
import { errorMessage } from '../api/client';
import { LoadState, Model } from './base';

/**
 * One value fetched on {@link load} (again on each call, for Refresh or
 * Retry); an answer that arrives after a newer request, or after dispose, is
 * dropped.
 */
export abstract class FetchedModel<T> extends Model {
  /** The value, once asked for. */
  get state(): LoadState<T> {
    return this._state;
  }

  /** Whether it has been asked for at all. */
  get asked(): boolean {
    return this._generation > 0;
  }

  /** Fetch the value (again). */
  async load(): Promise<void> {
    const generation = ++this._generation;
    if (this._state.kind === 'failed') {
      this._state = { kind: 'loading' };
      this.emitChanged();
    }
    let state: LoadState<T>;
    try {
      state = { kind: 'ready', value: await this.fetch() };
    } catch (error) {
      state = { kind: 'failed', message: errorMessage(error) };
    }
    if (generation === this._generation && !this.isDisposed) {
      this._state = state;
      this.emitChanged();
    }
  }

  /** The request that answers the value. */
  protected abstract fetch(): Promise<T>;

  private _state: LoadState<T> = { kind: 'loading' };
  private _generation = 0;
}
