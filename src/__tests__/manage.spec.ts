// Unit tests of managing runs: rename, tags, note, archive and restore in a run's model; show archived, restore and CSV export in the run list.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import type { IApiRequest } from '../api/handler';
import type { RunDetail } from '../api/types';
import { RunDetailModel } from '../models/runDetail';
import { RunListModel } from '../models/runList';
import { detail, page, summary } from './bodies';
import { advance, FakeTransport, serverError } from './fakeTransport';

/** The query arguments of a request, as a plain object. */
function query(request: IApiRequest): Record<string, string> {
  return Object.fromEntries(request.query ?? []);
}

/** The JSON body of a request. */
function body(request: IApiRequest): unknown {
  return JSON.parse(request.body ?? 'null');
}

describe('RunDetailModel edits', () => {
  let server: FakeTransport;
  let model: RunDetailModel;
  let run: RunDetail;

  beforeEach(async () => {
    run = detail({
      run_id: 'abc',
      name: 'first',
      params: { lr: '0.1' },
      tags: { team: 'vision' }
    });
    server = new FakeTransport()
      .on('GET runs/abc', () => run)
      .on('GET promotions', () => ({ promotions: [] }))
      .on('PATCH runs/abc', request => {
        const patch = body(request) as {
          name?: string;
          note?: string;
          tags?: Record<string, string | null>;
        };
        const tags = { ...run.tags };
        for (const [key, value] of Object.entries(patch.tags ?? {})) {
          if (value === null) {
            delete tags[key];
          } else {
            tags[key] = value;
          }
        }
        run = {
          ...run,
          name: patch.name ?? run.name,
          note: patch.note === undefined ? run.note : patch.note || null,
          tags
        };
        return run;
      });
    model = new RunDetailModel(server.client(), 'abc');
    model.visible = true;
    await advance();
  });

  afterEach(() => {
    model.dispose();
  });

  it('renames the run, and shows the server’s answer', async () => {
    // When the run is renamed
    const changes: boolean[] = [];
    model.changed.connect(() => changes.push(model.saving));
    const done = await model.rename('baseline v2');

    // Then the name was sent as a PATCH, and the edited run is shown
    expect(done).toBe(true);
    expect(body(server.calls('PATCH runs/abc')[0])).toEqual({
      name: 'baseline v2'
    });
    expect(model.run?.name).toBe('baseline v2');
    // And the view knew that it was saving, then that it was done
    expect(changes).toEqual([true, false]);
    expect(model.saving).toBe(false);
    expect(model.editError).toBeNull();
  });

  it('sets and deletes tags, and replaces or removes the note', async () => {
    await model.setTags({ owner: 'ana', team: null });
    expect(body(server.calls('PATCH runs/abc')[0])).toEqual({
      tags: { owner: 'ana', team: null }
    });
    expect(model.run?.tags).toEqual({ owner: 'ana' });

    await model.setNote('**better**');
    expect(body(server.calls('PATCH runs/abc')[1])).toEqual({
      note: '**better**'
    });
    expect(model.run?.note).toBe('**better**');

    await model.setNote('');
    expect(model.run?.note).toBeNull();
  });

  it('says why an edit was refused and keeps the run as it was', async () => {
    // Given a server that refuses read-only tags
    server.on('PATCH runs/abc', () => {
      throw serverError(400, "tag 'xp.kind' is read-only");
    });

    // When one is set
    const done = await model.setTags({ 'xp.kind': 'script' });

    // Then the edit failed with the server's message, and nothing changed
    expect(done).toBe(false);
    expect(model.editError).toBe("tag 'xp.kind' is read-only");
    expect(model.run?.tags).toEqual({ team: 'vision' });
    expect(model.saving).toBe(false);

    // And closing the editor forgets the message
    model.clearEditError();
    expect(model.editError).toBeNull();
  });

  it('archives and restores the run, keeping what it has of its detail', async () => {
    // Given a run with params
    server
      .on('DELETE runs/abc', () => summary({ run_id: 'abc', archived: true }))
      .on('POST runs/abc/restore', () =>
        summary({ run_id: 'abc', archived: false })
      );

    // When it is archived
    expect(await model.archive()).toBe(true);

    // Then it is marked archived, its params still shown
    expect(server.calls('DELETE runs/abc')).toHaveLength(1);
    expect(model.run?.archived).toBe(true);
    expect(model.run?.params).toEqual({ lr: '0.1' });

    // When it is restored
    expect(await model.restore()).toBe(true);

    // Then it is active again
    expect(server.calls('POST runs/abc/restore')).toHaveLength(1);
    expect(model.run?.archived).toBe(false);
  });
});

