import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import type {
  CompareBody,
  ConfigBody,
  MetricHistory,
  Promotion,
  RunDetail,
  RunSummary
} from '../api/types';
import { errorMessage, IRunsQuery, RunStatus, XpClient } from '../api/client';
import { isSameNotebook } from '../paths';
import {
  POLL_INTERVAL,
  POLL_MAX_INTERVAL,
  PROMOTION_POLL_INTERVAL
} from '../tokens';

/**
 * The models between the REST client and the React views. Each owns its
 * state, talks to the server through {@link XpClient} only, and emits
 * `changed` whenever anything a view shows has changed. Views read the
 * getters on `changed`; they never fetch.
 */

/** A value that is fetched: not there yet, there, or failed with a message. */
export type LoadState<T> =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly value: T }
  | { readonly kind: 'failed'; readonly message: string };

/** Poll frequency of the live views: every 2 s, backing off to 30 s on errors. */
const FREQUENCY = {
  interval: POLL_INTERVAL,
  backoff: 2,
  max: POLL_MAX_INTERVAL
};

/** What the run list shows: the search, filters and sort of `GET runs`. */
export interface IRunFilters {
  /** Text that run names contain ('' for all). */
  readonly q: string;
  /** Only runs in this state ('' for all). */
  readonly status: RunStatus | '';
  /** Only runs of this experiment ('' for all). */
  readonly experiment: string;
  /** `start_time`, `name` or `metrics.<key>`. */
  readonly sort: string;
  readonly order: 'asc' | 'desc';
}

/** Newest first, everything shown. */
export const DEFAULT_FILTERS: IRunFilters = {
  q: '',
  status: '',
  experiment: '',
  sort: 'start_time',
  order: 'desc'
};

/**
 * The live run list of the Experiments panel.
 *
 * The first page (`HEAD_SIZE` runs) is polled every 2 s while the panel is
 * visible, so new and running runs appear and update at once; the poll backs
 * off exponentially (up to 30 s) while the server fails and stands by while
 * the panel or the browser tab is hidden. Further pages are loaded on demand
 * ({@link loadMore}) and kept: the list is the polled head followed by the
 * loaded runs that are not in it, which keeps the server's order because
 * everything outside the first page sorts after it.
 */
export class RunListModel implements IDisposable {
  /** Runs in each poll of the first page. */
  static readonly HEAD_SIZE = 200;
  /** Runs in each further page. */
  static readonly PAGE_SIZE = 1000;

  /**
   * @param client - the REST client
   */
  constructor(client: XpClient) {
    this._client = client;
    this._poll = new Poll({
      name: 'jupyterlab-xp:runs',
      factory: () => this._fetchHead(),
      frequency: FREQUENCY,
      standby: () => !this._visible || document.hidden
    });
    void this._fetchConfig();
  }

  /** Emitted when anything the list shows has changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Where the runs are read from (`GET config`). */
  get config(): LoadState<ConfigBody> {
    return this._config;
  }

  /** The runs loaded so far, in the server's order. */
  get runs(): readonly RunSummary[] {
    return this._runs;
  }

  /** The current search, filters and sort. */
  get filters(): IRunFilters {
    return this._filters;
  }

  /** Whether filters other than the sort narrow the list. */
  get isFiltered(): boolean {
    const { q, status, experiment } = this._filters;
    return q.trim() !== '' || status !== '' || experiment !== '';
  }

  /** Whether the first page for the current filters has arrived. */
  get loaded(): boolean {
    return this._loaded;
  }

  /** The last request's failure, or `null` when it succeeded. */
  get error(): string | null {
    return this._error;
  }

  /** Whether the server has more runs than are loaded. */
  get hasMore(): boolean {
    return (this._tailLoaded ? this._tailToken : this._headToken) !== null;
  }

  /** Whether a further page is on its way. */
  get loadingMore(): boolean {
    return this._loadingMore;
  }

  /** Names of the experiments seen in any answer, sorted. */
  get experiments(): readonly string[] {
    return this._experiments;
  }

  /** Metric keys seen in any answer, sorted (the metrics one can sort by). */
  get metricKeys(): readonly string[] {
    return this._metricKeys;
  }

