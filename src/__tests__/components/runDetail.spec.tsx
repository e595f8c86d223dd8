// Component tests of a run's tab: the run from its polled model, its sections found by role, Promote, and a failure with Retry.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  act,
  cleanup,
  fireEvent,
  render,
  screen,
  within
} from '@testing-library/react';
import React from 'react';

import { RunDetailView } from '../../components/runDetail/RunDetail';
import type { RunDetail } from '../../api/types';
import { RunDetailModel } from '../../models/runDetail';
import { detail } from '../bodies';
import { advance, FakeTransport, serverError } from '../fakeTransport';

/** A run tab for run abc over `server`, shown and read. */
async function show(
  server: FakeTransport,
  onPromote = (_run: RunDetail): void => undefined,
  onOpenRun = (_runId: string): void => undefined
): Promise<RunDetailModel> {
  const model = new RunDetailModel(server.client(), 'abc');
  render(
    <RunDetailView
      model={model}
      serverRoot="/home/me"
      onOpenNotebook={() => undefined}
      onOpenRun={onOpenRun}
      onPromote={onPromote}
      rendermime={null}
    />
  );
  await act(async () => {
    model.visible = true;
    await advance();
  });
  return model;
}

describe('a run’s tab', () => {
  let model: RunDetailModel | null = null;

  afterEach(() => {
    cleanup();
    model?.dispose();
  });

  it('shows the run’s name, parameters and metrics, and promotes it', async () => {
    // Given a finished run with a parameter and a metric
    const server = new FakeTransport()
      .on('GET runs/abc', () =>
        detail({
          run_id: 'abc',
          name: 'baseline',
          params: { lr: '0.1' },
          metrics: { 'val/accuracy': 0.9 }
        })
      )
      .on('GET runs/abc/metrics/val%2Faccuracy', () => ({
        key: 'val/accuracy',
        run_id: 'abc',
        points: [{ step: 0, timestamp: 0, value: 0.9 }]
      }))
      .on('GET promotions', () => ({ promotions: [] }));
    const onPromote = jest.fn<(run: RunDetail) => void>();

    // When its tab is shown
    model = await show(server, onPromote);

    // Then its name heads the tab and its sections list what it recorded
    expect(
      screen.getByRole('heading', { name: /^baseline finished$/ })
    ).toBeTruthy();
    const params = screen.getByRole('table', { name: 'Parameters' });
    expect(within(params).getByRole('row', { name: 'lr 0.1' })).toBeTruthy();
    expect(screen.getByText('val/accuracy')).toBeTruthy();

    // When Promote is clicked, the run is handed to the dialog's command
    fireEvent.click(screen.getByRole('button', { name: 'Promote' }));
    expect(onPromote.mock.calls[0][0].run_id).toBe('abc');
  });

  it('shows each cell’s verdict with its figure, and a profiled cell’s top operators', async () => {
    // Given a run with a data-bound cell, a short cell with no verdict and a profiled cell
    const cell = {
      execution_count: 1,
      cell_id: null,
      sha256: null,
      start: 0,
      status: 'ok' as const,
      error_name: null,
      error_value: null,
      peak_rss_mb: 100
    };
    const server = new FakeTransport()
      .on('GET runs/abc', () =>
        detail({
          run_id: 'abc',
          cells_journal: [
            {
              ...cell,
              seq: 1,
              source: 'for batch in loader: pass',
              duration: 10,
              verdict: 'data-bound',
              verdict_because: 'waited on the data loader 62 % of the cell'
            },
            { ...cell, seq: 2, source: 'x = 1', duration: 0.01 },
            {
              ...cell,
              seq: 3,
              source: 'b = a @ a',
              duration: 4,
              verdict: 'compute-bound',
              verdict_because: 'CPU busy 97 % of the cell'
            }
          ],
          time_verdict: {
            verdict: 'data-bound',
            share: 10 / 14,
            seconds: { 'data-bound': 10, 'compute-bound': 4 }
          },
          profiles: [
            {
              cell: 3,
              steps: null,
              cuda: false,
              trace: 'profiles/cell-3.trace.json',
              operators: [
                { name: 'aten::mm', self_cpu_us: 8125, calls: 50 },
                { name: 'aten::add', self_cpu_us: 120.5, calls: 50 }
              ]
            }
          ]
        })
      )
      .on('GET promotions', () => ({ promotions: [] }));

    // When its tab is shown
    model = await show(server);

    // Then the run's verdict heads the journal, with its share of the judged time
    expect(screen.getByText(/Where the time went:/).textContent).toBe(
      'Where the time went: data-bound 71 % of the time of the cells judged'
    );
    // Then each judged cell shows its verdict and the figure that decided it
    const journal = screen.getByRole('list', { name: 'Cell journal' });
    const [loader, short, profiled] = within(journal).getAllByRole('listitem');
    expect(within(loader).getByText('data-bound').title).toBe(
      "Where this cell's time went"
    );
    expect(loader.textContent).toContain(
      'waited on the data loader 62 % of the cell'
    );
    expect(within(short).queryByText(/-bound|idle/)).toBeNull();
    expect(within(profiled).getByText('compute-bound')).toBeTruthy();
    // And the profiled cell lists its top operators, self CPU time in ms, and its trace
    const table = within(profiled).getByRole('table', {
      name: 'Top operators of #3'
    });
    expect(
      within(table).getByRole('row', { name: 'aten::mm 8.125 ms 50' })
    ).toBeTruthy();
    expect(within(table).queryByText('Self CUDA')).toBeNull();
    expect(profiled.textContent).toContain('xp/profiles/cell-3.trace.json');
    expect(within(loader).queryByRole('table')).toBeNull();
  });

  it('names the fields the store held in a form it could not read', async () => {
    // Given a run whose seeds file and cells tag did not parse on the server
    const server = new FakeTransport()
      .on('GET runs/abc', () =>
        detail({
          run_id: 'abc',
          unreadable: {
            seeds: 'seeds.json: value: Input should be a valid dictionary',
            cells: "tag xp.cells is not a count: 'lots'"
          }
        })
      )
      .on('GET promotions', () => ({ promotions: [] }));

    // When its tab is shown
    model = await show(server);

    // Then one line names each field and why, and the tab still shows the run
    const note = screen.getByRole('note');
    expect(note.textContent).toContain('Unreadable in the store, shown empty:');
    expect(note.textContent).toContain(
      "cells: tag xp.cells is not a count: 'lots'"
    );
    expect(note.textContent).toContain('seeds: seeds.json: value:');
  });

  it('says why a run cannot be read, and reads it again on Retry', async () => {
    // Given a server that fails to read the run
    let fail = true;
    const server = new FakeTransport()
      .on('GET runs/abc', () => {
        if (fail) {
          throw serverError(500, 'The store is locked');
        }
        return detail({ run_id: 'abc', name: 'baseline' });
      })
      .on('GET promotions', () => ({ promotions: [] }));

    // When the tab is shown
    model = await show(server);

    // Then it says why, and Retry reads the run once the store answers
    expect(screen.getByRole('alert').textContent).toContain(
      'The store is locked'
    );
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: /^Retry/ }));
    await act(() => advance());
    expect(
      screen.getByRole('heading', { name: /^baseline finished$/ })
    ).toBeTruthy();
  });

  it('lists the model versions registered from the run, with their aliases', async () => {
    // Given a run registered as digits 1 and 3 (staging), and a version the registry
    // holds in a form past the caps
    const server = new FakeTransport()
      .on('GET runs/abc', () => detail({ run_id: 'abc' }))
      .on('GET promotions', () => ({ promotions: [] }))
      .on('GET runs/abc/models', () => ({
        run_id: 'abc',
        versions: [
          { name: 'digits', version: '1', aliases: [] },
          { name: 'digits', version: '3', aliases: ['staging', 'candidate'] }
        ],
        unreadable: ["model version 'crowded': aliases: too many"]
      }));

    // When its tab is shown
    model = await show(server);

    // Then the Registered models table lists each version by name, number and aliases
    const table = screen.getByRole('table', { name: 'Registered models' });
    expect(
      within(table)
        .getAllByRole('row')
        .slice(1)
        .map(row => row.textContent)
    ).toEqual(['digits1', 'digits3staging candidate ']);
    expect(screen.getByRole('note').textContent).toContain(
      "Left out, unreadable in the registry: model version 'crowded'"
    );

    // When Refresh is clicked, the registry is read again
    fireEvent.click(
      within(table.parentElement as HTMLElement).getByRole('button', {
        name: 'Refresh'
      })
    );
    await act(() => advance());
    expect(server.calls('GET runs/abc/models')).toHaveLength(2);
  });

  it('opens a version’s lineage, with its source run as a link', async () => {
    // Given a run registered as digits 3, whose lineage names its notebook,
    // git commit and lock, and one tag the registry held past the caps
    const source = 'f'.repeat(32);
    const server = new FakeTransport()
      .on('GET runs/abc', () => detail({ run_id: 'abc' }))
      .on('GET promotions', () => ({ promotions: [] }))
      .on('GET runs/abc/models', () => ({
        run_id: 'abc',
        versions: [{ name: 'digits', version: '3', aliases: ['staging'] }],
        unreadable: []
      }))
      .on('GET models/digits/3', () => ({
        name: 'digits',
        version: '3',
        aliases: ['staging'],
        run_id: source,
        source: `runs:/${source}/xp`,
        lineage: {
          git_commit: '0123abcd',
          lock_sha256: 'e'.repeat(64),
          notebook: 'train.ipynb'
        },
        unreadable: ["lineage 'params': not text of at most 8000 characters"]
      }));
    const opened: string[] = [];
    model = await show(server, undefined, runId => opened.push(runId));

    // When its version number is clicked
    const table = screen.getByRole('table', { name: 'Registered models' });
    const number = within(table).getByRole('button', { name: '3' });
    fireEvent.click(number);
    await act(() => advance());

    // Then the lineage lists every field as text, and names what was left out
    expect(number.getAttribute('aria-expanded')).toBe('true');
    const block = screen.getByRole('region', {
      name: 'Lineage of digits version 3'
    });
    expect(
      within(block)
        .getAllByRole('row')
        .map(row => row.textContent)
    ).toEqual([
      `Source run${source.slice(0, 8)}`,
      `Sourceruns:/${source}/xp`,
      'git_commit0123abcd',
      `lock_sha256${'e'.repeat(64)}`,
      'notebooktrain.ipynb'
    ]);
    expect(within(block).getByRole('note').textContent).toContain(
      "lineage 'params': not text"
    );

    // When the source run is clicked, that run's detail opens
    fireEvent.click(
      within(block).getByRole('button', { name: source.slice(0, 8) })
    );
    expect(opened).toEqual([source]);

    // When the version number is clicked again, the lineage closes
    fireEvent.click(number);
    expect(
      screen.queryByRole('region', { name: 'Lineage of digits version 3' })
    ).toBeNull();
    expect(server.calls('GET models/digits/3')).toHaveLength(1);
  });
});
