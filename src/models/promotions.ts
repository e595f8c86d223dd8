// The model of promotion jobs and their progress (a run's, or all of them).
import { ISignal, Signal } from '@lumino/signaling';

import type { Promotion } from '../api/types';
import { errorMessage, XpClient } from '../api/client';
import { PROMOTION_POLL_INTERVAL } from '../tokens';
import { PollingModel } from './base';

/** Whether a promotion is still on its way (queued or running). */
export function isActivePromotion(promotion: Promotion): boolean {
  return promotion.state === 'queued' || promotion.state === 'running';
}

/**
 * Promotion jobs with their progress: those of one source run, or all of
 * them (`runId` `null`), newest first.
 *
 * Polled every second while any of them is queued or running and a view of
 * them is visible (backing off to 30 s while the server fails); once all have
 * ended the poll stands by until the view is shown again or a promotion is
 * {@link add}ed.
 */
export class PromotionsModel extends PollingModel {
  /**
   * @param client - the REST client
   * @param runId - the source run whose promotions these are; `null` for all
   */
  constructor(
    client: XpClient,
    readonly runId: string | null
  ) {
    super({
      name: `jupyterlab-xp:promotions:${runId ?? '*'}`,
      interval: PROMOTION_POLL_INTERVAL
    });
    this._client = client;
  }

  /** Emitted with a promotion seen queued or running once it has ended. */
  get settled(): ISignal<this, Promotion> {
    return this._settled;
  }

  /** The promotions, newest first. */
  get promotions(): readonly Promotion[] {
    return this._promotions;
  }

  /** Whether the first answer has arrived. */
  get loaded(): boolean {
    return this._loaded;
  }

  /** Whether any promotion is queued or running. */
  get active(): boolean {
    return this._promotions.some(isActivePromotion);
  }

  /** Whether a cancel of the promotion `id` is on its way. */
  isCancelling(id: string): boolean {
    return this._cancelling.has(id);
  }

  /** Why the last cancel of the promotion `id` failed, or `null`. */
  cancelError(id: string): string | null {
    return this._cancelErrors.get(id) ?? null;
  }

  /**
   * Show a promotion that was just started, before the next poll brings it,
   * and poll its progress. Ignored when it belongs to another source run.
   */
  add(promotion: Promotion): void {
    if (this.runId !== null && promotion.source_run_id !== this.runId) {
      return;
    }
    this._pinned.set(promotion.id, promotion);
    this._set(this._merge(this._promotions));
    this.pollNow();
  }

  /** Ask the job to stop; its progress shows it ending. */
  async cancel(id: string): Promise<void> {
    if (this._cancelling.has(id)) {
      return;
    }
    this._cancelling.add(id);
    this._cancelErrors.delete(id);
    this.emitChanged();
    try {
      const promotion = await this._client.cancelPromotion(id);
      if (this.isDisposed) {
        return;
      }
      this._set(
        this._promotions.map(known => (known.id === id ? promotion : known))
      );
    } catch (error) {
      if (!this.isDisposed) {
        this._cancelErrors.set(id, errorMessage(error));
      }
    } finally {
      if (!this.isDisposed) {
        this._cancelling.delete(id);
        this.emitChanged();
        this.pollNow();
      }
    }
  }

  /** Fetch again now (the Retry button), even when every job has ended. */
  override refresh(): void {
    this.pollOnce();
  }

  /** Once every known job has ended, nothing changes by itself. */
  protected override get idle(): boolean {
    return this._loaded && this.error === null && !this.active;
  }

  /**
   * Promotions may have started elsewhere (the CLI, another tab) while the
   * view was hidden: when it is shown, ask once even if all known ones have
   * ended.
   */
  protected override onVisibleChanged(visible: boolean): void {
    if (visible) {
      this.pollOnce();
    }
  }

  /** The poll: the promotions, merged with those added here. */
  protected async fetch(): Promise<void> {
    const list = await this.request(() =>
      this._client.promotions(this.runId ?? undefined)
    );
    if (list === null) {
      return;
    }
    for (const promotion of list.promotions) {
      this._pinned.delete(promotion.id);
    }
    const news = this.error !== null || !this._loaded;
    this.setError(null);
    this._loaded = true;
    this._set(this._merge(list.promotions), news);
  }

  /**
   * The server's list with the promotions added here in front: a poll that
   * left before the job was created does not have it yet.
   */
  private _merge(promotions: readonly Promotion[]): Promotion[] {
    const fetched = new Set(promotions.map(promotion => promotion.id));
    const pinned = [...this._pinned.values()].filter(
      promotion => !fetched.has(promotion.id)
    );
    return [...pinned.reverse(), ...promotions];
  }

  /**
   * Replace the list and tell who ended; emit `changed` only when the list
   * differs (polls bring the same answer every second) or `force` is set.
   */
  private _set(promotions: Promotion[], force = false): void {
    const before = new Map(
      this._promotions.map(promotion => [promotion.id, promotion])
    );
    const signature = JSON.stringify(promotions);
    const changed = signature !== this._signature;
    this._signature = signature;
    this._promotions = promotions;
    for (const promotion of promotions) {
      const previous = before.get(promotion.id);
      if (
        previous !== undefined &&
        isActivePromotion(previous) &&
        !isActivePromotion(promotion)
      ) {
        this._settled.emit(promotion);
      }
    }
    if (changed || force) {
      this.emitChanged();
    }
  }

  private readonly _client: XpClient;
  private readonly _settled = new Signal<this, Promotion>(this);
  /** Promotions added here that no answer has brought yet, oldest first. */
  private readonly _pinned = new Map<string, Promotion>();
  private readonly _cancelling = new Set<string>();
  private readonly _cancelErrors = new Map<string, string>();
  private _promotions: Promotion[] = [];
  private _signature = '';
  private _loaded = false;
}
