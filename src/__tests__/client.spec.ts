// Unit tests of the API client: the requests it makes, JSON bodies written verbatim, error messages.
import { describe, expect, it } from '@jest/globals';

import {
  errorMessage,
  isUnreachable,
  JSONText,
  toJSONBody
} from '../api/client';
import { promotion } from './bodies';
import { FakeTransport, networkError, serverError } from './fakeTransport';

describe('XpClient', () => {
  it('puts only the arguments that are set in the query of GET runs', async () => {
    const server = new FakeTransport().on('GET runs', () => ({
      runs: [],
      next_page_token: null
    }));
    await server.client().runs({
      experiment: 'mnist',
      q: '',
      tags: ['team=vision', 'xp.kind=notebook'],
      limit: 50,
      pageToken: 'abc'
    });
    expect(server.calls('GET runs')[0].query?.toString()).toBe(
      'experiment=mnist&tag=team%3Dvision&tag=xp.kind%3Dnotebook&limit=50&page_token=abc'
    );
  });

  it('sends run ids and metric keys as one encoded path segment each', async () => {
    const server = new FakeTransport().on(
      'GET runs/a%2Fb/metrics/val%2Faccuracy',
      () => ({ key: 'val/accuracy', run_id: 'a/b', points: [] })
    );
    const history = await server.client().metricHistory('a/b', 'val/accuracy');
    expect(history.key).toBe('val/accuracy');
  });

  it('asks for the plan of a run or of a notebook', async () => {
    const server = new FakeTransport().on('GET promote-plan', () => ({}));
    await server.client().promotePlan({ runId: 'abc' });
    await server.client().promotePlan({ notebook: 'dir/a b.ipynb' });
    expect(
      server.calls('GET promote-plan').map(call => call.query?.toString())
    ).toEqual(['run_id=abc', 'notebook=dir%2Fa+b.ipynb']);
  });

  it('posts a promotion with its parameters as typed', async () => {
    const server = new FakeTransport().on('POST promotions', () => promotion());
    const started = await server.client().promote({
      run_id: 'abc',
      params: { lr: new JSONText('1.0'), name: 'plain text' },
      seeds: [0, 1],
      order: 'recorded',
      cell_timeout: null,
      tolerance: null
    });
    expect(started.id).toBe('p1');
    expect(server.calls('POST promotions')[0].body).toBe(
      '{"run_id":"abc","params":{"lr":1.0,"name":"plain text"},"seeds":[0,1],"order":"recorded","cell_timeout":null,"tolerance":null}'
    );
  });

  it('cancels a promotion with a POST and no body', async () => {
    const server = new FakeTransport().on('POST promotions/p%201/cancel', () =>
      promotion({ state: 'cancelled' })
    );
    await server.client().cancelPromotion('p 1');
    expect(
      server.calls('POST promotions/p%201/cancel')[0].body
    ).toBeUndefined();
  });
});

describe('toJSONBody', () => {
  it('writes JSON text verbatim, so 1.0 stays a float for Python', () => {
    expect(
      toJSONBody({ a: new JSONText(' 1.0 '), b: [new JSONText('1e3'), 2] })
    ).toBe('{"a":1.0,"b":[1e3,2]}');
  });

  it('leaves strings that look like its placeholders alone', () => {
    expect(toJSONBody({ a: '\u00000:0', b: new JSONText('[1.50]') })).toBe(
      '{"a":"\\u00000:0","b":[1.50]}'
    );
  });
});

describe('errorMessage', () => {
  it('says when the server cannot be reached', () => {
    expect(errorMessage(networkError())).toBe(
      'Cannot reach the Jupyter server (Failed to fetch).'
    );
  });

  it('is the server’s message for an error answer', () => {
    expect(errorMessage(serverError(400, 'Seeds repeat: 3'))).toBe(
      'Seeds repeat: 3'
    );
  });

  it('turns anything else into text', () => {
    expect(errorMessage('boom')).toBe('boom');
  });
});

describe('isUnreachable', () => {
  it('is true for a server or a store that cannot be reached', () => {
    expect(isUnreachable(networkError())).toBe(true);
    expect(isUnreachable(serverError(503, 'store down'))).toBe(true);
  });

  it('is false for a request the server refused', () => {
    expect(isUnreachable(serverError(400, 'bad'))).toBe(false);
    expect(isUnreachable(serverError(404, 'no run'))).toBe(false);
    expect(isUnreachable(new Error('boom'))).toBe(false);
  });
});
