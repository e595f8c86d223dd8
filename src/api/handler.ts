// The one request helper: how the frontend reaches the jupyterlab-xp REST API.
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_PATH } from '../tokens';

/** One request of the REST API, as the client describes it. */
export interface IApiRequest {
  /** Path under `/jupyterlab-xp/api/v1/`, its segments encoded: `runs/abc`. */
  readonly path: string;
  /** `GET` when omitted. */
  readonly method?: 'POST' | 'PATCH' | 'DELETE';
  /**
   * Query arguments, appended after the path is joined (so that nothing in
   * them is read as a path segment).
   */
  readonly query?: URLSearchParams;
  /** A JSON body, as text. */
  readonly body?: string;
  /** Resolve with the body as text (a CSV file) rather than decoded JSON. */
  readonly text?: boolean;
}

/**
 * Sends one request and resolves with the decoded JSON body (`undefined` when
 * the body is empty), or its text when the request asks for `text`. The API client reaches the server through a transport
 * only: {@link serverTransport} in JupyterLab, a fake one in the unit tests.
 */
export type Transport = (request: IApiRequest) => Promise<unknown>;

/**
 * The transport to the Jupyter server.
 *
 * @param settings - the server connection; JupyterLab's defaults when omitted
 */
export function serverTransport(
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Transport {
  return request => requestAPI(request, settings);
}

/**
 * Call the jupyterlab-xp REST API.
 *
 * @param request - what to ask for
 * @param settings - the server connection
 * @returns the decoded JSON body (`undefined` when the body is empty), or the
 *   body's text when `request.text` is set
 * @throws {ServerConnection.NetworkError} when the server cannot be reached
 * @throws {ServerConnection.ResponseError} when the server answers with an
 *   error status or with a body that is not JSON
 */
export async function requestAPI(
  request: IApiRequest,
  settings: ServerConnection.ISettings
): Promise<unknown> {
  const path = URLExt.join(settings.baseUrl, ...API_PATH, request.path);
  const search = request.query?.toString() ?? '';
  const requestUrl = search.length > 0 ? `${path}?${search}` : path;

  // With JupyterLab's default `cache: 'no-store'`, makeRequest appends a bare
  // timestamp to the query string, which the API rejects as an unknown
  // argument; `no-cache` still makes the browser ask the server every time.
  const options: RequestInit = { cache: 'no-cache' };
  if (request.method !== undefined) {
    options.method = request.method;
  }
  if (request.body !== undefined) {
    options.body = request.body;
    options.headers = { 'Content-Type': 'application/json' };
  }

  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      requestUrl,
      options,
      settings
    );
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }

  const body = await response.text();
  const data = body.length > 0 ? parseJSON(body) : undefined;

  if (response.ok && request.text) {
    return body;
  }
  if (!response.ok) {
    throw new ServerConnection.ResponseError(
      response,
      serverMessage(data) ?? `${response.status} ${response.statusText}`.trim()
    );
  }
  if (body.length > 0 && data === undefined) {
    throw new ServerConnection.ResponseError(
      response,
      'The server answered with a body that is not JSON.'
    );
  }
  return data;
}

function parseJSON(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * The `message` field of a jupyter_server error body, if there is one.
 */
function serverMessage(data: unknown): string | undefined {
  if (typeof data === 'object' && data !== null && 'message' in data) {
    const { message } = data;
    if (typeof message === 'string' && message.length > 0) {
      return message;
    }
  }
  return undefined;
}
