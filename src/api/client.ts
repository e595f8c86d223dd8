import { ServerConnection } from '@jupyterlab/services';

import type {
  CompareBody,
  ConfigBody,
  MetricHistory,
  PromotePlan,
  PromoteRequest,
  Promotion,
  PromotionList,
  RunDetail,
  RunList,
  RunSummary
} from './types';
import { requestAPI } from './handler';

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
}

/**
 * The typed client of the jupyterlab-xp REST API (`/jupyterlab-xp/api/v1/`).
 *
 * Each method is one request through {@link requestAPI}; failures reject with
 * `ServerConnection.ResponseError` (the server's one-line message) or
 * `ServerConnection.NetworkError`.
 */
export class XpClient {
  /**
   * @param settings - the Jupyter server connection to talk to
   */
  constructor(readonly settings: ServerConnection.ISettings) {}

  /** `GET config`: where runs are stored and the server extension's version. */
  config(): Promise<ConfigBody> {
    return requestAPI<ConfigBody>('config', {}, this.settings);
  }

  /** `GET runs`: one page of runs matching `query`. */
  runs(query: IRunsQuery = {}): Promise<RunList> {
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
    return requestAPI<RunList>('runs', {}, this.settings, args);
  }

  /** `GET runs/{runId}`: everything recorded for one run. */
  run(runId: string): Promise<RunDetail> {
    return requestAPI<RunDetail>(
      `runs/${encodeURIComponent(runId)}`,
      {},
      this.settings
    );
  }

  /**
   * `GET runs/{runId}/metrics/{key}`: every logged value of one metric.
   *
   * Metric keys hold `/` (`val/accuracy`): the key travels as one encoded
   * path segment.
   */
  metricHistory(runId: string, key: string): Promise<MetricHistory> {
    return requestAPI<MetricHistory>(
      `runs/${encodeURIComponent(runId)}/metrics/${encodeURIComponent(key)}`,
      {},
      this.settings
    );
  }

  /** `GET compare?ids=...`: what differs between runs, computed on the server. */
  compare(runIds: readonly string[]): Promise<CompareBody> {
    const args = new URLSearchParams({ ids: runIds.join(',') });
    return requestAPI<CompareBody>('compare', {}, this.settings, args);
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
    return requestAPI<PromotePlan>('promote-plan', {}, this.settings, args);
  }

  /**
   * `POST promotions`: start a promotion job (202). The server validates the
   * request; a bad one rejects with its 400 message.
   *
   * @param request - the body; parameter values may be {@link JSONText}
   */
  promote(request: PromoteRequest): Promise<Promotion> {
    return requestAPI<Promotion>(
      'promotions',
      {
        method: 'POST',
        body: toJSONBody(request),
        headers: { 'Content-Type': 'application/json' }
      },
      this.settings
    );
  }

  /**
   * `GET promotions`: promotion jobs, newest first; with `runId`, only those
   * whose source is that run.
   */
  promotions(runId?: string): Promise<PromotionList> {
    const args =
      runId === undefined ? undefined : new URLSearchParams({ run_id: runId });
    return requestAPI<PromotionList>('promotions', {}, this.settings, args);
  }

  /** `GET promotions/{id}`: one job's progress, runs, bundle and verdict. */
  promotion(id: string): Promise<Promotion> {
    return requestAPI<Promotion>(
      `promotions/${encodeURIComponent(id)}`,
      {},
      this.settings
    );
  }

  /** `POST promotions/{id}/cancel`: stop a job; its runs end KILLED. */
  cancelPromotion(id: string): Promise<Promotion> {
    return requestAPI<Promotion>(
      `promotions/${encodeURIComponent(id)}/cancel`,
      { method: 'POST' },
      this.settings
    );
  }
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
