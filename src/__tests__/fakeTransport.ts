// The one fake of the unit tests: a transport that answers the API client from routes a test sets.
import { jest } from '@jest/globals';
import { ServerConnection } from '@jupyterlab/services';

import type { IApiRequest, Transport } from '../api/handler';
import { XpClient } from '../api/client';

/** Answers a request: the body, a promise of it, or a thrown error. */
export type Route = (request: IApiRequest) => unknown;

/**
 * Stands in for the Jupyter server behind {@link XpClient}: each request goes
 * to the route of its method and path (`GET runs`, `POST promotions/p1/cancel`)
 * and is recorded, with the fake clock's time, in {@link requests}. A request
 * without a route fails the test that made it.
 */
export class FakeTransport {
  /** Every request made, in order, with when it was made. */
  readonly requests: { route: string; request: IApiRequest; at: number }[] = [];

  /** The transport to build the client on. */
  readonly send: Transport = async request => {
    const route = `${request.method ?? 'GET'} ${request.path}`;
    this.requests.push({ route, request, at: Date.now() });
    const answer = this._routes.get(route);
    if (answer === undefined) {
      throw new Error(`The fake server has no route ${route}`);
    }
    return answer(request);
  };

  /** A client that talks to this fake server. */
  client(): XpClient {
    return new XpClient(this.send);
  }

  /** Answer `route` (`GET runs/abc`) with what `answer` returns or throws. */
  on(route: string, answer: Route): this {
    this._routes.set(route, answer);
    return this;
  }

  /** The requests made to `route`. */
  calls(route: string): IApiRequest[] {
    return this.requests
      .filter(entry => entry.route === route)
      .map(entry => entry.request);
  }

  /** The times, in fake-clock ms, at which `route` was asked. */
  times(route: string): number[] {
    return this.requests
      .filter(entry => entry.route === route)
      .map(entry => entry.at);
  }

  private readonly _routes = new Map<string, Route>();
}

/** What the transport throws when the server answers with an error status. */
export function serverError(
  status: number,
  message: string
): ServerConnection.ResponseError {
  return new ServerConnection.ResponseError(
    { status, statusText: '', ok: false } as Response,
    message
  );
}

/** What the transport throws when the server cannot be reached. */
export function networkError(): ServerConnection.NetworkError {
  return new ServerConnection.NetworkError(new TypeError('Failed to fetch'));
}

/**
 * Let the fake clock run for `ms` milliseconds, settling the promises that
 * its timers start (the polls' ticks, the fake server's answers), then a few
 * milliseconds more: a poll asked to refresh sets its immediate timer a few
 * promises later, and the fake clock puts a timer of 0 ms that is set while
 * it runs 1 ms later.
 */
export async function advance(ms = 0): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
  for (let round = 0; round < 3; round++) {
    await jest.advanceTimersByTimeAsync(1);
  }
}
