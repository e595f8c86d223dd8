// The model of a run's tab: the run, its metric histories, its promotions, and editing it.
import type { MetricHistory, RunDetail, RunSummary } from '../api/types';
import { errorMessage, XpClient } from '../api/client';
import { LoadState, PollingModel } from './base';
import { ModelVersionsModel } from './modelVersions';
import { PromotionsModel } from './promotions';

/**
 * One run's detail, the history of each of its metrics and the promotions
 * made from it.
 *
 * Fetched when first shown; while the run is RUNNING it is polled every 2 s
 * (with back-off on errors) as long as its tab is visible. When one of its
 * promotions ends, the run is fetched again: the server has linked the
 * promoted runs to it.
 */
export class RunDetailModel extends PollingModel {
  /**
   * @param client - the REST client
   * @param runId - the MLflow run id
   */
  constructor(
    client: XpClient,
    readonly runId: string
  ) {
    super({ name: `jupyterlab-xp:run:${runId}` });
    this._client = client;
    this.promotions = new PromotionsModel(client, runId);
    this.promotions.settled.connect(this._onPromotionSettled, this);
    this.versions = new ModelVersionsModel(client, runId);
  }

  /** The promotions whose source is this run (disposed with this model). */
  readonly promotions: PromotionsModel;

  /** The model versions registered from this run (disposed with this model). */
  readonly versions: ModelVersionsModel;

  /** The run, once it has been fetched (kept while a later fetch fails). */
  get run(): RunDetail | null {
    return this._run;
  }

  /** Whether an edit (rename, tags, note, archive, restore) is on its way. */
  get saving(): boolean {
    return this._saving;
  }

  /** Why the last edit failed (the server's one line), or `null`. */
  get editError(): string | null {
    return this._editError;
  }

  /** Rename the run. Resolves `true` once the server has renamed it. */
  rename(name: string): Promise<boolean> {
    return this._edit(() => this._client.editRun(this.runId, { name }));
  }

  /** Set tags, or delete them (`null`). `xp.*` and `mlflow.*` are read-only. */
  setTags(tags: Record<string, string | null>): Promise<boolean> {
    return this._edit(() => this._client.editRun(this.runId, { tags }));
  }

  /** Replace the run's note (Markdown); `''` removes it. */
  setNote(note: string): Promise<boolean> {
    return this._edit(() => this._client.editRun(this.runId, { note }));
  }

  /** Archive the run: the run list hides it unless it shows archived runs. */
  archive(): Promise<boolean> {
    return this._edit(() => this._client.archiveRun(this.runId));
  }

  /** Bring the archived run back. */
  restore(): Promise<boolean> {
    return this._edit(() => this._client.restoreRun(this.runId));
  }

  /** Forget the last edit's failure (its editor was closed). */
  clearEditError(): void {
    if (this._editError !== null) {
      this._editError = null;
      this.emitChanged();
    }
  }

  /** The history of one metric of the run, once asked for. */
  history(key: string): LoadState<MetricHistory> {
    return this._histories.get(key) ?? { kind: 'loading' };
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.promotions.dispose();
    this.versions.dispose();
    super.dispose();
  }

  /** A run that has ended changes no more: no need to poll it. */
  protected override get idle(): boolean {
    return (
      this._run !== null &&
      this.error === null &&
      !this._run.artifacts_error &&
      this._run.status !== 'RUNNING'
    );
  }

  /** The promotions are shown with the run. */
  protected override onVisibleChanged(visible: boolean): void {
    this.promotions.visible = visible;
    if (
      visible &&
      (this._run === null || this.stale || this._run.status === 'RUNNING')
    ) {
      this.pollNow();
    }
  }

  /** The poll: the run, then the history of each of its metrics. */
  protected async fetch(): Promise<void> {
    const run = await this.request(() => this._client.run(this.runId));
    if (run === null) {
      return;
    }
    this._run = run;
    this.setError(null);
    this.emitChanged();
    if (!this.versions.asked) {
      // Once the run is known to exist: its versions change rarely, not polled.
      void this.versions.load();
    }
    await Promise.all(
      Object.keys(run.metrics).map(key => this._fetchHistory(key))
    );
  }

  /**
   * A promotion of this run has ended: its promoted runs are now linked to
   * it. The poll stands by for a finished run: fetch it once more.
   */
  private _onPromotionSettled(): void {
    this.pollOnce();
  }

  /**
   * Make one edit: the server answers with the edited run (or, for archive
   * and restore, its summary), which replaces the one shown.
   */
  private async _edit(
    send: () => Promise<RunDetail | RunSummary>
  ): Promise<boolean> {
    this._saving = true;
    this._editError = null;
    this.emitChanged();
    let done = false;
    try {
      const answer = await send();
      // A summary's params are a list's chosen columns (null here): the
      // detail's own params stay.
      if ('cells_journal' in answer) {
        this._run = answer;
      } else if (this._run !== null) {
        this._run = { ...this._run, ...answer, params: this._run.params };
      }
      done = true;
    } catch (error) {
      this._editError = errorMessage(error);
    }
    if (this.isDisposed) {
      return false;
    }
    this._saving = false;
    this.emitChanged();
    return done;
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
    if (!this.isDisposed) {
      this._histories.set(key, state);
      this.emitChanged();
    }
  }

  private readonly _client: XpClient;
  private readonly _histories = new Map<string, LoadState<MetricHistory>>();
  private _run: RunDetail | null = null;
  private _saving = false;
  private _editError: string | null = null;
}
