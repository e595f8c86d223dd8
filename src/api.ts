import { ServerConnection } from '@jupyterlab/services';

import type {
  CompareBody,
  ConfigBody,
  MetricHistory,
  RunDetail,
  RunList,
  RunSummary
} from './api-types';
import { requestAPI } from './handler';

/** A run's lifecycle state, as MLflow names it. */
export type RunStatus = RunSummary['status'];

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
