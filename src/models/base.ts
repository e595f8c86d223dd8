// The models' base classes: a change signal and disposal for every model, and polling (visibility, back-off) for the live ones.
import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage, isUnreachable } from '../api/client';
import { POLL_INTERVAL, POLL_MAX_INTERVAL } from '../tokens';

/**
 * The models sit between the REST client and the React views. Each owns its
 * state, talks to the server through an `XpClient` only, and emits `changed`
 * whenever anything a view shows has changed. Views read the getters on
 * `changed`; they never fetch.
 */

/** A value that is fetched: not there yet, there, or failed with a message. */
export type LoadState<T> =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly value: T }
  | { readonly kind: 'failed'; readonly message: string };

/** A model: state that views render, and a signal for when it changes. */
export abstract class Model implements IDisposable {
  /** Emitted when anything the views show has changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * How many times `changed` has been emitted: a view that renders the model
   * compares it to tell whether it missed a change (React's
   * `useSyncExternalStore` snapshot).
   */
  get version(): number {
    return this._version;
  }

  /** Stop all work; answers that arrive later are dropped. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
  }

  protected emitChanged(): void {
    this._version += 1;
    this._changed.emit();
  }

  private readonly _changed = new Signal<this, void>(this);
  private _version = 0;
  private _isDisposed = false;
}

/** Options of a {@link PollingModel}. */
export interface IPollingOptions {
  /** The poll's name (it shows in Lumino's debugging output). */
  name: string;
  /** Milliseconds between polls while the server answers. */
  interval?: number;
}

/**
 * A model that polls the server while someone can see it.
 *
 * The poll (a Lumino `Poll` calling {@link fetch}) runs every `interval`
 * (2 s by default) while the model is {@link visible} and the browser tab is
 * shown; it stands by otherwise, and while the model is {@link idle}. When a
 * fetch fails, its message becomes {@link error} and the poll backs off
 * exponentially, up to 30 s, until the server answers again.
 */
export abstract class PollingModel extends Model {
  constructor(options: IPollingOptions) {
    super();
    this._poll = new Poll({
      name: options.name,
      factory: () => {
        this._stale = false;
        return this.fetch();
      },
      frequency: {
        interval: options.interval ?? POLL_INTERVAL,
        backoff: 2,
        max: POLL_MAX_INTERVAL
      },
      standby: () =>
        !this._visible || document.hidden || (!this._stale && this.idle)
    });
  }

  /** The last fetch's failure, or `null` when it succeeded. */
  get error(): string | null {
    return this._error;
  }

  /**
   * Whether the last failure was the store or the server being unreachable:
   * the poll keeps retrying (with back-off) and the view says so.
   */
  get retrying(): boolean {
    return this._error !== null && this._retrying;
  }

  /** Whether a view of the model is on screen; the poll stands by while not. */
  get visible(): boolean {
    return this._visible;
  }
  set visible(value: boolean) {
    if (value === this._visible) {
      return;
    }
    this._visible = value;
    this.onVisibleChanged(value);
  }

  /** Ask the server again now (the Retry button). */
  refresh(): void {
    this.pollNow();
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    super.dispose();
  }

  /**
   * The poll's factory: one round of requests, made with {@link request}.
   * It rejects on failure, so that the poll backs off.
   */
  protected abstract fetch(): Promise<void>;

  /**
   * Whether nothing can change without the user (a finished run): the poll
   * stands by, unless {@link pollOnce} asked for one more fetch.
   */
  protected get idle(): boolean {
    return false;
  }

  /** Whether {@link pollOnce} asked for a fetch that has not started yet. */
  protected get stale(): boolean {
    return this._stale;
  }

  /** What showing or hiding the view does: showing asks the server at once. */
  protected onVisibleChanged(visible: boolean): void {
    if (visible) {
      this.pollNow();
    }
  }

  /** Poll now rather than at the next tick (and reset the back-off). */
  protected pollNow(): void {
    void this._poll.refresh();
  }

  /** Poll now, and once even when {@link idle}. */
  protected pollOnce(): void {
    this._stale = true;
    this.pollNow();
  }

  /** Set or clear {@link error}; the caller emits `changed`. */
  protected setError(message: string | null): void {
    this._error = message;
  }

  /**
   * Make a request of a poll. Its failure becomes {@link error} (and
   * `changed` is emitted) and is thrown again, so that the poll backs off.
   *
   * @param send - makes the request
   * @param current - whether an answer is still wanted (the filters have not
   *   changed since it was asked for)
   * @returns the answer, or `null` when it is no longer wanted (the model was
   *   disposed meanwhile, or `current()` is false)
   */
  protected async request<T>(
    send: () => Promise<T>,
    current: () => boolean = () => true
  ): Promise<T | null> {
    let answer: T;
    try {
      answer = await send();
    } catch (error) {
      if (current() && !this.isDisposed) {
        this._error = errorMessage(error);
        this._retrying = isUnreachable(error);
        this.emitChanged();
      }
      throw error;
    }
    return current() && !this.isDisposed ? answer : null;
  }

  private readonly _poll: Poll;
  private _error: string | null = null;
  private _retrying = false;
  private _stale = false;
  private _visible = false;
}
