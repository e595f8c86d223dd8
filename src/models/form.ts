// A dialog's model (Promote, Sweep): the plan the server proposes, the values as the user edits them, and the one request they make.
import { errorMessage } from '../api/client';
import { LoadState, Model } from './base';

/**
 * The model of a dialog that sends one request. It reads a plan from the
 * server ({@link load}), fills the form's values from it, keeps the user's
 * edits ({@link setValues}) and sends the request they make
 * ({@link submit}); the server's refusal becomes {@link error}, and the
 * dialog stays open with it.
 *
 * @typeParam P - the plan the form is filled from
 * @typeParam V - the form's values, as typed
 * @typeParam R - the request body
 * @typeParam T - what the server answers when it accepts the request
 */
export abstract class FormModel<P, V, R extends object, T> extends Model {
  /** The plan: loading, ready or failed with the server's message. */
  get plan(): LoadState<P> {
    return this._plan;
  }

  /** The values as edited; `null` until the plan has been read. */
  get values(): V | null {
    return this._values;
  }

  /** Whether the request is on its way. */
  get busy(): boolean {
    return this._busy;
  }

  /** What to fix, or why the server refused, in one line; `null` if nothing. */
  get error(): string | null {
    return this._error;
  }

  /** What the server answered once it accepted the request, else `null`. */
  get started(): T | null {
    return this._started;
  }

  /** Read the plan (again, for the Retry button); the values start from it. */
  async load(): Promise<void> {
    this._plan = { kind: 'loading' };
    this.emitChanged();
    let plan: LoadState<P>;
    try {
      plan = { kind: 'ready', value: await this.fetchPlan() };
    } catch (error) {
      plan = { kind: 'failed', message: errorMessage(error) };
    }
    if (this.isDisposed) {
      return;
    }
    this._plan = plan;
    this._values =
      plan.kind === 'ready' ? this.initialValues(plan.value) : null;
    this.emitChanged();
  }

  /** Take the user's edit; the last message goes, it was about other values. */
  setValues(values: V): void {
    this._values = values;
    this._error = null;
    this.emitChanged();
  }

  /**
   * Send the request. Resolves `true` once the server has accepted it;
   * `false` when a value is wrong or the server refused (the one-line reason
   * is then {@link error}), when there is nothing to send yet, or a request
   * is on its way.
   */
  async submit(): Promise<boolean> {
    if (this._started !== null) {
      return true;
    }
    if (this._busy || this._plan.kind !== 'ready' || this._values === null) {
      return false;
    }
    const request = this.buildRequest(this._plan.value, this._values);
    if (typeof request === 'string') {
      this._error = request;
      this.emitChanged();
      return false;
    }
    this._busy = true;
    this._error = null;
    this.emitChanged();
    try {
      this._started = await this.send(request);
      return true;
    } catch (error) {
      this._error = errorMessage(error);
      return false;
    } finally {
      this._busy = false;
      if (!this.isDisposed) {
        this.emitChanged();
      }
    }
  }

  /** Ask the server for the plan. */
  protected abstract fetchPlan(): Promise<P>;

  /** The form's starting values for a plan. */
  protected abstract initialValues(plan: P): V;

  /** The request the values make, or one line saying what to fix. */
  protected abstract buildRequest(plan: P, values: V): R | string;

  /** Send the request; rejects with the server's refusal. */
  protected abstract send(request: R): Promise<T>;

  private _plan: LoadState<P> = { kind: 'loading' };
  private _values: V | null = null;
  private _busy = false;
  private _error: string | null = null;
  private _started: T | null = null;
}