describe('RunListModel: archived runs and CSV', () => {
  let server: FakeTransport;
  let model: RunListModel;

  beforeEach(async () => {
    server = new FakeTransport()
      .on('GET config', () => ({ store: 'sqlite:////x.db' }))
      .on('GET runs', request =>
        query(request).format === 'csv'
          ? 'run_id,name\nb,second\n'
          : page(
              query(request).lifecycle === 'all'
                ? [
                    summary({ run_id: 'b' }),
                    summary({ run_id: 'a', archived: true })
                  ]
                : [summary({ run_id: 'b' })]
            )
      );
    model = new RunListModel(server.client());
    model.visible = true;
    await advance();
  });

  afterEach(() => {
    model.dispose();
  });

  it('lists archived runs too once they are asked for', async () => {
    // Given the default list: active runs only
    expect(query(server.calls('GET runs')[0]).lifecycle).toBeUndefined();
    expect(model.runs.map(run => run.run_id)).toEqual(['b']);

    // When archived runs are shown
    model.setFilters({ showArchived: true });
    await advance();

    // Then the list asks for every run, and the archived one is marked
    expect(query(server.calls('GET runs')[1]).lifecycle).toBe('all');
    expect(model.runs.map(run => [run.run_id, run.archived])).toEqual([
      ['b', false],
      ['a', true]
    ]);
  });

  it('exports every run that the filters match as CSV text', async () => {
    // Given a search and filters
    model.setFilters({ q: 'sec', status: 'FINISHED', showArchived: true });
    await advance();

    // When the list is exported
    const text = await model.exportCsv();

    // Then the server was asked for CSV with the same filters and no page size
    const csv = server
      .calls('GET runs')
      .filter(request => query(request).format === 'csv');
    expect(csv).toHaveLength(1);
    expect(csv[0].text).toBe(true);
    expect(query(csv[0])).toEqual({
      q: 'sec',
      status: 'FINISHED',
      sort: 'start_time',
      order: 'desc',
      lifecycle: 'all',
      format: 'csv'
    });
    expect(text).toBe('run_id,name\nb,second\n');
    expect(model.actionError).toBeNull();
  });

  it('restores a run and asks for the list again; a failure says why', async () => {
    // Given a restore the server accepts
    server.on('POST runs/a/restore', () => summary({ run_id: 'a' }));
    const before = server.calls('GET runs').length;

    // When it is restored
    expect(await model.restore('a')).toBe(true);
    await advance();

    // Then the list is asked for again at once
    expect(server.calls('GET runs').length).toBeGreaterThan(before);

    // When a restore or an export fails
    server.on('POST runs/z/restore', () => {
      throw serverError(404, 'no run z');
    });
    expect(await model.restore('z')).toBe(false);
    expect(model.actionError).toBe('no run z');
    server.on('GET runs', () => {
      throw serverError(503, 'the store is down');
    });
    expect(await model.exportCsv()).toBeNull();
    expect(model.actionError).toBe('the store is down');
  });
});

describe('XpClient run management', () => {
  it('sends edits, archive and restore to the run’s routes', async () => {
    const server = new FakeTransport()
      .on('PATCH runs/a%2Fb', () => detail())
      .on('DELETE runs/a%2Fb', () => summary())
      .on('POST runs/a%2Fb/restore', () => summary());
    const client = server.client();
    await client.editRun('a/b', { note: null, tags: { k: 'v' } });
    await client.archiveRun('a/b');
    await client.restoreRun('a/b');
    expect(server.requests.map(entry => entry.route)).toEqual([
      'PATCH runs/a%2Fb',
      'DELETE runs/a%2Fb',
      'POST runs/a%2Fb/restore'
    ]);
    expect(server.calls('PATCH runs/a%2Fb')[0].body).toBe(
      '{"note":null,"tags":{"k":"v"}}'
    );
  });
});
