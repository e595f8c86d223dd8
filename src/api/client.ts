// The typed client of the REST API, and the request-body helpers it uses.
import { ServerConnection } from '@jupyterlab/services';

import type {
  CompareBody,
  CompareCurves,
  ConfigBody,
  GateBody,
  MetricHistory,
  ModelLineage,
  PromotePlan,
  PromoteRequest,
  Promotion,
  PromotionList,
  RunDetail,
  RunList,
  RunModels,
  RunPatch,
  RunSummary,
  SweepDetail,
  SweepList,
  SweepRequest
} from './types';
import type { Transport } from './handler';

/** A run's lifecycle state, as MLflow names it. */
export type RunStatus = RunSummary['status'];

/** The replay orders a promotion can follow. */
export type PromoteOrder = PromotePlan['default_order'];

/** What is promoted: a recorded run, or a notebook by its path under the server root. */
export type PromoteSource = { runId: string } | { notebook: string };

/**
 * A JSON value sent as the very text the user typed. JavaScript numbers
 * forget that `1.0` was written as a float; Python, reading `1`, would make
 * it an int, and a promoted run would get a parameter of another type.
 */
export class JSONText {
  /**
   * @param text - text that `JSON.parse` accepts
   */
  constructor(readonly text: string) {}
}

/** `JSON.stringify`, with each {@link JSONText} written verbatim. */
export function toJSONBody(value: unknown): string {
  const verbatim: string[] = [];
  // A placeholder no string of the user's can equal: a NUL, a random nonce.
  const nonce = Math.random().toString(36).slice(2);
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof JSONText) {
      verbatim.push(item.text);
      return `\u0000${nonce}:${verbatim.length - 1}`;
    }
    return item;
  });
  const placeholder = new RegExp(`"\\\\u0000${nonce}:(\\d+)"`, 'g');
  return text.replace(placeholder, (_match, index: string) =>
    verbatim[Number(index)].trim()
  );
}

/**
 * The arguments of `GET runs`. Every field is optional; the server answers
 * newest first by default.
 */
export interface IRunsQuery {
  /** Experiment name. */
  experiment?: string;
  /** Absolute path of the recorded notebook, matched exactly. */
  notebook?: string;
  status?: RunStatus;
  /** `key=value` tag filters, all of which must hold. */
  tags?: readonly string[];
  /** Text that run names must contain. */
  q?: string;
  /** `start_time`, `name` or `metrics.<key>`. */
  sort?: string;
  order?: 'asc' | 'desc';
  /** Page size, 1 to 1000. */
  limit?: number;
  /** The `next_page_token` of the previous page. */
  pageToken?: string;
  /** Active runs (the default), archived runs, or all of them. */
  lifecycle?: RunLifecycle;
  /**
   * Param keys each run carries (the table view's columns); given, even
   * empty, the answer also names every param key of the page (`param_keys`).
   */
  params?: readonly string[];
}

/** The arguments of `GET gate`: two selections and the metric to gate on. */
export interface IGateQuery {
  /**
   * What the candidate is measured against: run ids or prefixes
   * (`a1b2,c3d4`), a seed group (`params.width=16`), a registered version
   * (`models:/NAME@ALIAS`) or an MLflow filter (`filter:...`).
   */
  baseline: string;
  /** The candidate side, as {@link baseline}. */
  candidate: string;
  metric: string;
  /** Left out: the server picks by the name (`loss`, `error`: minimize). */
  direction?: 'maximize' | 'minimize';
  /** A worse candidate fails only when worse by more than this (>= 0). */
  minEffect?: number;
  /** Pass only when the candidate is better beyond noise. */
  requireBetter?: boolean;
}

/** Which runs a list holds: archived runs are MLflow's lifecycle stage `deleted`. */
export type RunLifecycle = 'active' | 'archived' | 'all';

/** The query arguments of `GET runs`. */
function runsArgs(query: IRunsQuery): URLSearchParams {
  const args = new URLSearchParams();
  const put = (name: string, value: string | number | undefined): void => {
    if (value !== undefined && value !== '') {
      args.append(name, String(value));
    }
  };
  put('experiment', query.experiment);
  put('notebook', query.notebook);
  put('status', query.status);
  for (const tag of query.tags ?? []) {
    put('tag', tag);
  }
  put('q', query.q);
  put('sort', query.sort);
  put('order', query.order);
  put('limit', query.limit);
  put('page_token', query.pageToken);
  put('lifecycle', query.lifecycle);
  if (query.params !== undefined) {
    args.append('params', query.params.join(','));
  }
  return args;
}

