import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_PATH } from '../tokens';

/**
 * Call the jupyterlab-xp REST API, the one way the frontend talks to the server.
 *
 * @param endPoint - path under `/jupyterlab-xp/api/v1/`, e.g. `config`
 * @param init - request options (method, body, headers)
 * @param settings - the server connection; JupyterLab's defaults when omitted
 * @param query - query arguments, appended after the path is joined (so that
 *   nothing in them is read as a path segment)
 * @returns the decoded JSON body (`undefined` when the body is empty)
 * @throws {ServerConnection.NetworkError} when the server cannot be reached
 * @throws {ServerConnection.ResponseError} when the server answers with an
 *   error status or with a body that is not JSON
 */
export async function requestAPI<T>(
  endPoint = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings(),
  query?: URLSearchParams
): Promise<T> {
  const path = URLExt.join(settings.baseUrl, ...API_PATH, endPoint);
  const search = query?.toString() ?? '';
  const requestUrl = search.length > 0 ? `${path}?${search}` : path;

  // With JupyterLab's default `cache: 'no-store'`, makeRequest appends a bare
  // timestamp to the query string, which the API rejects as an unknown
  // argument; `no-cache` still makes the browser ask the server every time.
  const options: RequestInit = { cache: 'no-cache', ...init };

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
  return data as T;
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
