// Unit tests of the recording model: which open notebooks are recorded, and the Record button's pending state.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import type { RunSummary } from '../api/types';
import { RecordingModel } from '../models/recording';
import { POLL_INTERVAL } from '../tokens';
import { page, summary } from './bodies';
import { advance, FakeTransport } from './fakeTransport';

describe('RecordingModel', () => {
  let server: FakeTransport;
  let model: RecordingModel;
  let running: RunSummary[];

  beforeEach(() => {
    running = [];
    server = new FakeTransport().on('GET runs', () => page(running));
    model = new RecordingModel(server.client(), '/home/me/work');
  });

  afterEach(() => {
    model.dispose();
  });

  it('polls the running runs only while a notebook is open', async () => {
    // Given no open notebook
    await advance(5 * POLL_INTERVAL);
    expect(server.requests).toHaveLength(0);

    // When two notebooks open
    const first = model.watch();
    const second = model.watch();
    await advance();

    // Then the running runs are asked for at once, for both at a time
    expect(server.calls('GET runs')).toHaveLength(1);
    expect(Object.fromEntries(server.calls('GET runs')[0].query ?? [])).toEqual(
      { status: 'RUNNING', limit: String(RecordingModel.LIMIT) }
    );
    await advance(2 * POLL_INTERVAL);
    expect(server.calls('GET runs')).toHaveLength(3);

    // When one closes (twice over), polling goes on; when both have, it stops
    first.dispose();
    first.dispose();
    await advance(POLL_INTERVAL);
    expect(server.calls('GET runs')).toHaveLength(4);
    second.dispose();
    expect(second.isDisposed).toBe(true);
    await advance(5 * POLL_INTERVAL);
    expect(server.calls('GET runs')).toHaveLength(4);
  });

  it('finds the run of a notebook by its path under the server root', async () => {
    // Given running runs from notebooks in and out of the server root, one
    // through a symlinked root
    running = [
      summary({ run_id: 'new', notebook: '/home/me/work/exp/a.ipynb' }),
      summary({ run_id: 'old', notebook: '/home/me/work/exp/a.ipynb' }),
      summary({ run_id: 'linked', notebook: '/data/real/work/b.ipynb' }),
      summary({ run_id: 'script', notebook: null })
    ];
    model.watch();
    await advance();

    // Then each notebook gets the newest of its runs
    expect(model.runFor('exp/a.ipynb')?.run_id).toBe('new');
    expect(model.runFor('b.ipynb')?.run_id).toBe('linked');
    expect(model.runFor('exp/c.ipynb')).toBeNull();
  });

  it('emits a change only when the running runs change', async () => {
    running = [summary({ run_id: 'r', notebook: '/home/me/work/a.ipynb' })];
    let changes = 0;
    model.changed.connect(() => (changes += 1));
    model.watch();
    await advance();
    expect(changes).toBe(1);

    await advance(3 * POLL_INTERVAL);
    expect(changes).toBe(1);

    running = [{ ...running[0], cells: 7 }];
    await advance(POLL_INTERVAL);
    expect(changes).toBe(2);
    expect(model.runFor('a.ipynb')?.cells).toBe(7);
  });

  it('waits after a Record click until the store shows the run', async () => {
    // Given an open notebook that is not recorded
    model.watch();
    await advance();

    // When Record sent %xp start to its kernel
    model.setPending('a.ipynb', 'starting');

    // Then the button waits, and the store is asked at once
    expect(model.pendingFor('a.ipynb')).toBe('starting');
    await advance();
    expect(server.calls('GET runs')).toHaveLength(2);
    expect(model.pendingFor('a.ipynb')).toBe('starting');

    // When the run reaches the store
    running = [summary({ run_id: 'r', notebook: '/home/me/work/a.ipynb' })];
    await advance(POLL_INTERVAL);

    // Then the button is done waiting
    expect(model.pendingFor('a.ipynb')).toBeNull();
    expect(model.runFor('a.ipynb')?.run_id).toBe('r');

    // When Stop sent %xp stop, the button waits until the run has ended
    model.setPending('a.ipynb', 'stopping');
    await advance();
    expect(model.pendingFor('a.ipynb')).toBe('stopping');
    running = [];
    await advance(POLL_INTERVAL);
    expect(model.pendingFor('a.ipynb')).toBeNull();
  });

  it('gives up waiting after a minute, and at once when the code failed', async () => {
    model.watch();
    model.setPending('a.ipynb', 'starting');
    await advance(RecordingModel.PENDING_TIMEOUT - POLL_INTERVAL);
    expect(model.pendingFor('a.ipynb')).toBe('starting');
    await advance(2 * POLL_INTERVAL);
    expect(model.pendingFor('a.ipynb')).toBeNull();

    model.setPending('b.ipynb', 'stopping');
    model.setPending('b.ipynb', null);
    expect(model.pendingFor('b.ipynb')).toBeNull();
  });
});