  /** Whether the panel is on screen; the poll stands by while it is not. */
  get visible(): boolean {
    return this._visible;
  }
  set visible(value: boolean) {
    if (value === this._visible) {
      return;
    }
    this._visible = value;
    if (value) {
      void this._poll.refresh();
    }
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Change the search, filters or sort: the list starts over from the first
   * page at once.
   */
  setFilters(patch: Partial<IRunFilters>): void {
    const next = { ...this._filters, ...patch };
    const same = (Object.keys(next) as (keyof IRunFilters)[]).every(
      key => next[key] === this._filters[key]
    );
    if (same) {
      return;
    }
    this._filters = next;
    this._generation += 1;
    this._head = [];
    this._headToken = null;
    this._tail = [];
    this._tailToken = null;
    this._tailLoaded = false;
    this._loadingMore = false;
    this._loaded = false;
    this._error = null;
    this._rebuild();
    void this._poll.refresh();
  }

  /** Ask the server again now (the Retry button). */
  refresh(): void {
    if (this._config.kind === 'failed') {
      void this._fetchConfig();
    }
    void this._poll.refresh();
  }

  /** Load the next page of runs, if there is one and none is on its way. */
  async loadMore(): Promise<void> {
    if (this._loadingMore || !this.hasMore) {
      return;
    }
    const token = this._tailLoaded ? this._tailToken : this._headToken;
    const generation = this._generation;
    this._loadingMore = true;
    this._changed.emit();
    try {
      const page = await this._client.runs({
        ...this._query(),
        limit: RunListModel.PAGE_SIZE,
        pageToken: token ?? undefined
      });
      if (generation !== this._generation || this._isDisposed) {
        return;
      }
      this._tail = this._tail.concat(page.runs);
      this._tailToken = page.next_page_token;
      this._tailLoaded = true;
      this._error = null;
      this._note(page.runs);
      this._rebuild();
    } catch (error) {
      if (generation === this._generation && !this._isDisposed) {
        this._error = errorMessage(error);
      }
    } finally {
      if (generation === this._generation && !this._isDisposed) {
        this._loadingMore = false;
        this._changed.emit();
      }
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    Signal.clearData(this);
  }

  private _query(): IRunsQuery {
    const { q, status, experiment, sort, order } = this._filters;
    return {
      q: q.trim() || undefined,
      status: status || undefined,
      experiment: experiment || undefined,
      sort,
      order
    };
  }

  private async _fetchConfig(): Promise<void> {
    let config: LoadState<ConfigBody>;
    try {
      config = { kind: 'ready', value: await this._client.config() };
    } catch (error) {
      config = { kind: 'failed', message: errorMessage(error) };
    }
    if (!this._isDisposed) {
      this._config = config;
      this._changed.emit();
    }
  }

  /** The poll's factory: rejects on failure so the poll backs off. */
  private async _fetchHead(): Promise<void> {
    const generation = this._generation;
    try {
      const page = await this._client.runs({
        ...this._query(),
        limit: RunListModel.HEAD_SIZE
      });
      if (generation !== this._generation || this._isDisposed) {
        return;
      }
      this._head = page.runs;
      this._headToken = page.next_page_token;
      this._loaded = true;
      this._error = null;
      this._note(page.runs);
      this._rebuild();
    } catch (error) {
      if (generation === this._generation && !this._isDisposed) {
        this._error = errorMessage(error);
        this._changed.emit();
      }
      throw error;
    }
  }

  /** Remember the experiments and metric keys of `runs`. */
  private _note(runs: readonly RunSummary[]): void {
    const experiments = new Set(this._experiments);
    const keys = new Set(this._metricKeys);
    for (const run of runs) {
      experiments.add(run.experiment);
      for (const key of Object.keys(run.metrics)) {
        keys.add(key);
      }
    }
    if (experiments.size !== this._experiments.length) {
      this._experiments = [...experiments].sort();
    }
    if (keys.size !== this._metricKeys.length) {
      this._metricKeys = [...keys].sort();
    }
  }

  private _rebuild(): void {
    const inHead = new Set(this._head.map(run => run.run_id));
    this._runs = this._head.concat(
      this._tail.filter(run => !inHead.has(run.run_id))
    );
    this._changed.emit();
  }

  private readonly _client: XpClient;
  private readonly _poll: Poll;
  private readonly _changed = new Signal<this, void>(this);
  private _config: LoadState<ConfigBody> = { kind: 'loading' };
  private _filters: IRunFilters = DEFAULT_FILTERS;
  private _generation = 0;
  private _head: RunSummary[] = [];
  private _headToken: string | null = null;
  private _tail: RunSummary[] = [];
  private _tailToken: string | null = null;
  private _tailLoaded = false;
  private _loadingMore = false;
  private _runs: readonly RunSummary[] = [];
  private _loaded = false;
  private _error: string | null = null;
  private _experiments: readonly string[] = [];
  private _metricKeys: readonly string[] = [];
  private _visible = false;
  private _isDisposed = false;
}

/**
 * One run's detail, the history of each of its metrics and the promotions
 * made from it.
 *
 * Fetched when created; while the run is RUNNING it is polled every 2 s
 * (with backoff on errors) as long as its tab is visible. When one of its
 * promotions ends, the run is fetched again: the server has linked the
 * promoted runs to it.
 */
export class RunDetailModel implements IDisposable {
  /**
   * @param client - the REST client
   * @param runId - the MLflow run id
   */
  constructor(
    client: XpClient,
    readonly runId: string
  ) {
    this._client = client;
    this.promotions = new PromotionsModel(client, runId);
    this.promotions.settled.connect(this._onPromotionSettled, this);
    this._poll = new Poll({
      name: `jupyterlab-xp:run:${runId}`,
      factory: () => this._fetch(),
      frequency: FREQUENCY,
      standby: () =>
        !this._visible ||
        document.hidden ||
        (this._run !== null &&
          this._error === null &&
          !this._stale &&
          this._run.status !== 'RUNNING')
    });
  }

  /** The promotions whose source is this run (disposed with this model). */
  readonly promotions: PromotionsModel;

  /** Emitted when the run or a metric history has changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The run, once it has been fetched (kept while a later fetch fails). */
  get run(): RunDetail | null {
    return this._run;
  }

  /** The last fetch's failure, or `null`. */
  get error(): string | null {
    return this._error;
  }

  /** The history of one metric of the run, once asked for. */
  history(key: string): LoadState<MetricHistory> {
    return this._histories.get(key) ?? { kind: 'loading' };
  }

  /** Whether the run's tab is on screen; polling stands by while it is not. */
  get visible(): boolean {
    return this._visible;
  }
  set visible(value: boolean) {
    if (value === this._visible) {
      return;
    }
    this._visible = value;
    this.promotions.visible = value;
    if (
      value &&
      (this._run === null || this._stale || this._run.status === 'RUNNING')
    ) {
      void this._poll.refresh();
    }
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Fetch the run again now (the Retry button). */
  refresh(): void {
    void this._poll.refresh();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    this.promotions.dispose();
    Signal.clearData(this);
  }

  /**
   * A promotion of this run has ended: its promoted runs are now linked to
   * it. The poll stands by for a finished run, so mark it stale to get one
   * more fetch through.
   */
  private _onPromotionSettled(): void {
    this._stale = true;
    void this._poll.refresh();
  }

  private async _fetch(): Promise<void> {
    this._stale = false;
    let run: RunDetail;
    try {
      run = await this._client.run(this.runId);
    } catch (error) {
      if (!this._isDisposed) {
        this._error = errorMessage(error);
        this._changed.emit();
      }
      throw error;
    }
    if (this._isDisposed) {
      return;
    }
    this._run = run;
    this._error = null;
    this._changed.emit();
    await Promise.all(
      Object.keys(run.metrics).map(key => this._fetchHistory(key))
    );
  }

  private async _fetchHistory(key: string): Promise<void> {
    let state: LoadState<MetricHistory>;
    try {
      state = {
        kind: 'ready',
        value: await this._client.metricHistory(this.runId, key)
      };
    } catch (error) {
      state = { kind: 'failed', message: errorMessage(error) };
    }
    if (!this._isDisposed) {
      this._histories.set(key, state);
      this._changed.emit();
    }
  }

  private readonly _client: XpClient;
  private readonly _poll: Poll;
  private readonly _changed = new Signal<this, void>(this);
  private readonly _histories = new Map<string, LoadState<MetricHistory>>();
  private _run: RunDetail | null = null;
  private _error: string | null = null;
  private _stale = false;
  private _visible = false;
  private _isDisposed = false;
}

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
export class PromotionsModel implements IDisposable {
  /**
   * @param client - the REST client
   * @param runId - the source run whose promotions these are; `null` for all
   */
  constructor(
    client: XpClient,
    readonly runId: string | null
  ) {
    this._client = client;
    this._poll = new Poll({
      name: `jupyterlab-xp:promotions:${runId ?? '*'}`,
      factory: () => this._fetch(),
      frequency: {
        interval: PROMOTION_POLL_INTERVAL,
        backoff: 2,
        max: POLL_MAX_INTERVAL
      },
      standby: () =>
        !this._visible ||
        document.hidden ||
        (this._loaded && !this._stale && this._error === null && !this.active)
    });
  }

  /** Emitted when anything the views show has changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
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

  /** The last fetch's failure, or `null`. */
  get error(): string | null {
    return this._error;
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

  /** Whether a view of the promotions is on screen; polling stands by while not. */
  get visible(): boolean {
    return this._visible;
  }
  set visible(value: boolean) {
    if (value === this._visible) {
      return;
    }
    this._visible = value;
    if (value) {
      // Promotions may have started elsewhere (the CLI, another tab) while
      // the view was hidden: ask once even if all known ones have ended.
      this._stale = true;
      void this._poll.refresh();
    }
  }

  get isDisposed(): boolean {
    return this._isDisposed;
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
    void this._poll.refresh();
  }

  /** Ask the job to stop; its progress shows it ending. */
  async cancel(id: string): Promise<void> {
    if (this._cancelling.has(id)) {
      return;
    }
    this._cancelling.add(id);
    this._cancelErrors.delete(id);
    this._changed.emit();
    try {
      const promotion = await this._client.cancelPromotion(id);
      if (this._isDisposed) {
        return;
      }
      this._set(
        this._promotions.map(known => (known.id === id ? promotion : known))
      );
    } catch (error) {
      if (!this._isDisposed) {
        this._cancelErrors.set(id, errorMessage(error));
      }
    } finally {
      if (!this._isDisposed) {
        this._cancelling.delete(id);
        this._changed.emit();
        void this._poll.refresh();
      }
    }
  }

  /** Fetch again now (the Retry button). */
  refresh(): void {
    this._stale = true;
    void this._poll.refresh();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    Signal.clearData(this);
  }

  /** The poll's factory: rejects on failure so the poll backs off. */
  private async _fetch(): Promise<void> {
    this._stale = false;
    let promotions: Promotion[];
    try {
      const list = await this._client.promotions(this.runId ?? undefined);
      promotions = list.promotions;
    } catch (error) {
      if (!this._isDisposed) {
        this._error = errorMessage(error);
        this._changed.emit();
      }
      throw error;
    }
    if (this._isDisposed) {
      return;
    }
    for (const promotion of promotions) {
      this._pinned.delete(promotion.id);
    }
    const news = this._error !== null || !this._loaded;
    this._error = null;
    this._loaded = true;
    this._set(this._merge(promotions), news);
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
      this._changed.emit();
    }
  }

  private readonly _client: XpClient;
  private readonly _poll: Poll;
  private readonly _changed = new Signal<this, void>(this);
  private readonly _settled = new Signal<this, Promotion>(this);
  /** Promotions added here that no answer has brought yet, oldest first. */
  private readonly _pinned = new Map<string, Promotion>();
  private readonly _cancelling = new Set<string>();
  private readonly _cancelErrors = new Map<string, string>();
  private _promotions: Promotion[] = [];
  private _signature = '';
  private _loaded = false;
  private _stale = false;
  private _error: string | null = null;
  private _visible = false;
  private _isDisposed = false;
}

/** The curves of one metric in a comparison: one history per compared run. */
export type CompareCurves = LoadState<(MetricHistory | null)[]>;

/**
 * A comparison of two or more runs (`GET compare`) and, for each compared
 * metric, every run's history of it (for the overlaid curves).
 */
export class CompareModel implements IDisposable {
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
    this._client = client;
    void this.refresh();
  }

  /** Emitted when the comparison or a metric's curves have changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The comparison. */
  get state(): LoadState<CompareBody> {
    return this._state;
  }

  /** The curves of one compared metric. */
  curves(key: string): CompareCurves {
    return this._curves.get(key) ?? { kind: 'loading' };
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Fetch the comparison and its curves (again). */
  async refresh(): Promise<void> {
    const generation = ++this._generation;
    this._state = { kind: 'loading' };
    this._curves.clear();
    this._changed.emit();
    let body: CompareBody;
    try {
      body = await this._client.compare(this.runIds);
    } catch (error) {
      if (generation === this._generation && !this._isDisposed) {
        this._state = { kind: 'failed', message: errorMessage(error) };
        this._changed.emit();
      }
      return;
    }
    if (generation !== this._generation || this._isDisposed) {
      return;
    }
    this._state = { kind: 'ready', value: body };
    this._changed.emit();
    const queue = body.metrics.slice();
    const worker = async (): Promise<void> => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const curves = await this._fetchCurves(body.runs, row.key, row.values);
        if (generation !== this._generation || this._isDisposed) {
          return;
        }
        this._curves.set(row.key, curves);
        this._changed.emit();
      }
    };
    await Promise.all(
      Array.from({ length: CompareModel.CONCURRENCY }, () => worker())
    );
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    Signal.clearData(this);
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
  private readonly _changed = new Signal<this, void>(this);
  private readonly _curves = new Map<string, CompareCurves>();
  private _state: LoadState<CompareBody> = { kind: 'loading' };
  private _generation = 0;
  private _isDisposed = false;
}

/** What the Record button is waiting for after it ran code in a kernel. */
export type PendingAction = 'starting' | 'stopping';

/**
 * Which open notebooks are being recorded, for the notebook toolbar's Record
 * button and the status bar.
 *
 * The panel never talks to the kernel's recorder: it learns from the store.
 * One poll (`GET runs?status=RUNNING`, every 2 s while any notebook is open
 * and the browser tab is visible) serves every open notebook. A run belongs
 * to a notebook when its recorded path is the server root joined with the
 * notebook's path, or ends with `/` + that path (the recorder resolves
 * symlinks; the server root may be reached through one). When several match,
 * the newest wins.
 */
export class RecordingModel implements IDisposable {
  /** Running runs asked for in each poll. */
  static readonly LIMIT = 100;
  /** How long a Record click waits for the store to show its effect, in ms. */
  static readonly PENDING_TIMEOUT = 60000;

  /**
   * @param client - the REST client
   * @param serverRoot - the server's root folder (`PageConfig` `serverRoot`)
   */
  constructor(
    client: XpClient,
    readonly serverRoot: string
  ) {
    this._client = client;
    this._poll = new Poll({
      name: 'jupyterlab-xp:recording',
      factory: () => this._fetch(),
      frequency: FREQUENCY,
      standby: () => this._watchers === 0 || document.hidden
    });
  }

  /** Emitted when the running runs or a pending action have changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The last poll's failure, or `null`. */
  get error(): string | null {
    return this._error;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Declare an open notebook: the model polls while at least one is.
   *
   * @returns a disposable that withdraws the declaration
   */
  watch(): IDisposable {
    this._watchers += 1;
    if (this._watchers === 1) {
      void this._poll.refresh();
    }
    let done = false;
    return {
      get isDisposed() {
        return done;
      },
      dispose: () => {
        if (!done) {
          done = true;
          this._watchers -= 1;
        }
      }
    };
  }

  /**
   * The running run recorded from the notebook at `path` (relative to the
   * server root), or `null`.
   */
  runFor(path: string): RunSummary | null {
    return (
      this._running.find(
        run =>
          run.notebook !== null &&
          isSameNotebook(run.notebook, path, this.serverRoot)
      ) ?? null
    );
  }

  /** What a Record click on the notebook at `path` still waits for. */
  pendingFor(path: string): PendingAction | null {
    return this._pending.get(path)?.action ?? null;
  }

  /**
   * Note that code that starts or stops a recording was sent to the kernel
   * of the notebook at `path`; `null` clears it (the code failed).
   */
  setPending(path: string, action: PendingAction | null): void {
    if (action === null) {
      this._pending.delete(path);
    } else {
      this._pending.set(path, { action, since: Date.now() });
    }
    this._changed.emit();
    void this._poll.refresh();
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _fetch(): Promise<void> {
    let changed: boolean;
    try {
      const page = await this._client.runs({
        status: 'RUNNING',
        limit: RecordingModel.LIMIT
      });
      if (this._isDisposed) {
        return;
      }
      const signature = JSON.stringify(
        page.runs.map(run => [run.run_id, run.name, run.notebook, run.cells])
      );
      changed = signature !== this._signature || this._error !== null;
      this._signature = signature;
      this._running = page.runs;
      this._error = null;
    } catch (error) {
      if (!this._isDisposed) {
        this._error = errorMessage(error);
        this._changed.emit();
      }
      throw error;
    }
    const now = Date.now();
    for (const [path, { action, since }] of this._pending) {
      const recording = this.runFor(path) !== null;
      const settled = action === 'starting' ? recording : !recording;
      if (settled || now - since > RecordingModel.PENDING_TIMEOUT) {
        this._pending.delete(path);
        changed = true;
      }
    }
    if (changed) {
      this._changed.emit();
    }
  }

  private readonly _client: XpClient;
  private readonly _poll: Poll;
  private readonly _changed = new Signal<this, void>(this);
  private readonly _pending = new Map<
    string,
    { action: PendingAction; since: number }
  >();
  private _running: readonly RunSummary[] = [];
  private _signature = '';
  private _error: string | null = null;
  private _watchers = 0;
  private _isDisposed = false;
}