/**
 * The typed client of the jupyterlab-xp REST API (`/jupyterlab-xp/api/v1/`).
 *
 * Each method is one request through the {@link Transport}; failures reject
 * with `ServerConnection.ResponseError` (the server's one-line message) or
 * `ServerConnection.NetworkError`.
 */
export class XpClient {
  /**
   * @param transport - sends the requests (`serverTransport(settings)`)
   */
  constructor(private readonly transport: Transport) {}

  /** `GET config`: where runs are stored and the server extension's version. */
  config(): Promise<ConfigBody> {
    return this._get<ConfigBody>('config');
  }

  /** `GET runs`: one page of runs matching `query`. */
  runs(query: IRunsQuery = {}): Promise<RunList> {
    return this._get<RunList>('runs', runsArgs(query));
  }

  /**
   * `GET runs?format=csv`: every run matching `query` (up to the server's
   * cap; `limit` and `pageToken` do not apply) as CSV text, with a column per
   * param and per metric.
   */
  async runsCsv(query: IRunsQuery = {}): Promise<string> {
    const args = runsArgs(query);
    args.set('format', 'csv');
    return String(
      await this.transport({ path: 'runs', query: args, text: true })
    );
  }

  /**
   * `PATCH runs/{runId}`: rename the run, replace its note (`''` or `null`
   * removes it), set tags or delete them (`null`). `xp.*` and `mlflow.*` tags
   * are read-only; a bad edit rejects with the server's 400 message and
   * changes nothing.
   *
   * @returns the edited run
   */
  editRun(runId: string, patch: RunPatch): Promise<RunDetail> {
    return this._send<RunDetail>(
      'PATCH',
      `runs/${encodeURIComponent(runId)}`,
      JSON.stringify(patch)
    );
  }

  /** `DELETE runs/{runId}`: archive the run (MLflow's lifecycle stage `deleted`). */
  archiveRun(runId: string): Promise<RunSummary> {
    return this._send<RunSummary>(
      'DELETE',
      `runs/${encodeURIComponent(runId)}`
    );
  }

  /** `POST runs/{runId}/restore`: bring an archived run back. */
  restoreRun(runId: string): Promise<RunSummary> {
    return this._post<RunSummary>(`runs/${encodeURIComponent(runId)}/restore`);
  }

  /** `GET runs/{runId}`: everything recorded for one run. */
  run(runId: string): Promise<RunDetail> {
    return this._get<RunDetail>(`runs/${encodeURIComponent(runId)}`);
  }

  /**
   * `GET runs/{runId}/metrics/{key}`: every logged value of one metric.
   * Metric keys hold `/` (`val/accuracy`): the key travels as one encoded
   * path segment.
   */
  metricHistory(runId: string, key: string): Promise<MetricHistory> {
    return this._get<MetricHistory>(
      `runs/${encodeURIComponent(runId)}/metrics/${encodeURIComponent(key)}`
    );
  }

  /**
   * `GET compare?ids=...[&hold_seed=NAME]`: what differs between runs,
   * computed on the server; `holdSeed` groups runs by that seed component too.
   */
  compare(
    runIds: readonly string[],
    holdSeed: string | null = null
  ): Promise<CompareBody> {
    const args = new URLSearchParams({ ids: runIds.join(',') });
    if (holdSeed !== null) {
      args.set('hold_seed', holdSeed);
    }
    return this._get<CompareBody>('compare', args);
  }

  /**
   * `GET compare/curves?ids=...&metric=...[&hold_seed=NAME]`: one metric's
   * curves per seed group (mean, std and interval at each step) and each
   * run's own curve, in the groups of {@link compare} with the same `holdSeed`.
   */
  compareCurves(
    runIds: readonly string[],
    metric: string,
    holdSeed: string | null = null
  ): Promise<CompareCurves> {
    const args = new URLSearchParams({ ids: runIds.join(','), metric });
    if (holdSeed !== null) {
      args.set('hold_seed', holdSeed);
    }
    return this._get<CompareCurves>('compare/curves', args);
  }

  /**
   * `GET gate`: pass, fail or inconclusive for a candidate against a
   * baseline, as `jupyter xp gate --json` decides it. A selection that finds
   * no run, or a `system/*` metric, rejects with the server's 400 line.
   */
  gate(query: IGateQuery): Promise<GateBody> {
    const args = new URLSearchParams({
      baseline: query.baseline,
      candidate: query.candidate,
      metric: query.metric
    });
    if (query.direction !== undefined) {
      args.append('direction', query.direction);
    }
    if (query.minEffect !== undefined) {
      args.append('min_effect', String(query.minEffect));
    }
    if (query.requireBetter) {
      args.append('require_better', 'true');
    }
    return this._get<GateBody>('gate', args);
  }

