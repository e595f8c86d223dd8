// Unit tests of the polling base class (visibility, back-off, dispose), through the run list model.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import { RunListModel } from '../models/runList';
import {
  POLL_INTERVAL,
  POLL_MAX_INTERVAL,
  PROMOTION_POLL_INTERVAL
} from '../tokens';
import { PromotionsModel } from '../models/promotions';
import { numbered, page, promotion } from './bodies';
import {
  advance,
  FakeTransport,
  networkError,
  serverError
} from './fakeTransport';

/** Gaps between consecutive times. */
function gaps(times: number[]): number[] {
  return times.slice(1).map((time, i) => time - times[i]);
}

/** Make the browser tab hidden or shown, as the browser would. */
function setTabHidden(hidden: boolean): void {
  Object.defineProperty(document, 'hidden', {
    configurable: true,
    get: () => hidden
  });
}

describe('PollingModel', () => {
  let server: FakeTransport;
  let model: RunListModel;
  let failing: boolean;

  beforeEach(() => {
    failing = false;
    server = new FakeTransport()
      .on('GET config', () => ({ store: 'sqlite:////x/mlflow.db' }))
      .on('GET runs', () => {
        if (failing) {
          throw networkError();
        }
        return page(numbered(0, 3));
      });
    model = new RunListModel(server.client());
  });

  afterEach(() => {
    model.dispose();
    setTabHidden(false);
  });

  it('does not poll until a view shows the model', async () => {
    // Given a model that no view shows
    // When time passes
    await advance(10 * POLL_INTERVAL);

    // Then it has not asked for runs
    expect(server.calls('GET runs')).toHaveLength(0);
    expect(model.loaded).toBe(false);
  });

  // README: "updates every two seconds (polling backs off when the server is unreachable and
  // stops while the panel is hidden)"
  it('polls at once when shown, then every interval while visible', async () => {
    // When the view is shown
    model.visible = true;
    await advance();

    // Then the runs are asked for at once
    expect(server.calls('GET runs')).toHaveLength(1);
    expect(model.loaded).toBe(true);
    expect(model.runs.map(run => run.run_id)).toEqual([
      'run-0',
      'run-1',
      'run-2'
    ]);

    // And again every interval
    await advance(5 * POLL_INTERVAL);
    expect(server.calls('GET runs')).toHaveLength(6);
    expect(gaps(server.times('GET runs'))).toEqual(
      Array(5).fill(POLL_INTERVAL)
    );
  });

  it('stands by while the view is hidden and asks at once when it shows again', async () => {
    // Given a shown model that has polled
    model.visible = true;
    await advance();

    // When its view is hidden, for a long time
    model.visible = false;
    await advance(20 * POLL_INTERVAL);

    // Then it asked for nothing meanwhile
    expect(server.calls('GET runs')).toHaveLength(1);

    // When the view shows again
    model.visible = true;
    await advance();

    // Then it asks at once
    expect(server.calls('GET runs')).toHaveLength(2);
  });

  it('stands by while the browser tab is hidden', async () => {
    // Given a shown model
    model.visible = true;
    await advance();

    // When the browser tab is hidden
    setTabHidden(true);
    await advance(20 * POLL_INTERVAL);

    // Then it stops asking
    expect(server.calls('GET runs')).toHaveLength(1);

    // And when the tab shows again, it asks within an interval
    setTabHidden(false);
    await advance(POLL_INTERVAL);
    expect(server.calls('GET runs')).toHaveLength(2);
  });

  it('backs off while the server fails, up to the longest interval', async () => {
    // Given a server that cannot be reached
    failing = true;
    const changes: number[] = [];
    model.changed.connect(() => changes.push(Date.now()));

    // When the model is shown for ten minutes
    model.visible = true;
    await advance(10 * 60 * 1000);

    // Then it says why, and it asked less than half as often as every
    // interval (Lumino's back-off is random: 64 times is typical, 150 out of
    // reach), never waiting longer than the longest interval
    expect(model.error).toMatch(/^Cannot reach the Jupyter server/);
    expect(changes.length).toBeGreaterThan(0);
    const times = server.times('GET runs');
    expect(times.length).toBeLessThan((10 * 60 * 1000) / POLL_INTERVAL / 2);
    expect(Math.max(...gaps(times))).toBeLessThanOrEqual(POLL_MAX_INTERVAL);
    expect(Math.max(...gaps(times))).toBeGreaterThan(4 * POLL_INTERVAL);
  });

  it('recovers its pace and clears the error once the server answers again', async () => {
    // Given a model that has backed off from a failing server
    failing = true;
    model.visible = true;
    await advance(5 * 60 * 1000);
    expect(model.error).not.toBeNull();

    // When the server answers again and the user clicks Retry
    failing = false;
    model.refresh();
    await advance();

    // Then the error is gone, and it polls every interval again
    expect(model.error).toBeNull();
    const before = server.calls('GET runs').length;
    await advance(3 * POLL_INTERVAL);
    expect(server.calls('GET runs').length - before).toBe(3);
  });

  it('keeps the server message of an error answer', async () => {
    // Given a server that refuses the request
    server.on('GET runs', () => {
      throw serverError(400, 'Unknown sort key metrics.nope');
    });

    // When the model polls
    model.visible = true;
    await advance();

    // Then the error is the server's message
    expect(model.error).toBe('Unknown sort key metrics.nope');
    expect(model.loaded).toBe(false);
  });

  it('says it is retrying while the store is unreachable, not for a refusal', async () => {
    // Given a server that cannot reach the store (a 503)
    server.on('GET runs', () => {
      throw serverError(503, 'the store at http://mlflow:5000 did not answer');
    });
    model.visible = true;
    await advance();

    // Then the model is retrying by itself, and keeps polling (with back-off)
    expect(model.retrying).toBe(true);
    const before = server.calls('GET runs').length;
    await advance(5 * 60 * 1000);
    expect(server.calls('GET runs').length).toBeGreaterThan(before);

    // When the server refuses the request instead (a 400): no "retrying"
    server.on('GET runs', () => {
      throw serverError(400, 'Unknown sort key metrics.nope');
    });
    model.refresh();
    await advance();
    expect(model.retrying).toBe(false);

    // And once the store answers, neither error nor retrying is left
    server.on('GET runs', () => page(numbered(0, 3)));
    model.refresh();
    await advance();
    expect(model.error).toBeNull();
    expect(model.retrying).toBe(false);
  });

  it('stops polling and drops late answers once disposed', async () => {
    // Given a shown model whose request is on its way
    let answer: (value: unknown) => void = () => undefined;
    server.on('GET runs', () => new Promise(resolve => (answer = resolve)));
    model.visible = true;
    await advance();
    let changes = 0;
    model.changed.connect(() => (changes += 1));

    // When it is disposed, then the answer arrives
    model.dispose();
    answer(page(numbered(0, 1)));
    await advance(10 * POLL_INTERVAL);

    // Then it shows nothing of it, emits nothing and asks nothing more
    expect(model.isDisposed).toBe(true);
    expect(model.runs).toEqual([]);
    expect(changes).toBe(0);
    expect(server.calls('GET runs')).toHaveLength(1);
  });

  it('polls at the interval a model asks for', async () => {
    // Given a promotion that is running
    const promotions = new PromotionsModel(server.client(), 'run-0');
    server.on('GET promotions', () => ({ promotions: [promotion()] }));

    // When its view is shown
    promotions.visible = true;
    await advance(3 * PROMOTION_POLL_INTERVAL);

    // Then its progress is asked for every promotion interval
    expect(gaps(server.times('GET promotions'))).toEqual(
      Array(3).fill(PROMOTION_POLL_INTERVAL)
    );
    promotions.dispose();
  });
});
