// The model of the Experiments panel's run list: polled first page, further pages, filters, CSV export, restore.
import type { ConfigBody, RunList, RunSummary } from '../api/types';
import { errorMessage, IRunsQuery, RunStatus, XpClient } from '../api/client';
import { LoadState, PollingModel } from './base';
import { METRICS, PARAMS, parseColumn } from './columns';
import {
  DEFAULT_TABLE,
  IRunTableSettings,
  ITableSettingsStore,
  ITableSort,
  parseTableSettings,
  saveTableSettings
} from './runTable';

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
  /** List archived runs too (marked, with Restore). */
  readonly showArchived: boolean;
}

/**
 * Whether the server sorts by `column` (`GET runs`' `sort`), across every
 * page. It cannot sort by a param or the seed (a param too) the way the
 * table does: MLflow's search orders params as text (`10` before `9`,
 * `1e-3` after `0.01`). The table sorts those itself, over every run the
 * filters match, all loaded for it ({@link RunListModel.sortReady}): a sort
 * of the loaded pages alone would put runs of later pages in the wrong place.
 */
export function serverSorts(column: string): boolean {
  return (
    column === 'start_time' ||
    column === 'name' ||
    parseColumn(column, METRICS) !== null
  );
}

/** Newest first, everything shown. */
export const DEFAULT_FILTERS: IRunFilters = {
  q: '',
  status: '',
  experiment: '',
  sort: 'start_time',
  order: 'desc',
  showArchived: false
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
export class RunListModel extends PollingModel {
  /** Runs in each poll of the first page. */
  static readonly HEAD_SIZE = 200;
  /** Runs in each further page. */
  static readonly PAGE_SIZE = 1000;
  /** Runs loaded at most for a sort the table does itself (as a CSV export). */
  static readonly MAX_SORTED = 10_000;

  /**
   * @param client - the REST client
   */
  constructor(client: XpClient) {
    super({ name: 'jupyterlab-xp:runs' });
    this._client = client;
    void this._fetchConfig();
  }

  /** List or table, the table's columns and sort (the plugin's settings). */
  get table(): IRunTableSettings {
    return this._table;
  }

  /**
   * Read the view, columns and sort from the plugin's settings, follow their
   * changes (the Settings Editor), and write the user's changes to them.
   */
  useSettings(settings: ITableSettingsStore): void {
    this._settings = settings;
    const apply = (): void => {
      if (this.isDisposed) {
        return;
      }
      const table = parseTableSettings(settings.composite);
      const sort = table.sort;
      if (sort !== null && serverSorts(sort.column)) {
        // Saved by an earlier version, which sorted one page at a time, or
        // set by hand: the server sorts by it now, and the setting goes.
        this._applyTable({ ...table, sort: null });
        this.setFilters({ sort: sort.column, order: sort.order });
        void settings.set('sort', null);
      } else {
        this._applyTable(table);
      }
    };
    settings.changed.connect(apply, this);
    apply();
  }

  /**
   * Change the view, the table's columns or its sort, and keep the change in
   * the settings. Runs are asked for again (from the first page) when the
   * param columns the table needs change.
   */
  setTable(patch: Partial<IRunTableSettings>): void {
    if (patch.sort && serverSorts(patch.sort.column)) {
      const { sort, ...rest } = patch;
      this.setTable({ ...rest, sort: null });
      this.setSort(sort);
      return;
    }
    const before = this._table;
    this._applyTable({ ...this._table, ...patch });
    if (this._settings !== null) {
      void saveTableSettings(this._settings, before, patch);
    }
  }

  private _applyTable(table: IRunTableSettings): void {
    const before = this._paramQuery();
    this._table = table;
    if (String(this._paramQuery()) !== String(before)) {
      this._restart();
    } else {
      this.emitChanged();
      this._loadForSort();
    }
  }

  /**
   * The list's one sort: the server's (`start_time`, `name`,
   * `metrics.<key>`), or in the table a param or the seed, which the table
   * sorts itself ({@link sortsHere}).
   */
  get sort(): ITableSort {
    const { view, sort } = this._table;
    return view === 'table' && sort !== null
      ? sort
      : { column: this._filters.sort, order: this._filters.order };
  }

  /**
   * Whether the table sorts the runs itself (a param or the seed column,
   * see {@link serverSorts}), over every run loaded for it.
   */
  get sortsHere(): boolean {
    return this._table.view === 'table' && this._table.sort !== null;
  }

  /**
   * Whether the runs can be shown in their sort: always for the server's
   * sort; for one the table does, once every run the filters match is loaded
   * or {@link MAX_SORTED} are ({@link sortCapped}).
   */
  get sortReady(): boolean {
    return (
      !this.sortsHere || (this._loaded && (!this.hasMore || this.sortCapped))
    );
  }

  /** Whether a sort the table does covers only the first {@link MAX_SORTED} runs. */
  get sortCapped(): boolean {
    return (
      this.sortsHere &&
      this.hasMore &&
      this._runs.length >= RunListModel.MAX_SORTED
    );
  }

  /**
   * Sort by a column: the server sorts where it can ({@link serverSorts}),
   * else the table (kept in the settings with the table's columns).
   */
  setSort(sort: ITableSort): void {
    if (!serverSorts(sort.column)) {
      this.setTable({ sort });
      return;
    }
    if (this._table.sort !== null) {
      this.setTable({ sort: null });
    }
    this.setFilters({ sort: sort.column, order: sort.order });
  }

  /** Param keys seen in any answer of the table view, sorted (its column chooser). */
  get paramKeys(): readonly string[] {
    return this._paramKeys;
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
    this._restart();
  }

  /** Start the list over from the first page, at once. */
  private _restart(): void {
    this._generation += 1;
    this._head = [];
    this._headToken = null;
    this._tail = [];
    this._tailToken = null;
    this._tailLoaded = false;
    this._loadingMore = false;
    this._loaded = false;
    this.setError(null);
    this._rebuild();
    this.pollNow();
  }

  /** Why the last export or restore failed (the server's one line), or `null`. */
  get actionError(): string | null {
    return this._actionError;
  }

  /**
   * The runs the current search and filters match, every page (up to the
   * server's cap), as CSV with a column per param and per metric; `null`
   * when the server failed ({@link actionError} says why).
   */
  async exportCsv(): Promise<string | null> {
    return this._act(() =>
      this._client.runsCsv({ ...this._query(), params: undefined })
    );
  }

  /** Bring an archived run back; the list is asked for again. */
  async restore(runId: string): Promise<boolean> {
    const done = await this._act(() => this._client.restoreRun(runId));
    if (done !== null) {
      this.pollNow();
    }
    return done !== null;
  }

  /** Ask the server again now (the Retry button), the store too if it failed. */
  override refresh(): void {
    if (this._config.kind === 'failed') {
      void this._fetchConfig();
    }
    super.refresh();
  }

  /** Load the next page of runs, if there is one and none is on its way. */
  async loadMore(): Promise<void> {
    if (this._loadingMore || !this.hasMore) {
      return;
    }
    const token = this._tailLoaded ? this._tailToken : this._headToken;
    const generation = this._generation;
    const current = (): boolean =>
      generation === this._generation && !this.isDisposed;
    this._loadingMore = true;
    this.emitChanged();
    let loaded = false;
    try {
      const page = await this._client.runs({
        ...this._query(),
        limit: RunListModel.PAGE_SIZE,
        pageToken: token ?? undefined
      });
      if (!current()) {
        return;
      }
      this._tail = this._tail.concat(page.runs);
      this._tailToken = page.next_page_token;
      this._tailLoaded = true;
      this.setError(null);
      this._note(page);
      this._rebuild();
      loaded = true;
    } catch (error) {
      if (current()) {
        this.setError(errorMessage(error));
      }
    } finally {
      if (current()) {
        this._loadingMore = false;
        this.emitChanged();
        // After a failure the next poll goes on (at the poll's pace, backing off).
        if (loaded) {
          this._loadForSort();
        }
      }
    }
  }

  /** For a sort the table does, the next page, until all are loaded or {@link MAX_SORTED}. */
  private _loadForSort(): void {
    if (
      this.sortsHere &&
      this._loaded &&
      !this._loadingMore &&
      !this.sortReady
    ) {
      void this.loadMore();
    }
  }

  /** The poll: the first page for the current filters. */
  protected async fetch(): Promise<void> {
    const generation = this._generation;
    const page = await this.request(
      () =>
        this._client.runs({ ...this._query(), limit: RunListModel.HEAD_SIZE }),
      () => generation === this._generation
    );
    if (page === null) {
      return;
    }
    this._head = page.runs;
    this._headToken = page.next_page_token;
    this._loaded = true;
    this.setError(null);
    this._note(page);
    this._rebuild();
    this._loadForSort();
  }

  private _query(): IRunsQuery {
    const { q, status, experiment, sort, order, showArchived } = this._filters;
    return {
      q: q.trim() || undefined,
      status: status || undefined,
      experiment: experiment || undefined,
      sort,
      order,
      lifecycle: showArchived ? 'all' : undefined,
      params: this._paramQuery()
    };
  }

  /** The param columns the table asks for (none in the list view: it stays lean). */
  private _paramQuery(): string[] | undefined {
    if (this._table.view !== 'table') {
      return undefined;
    }
    return this._table.columns
      .map(column => parseColumn(column, PARAMS))
      .filter((key): key is string => key !== null);
  }

  /** One request of an action: its failure becomes {@link actionError}. */
  private async _act<T>(send: () => Promise<T>): Promise<T | null> {
    this._actionError = null;
    let answer: T | null = null;
    try {
      answer = await send();
    } catch (error) {
      this._actionError = errorMessage(error);
    }
    if (!this.isDisposed) {
      this.emitChanged();
    }
    return answer;
  }

  private async _fetchConfig(): Promise<void> {
    let config: LoadState<ConfigBody>;
    try {
      config = { kind: 'ready', value: await this._client.config() };
    } catch (error) {
      config = { kind: 'failed', message: errorMessage(error) };
    }
    if (!this.isDisposed) {
      this._config = config;
      this.emitChanged();
    }
  }

  /** Remember the experiments, metric keys and param keys of a page. */
  private _note(page: RunList): void {
    const experiments = new Set(this._experiments);
    const keys = new Set(this._metricKeys);
    const params = new Set(this._paramKeys);
    for (const key of page.param_keys ?? []) {
      params.add(key);
    }
    if (params.size !== this._paramKeys.length) {
      this._paramKeys = [...params].sort();
    }
    for (const run of page.runs) {
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
    this.emitChanged();
  }

  private readonly _client: XpClient;
  private _settings: ITableSettingsStore | null = null;
  private _table: IRunTableSettings = DEFAULT_TABLE;
  private _paramKeys: readonly string[] = [];
  private _config: LoadState<ConfigBody> = { kind: 'loading' };
  private _actionError: string | null = null;
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
  private _experiments: readonly string[] = [];
  private _metricKeys: readonly string[] = [];
}