  /** `GET runs/{runId}/models`: the model versions registered from the run. */
  runModels(runId: string): Promise<RunModels> {
    return this._get<RunModels>(`runs/${encodeURIComponent(runId)}/models`);
  }

  /**
   * `GET models/{name}/{version}`: one registered model version with its
   * lineage (source run, notebook, code, data, environment).
   */
  modelLineage(name: string, version: string): Promise<ModelLineage> {
    return this._get<ModelLineage>(
      `models/${encodeURIComponent(name)}/${encodeURIComponent(version)}`
    );
  }

  /**
   * `GET promote-plan`: what the Promote dialog pre-fills for a run or a
   * notebook. For a notebook the server picks its latest finished recorded
   * run as the source when there is one (then `run_id` is set).
   */
  promotePlan(source: PromoteSource): Promise<PromotePlan> {
    const args = new URLSearchParams(
      'runId' in source
        ? { run_id: source.runId }
        : { notebook: source.notebook }
    );
    return this._get<PromotePlan>('promote-plan', args);
  }

  /**
   * `POST promotions`: start a promotion job (202). The server validates the
   * request; a bad one rejects with its 400 message.
   *
   * @param request - the body; parameter values may be {@link JSONText}
   */
  promote(request: PromoteRequest): Promise<Promotion> {
    return this._post<Promotion>('promotions', toJSONBody(request));
  }

  /**
   * `GET promotions`: promotion jobs, newest first; with `runId`, only those
   * whose source is that run.
   */
  promotions(runId?: string): Promise<PromotionList> {
    const args =
      runId === undefined ? undefined : new URLSearchParams({ run_id: runId });
    return this._get<PromotionList>('promotions', args);
  }

  /** `GET promotions/{id}`: one job's progress, runs, bundle and verdict. */
  promotion(id: string): Promise<Promotion> {
    return this._get<Promotion>(`promotions/${encodeURIComponent(id)}`);
  }

  /** `POST promotions/{id}/cancel`: stop a job; its runs end KILLED. */
  cancelPromotion(id: string): Promise<Promotion> {
    return this._post<Promotion>(`promotions/${encodeURIComponent(id)}/cancel`);
  }

  /** `GET sweeps`: every sweep (its parent run's tags), newest first. */
  sweeps(): Promise<SweepList> {
    return this._get<SweepList>('sweeps');
  }

  /**
   * `GET sweeps/{runId}`: a sweep's trials, best trial, objective series,
   * parameter importance and search space (`runId`: its parent run).
   */
  sweep(runId: string): Promise<SweepDetail> {
    return this._get<SweepDetail>(`sweeps/${encodeURIComponent(runId)}`);
  }

  /**
   * `POST sweeps`: start a sweep (202). A bad request rejects with the
   * server's one-line 400 message and runs nothing.
   */
  startSweep(request: SweepRequest): Promise<SweepDetail> {
    return this._post<SweepDetail>('sweeps', JSON.stringify(request));
  }

  /**
   * `DELETE sweeps/{runId}`: cancel a running sweep; its running trials end
   * FAIL and their runs KILLED (what they logged is kept).
   */
  cancelSweep(runId: string): Promise<SweepDetail> {
    return this._send<SweepDetail>(
      'DELETE',
      `sweeps/${encodeURIComponent(runId)}`
    );
  }

  /** The server's answer is trusted to have the generated type. */
  private async _get<T>(path: string, query?: URLSearchParams): Promise<T> {
    return (await this.transport({ path, query })) as T;
  }

  private async _post<T>(path: string, body?: string): Promise<T> {
    return this._send<T>('POST', path, body);
  }

  private async _send<T>(
    method: 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: string
  ): Promise<T> {
    return (await this.transport({ path, method, body })) as T;
  }
}

/**
 * Whether a failed request may succeed by itself later: the Jupyter server
 * could not be reached, or it could not reach the store (a 503). Views say
 * "retrying" rather than asking the user to act.
 */
export function isUnreachable(error: unknown): boolean {
  return (
    error instanceof ServerConnection.NetworkError ||
    (error instanceof ServerConnection.ResponseError &&
      error.response.status === 503)
  );
}

/**
 * One line that says what went wrong with a request, for error states.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof ServerConnection.NetworkError) {
    return `Cannot reach the Jupyter server (${error.message}).`;
  }
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
