// Component tests of the run list: runs from its polled model, ticked to compare, filtered by status, and the empty store.
import {
  afterEach,
  beforeEach,
  describe,
  expect,
  it,
  jest
} from '@jest/globals';
import {
  act,
  cleanup,
  fireEvent,
  render,
  screen
} from '@testing-library/react';
import React from 'react';

import { Gettext } from '@jupyterlab/translation';

import { RunListView } from '../../components/runList/RunList';
import { TranslationContext } from '../../components/translation';
import { RunListModel } from '../../models/runList';
import type { IApiRequest } from '../../api/handler';
import { page, summary } from '../bodies';
import { advance, FakeTransport } from '../fakeTransport';

describe('the run list', () => {
  let server: FakeTransport;
  let model: RunListModel;

  beforeEach(() => {
    server = new FakeTransport()
      .on('GET config', () => ({ store: 'sqlite:////xp/mlflow.db' }))
      .on('GET runs', () =>
        page([
          summary({ run_id: 'r1', name: 'alpha' }),
          summary({ run_id: 'r2', name: 'beta', status: 'FAILED' })
        ])
      );
    model = new RunListModel(server.client());
  });

  afterEach(() => {
    cleanup();
    model.dispose();
  });

  /** The list on screen, its model shown and its first page read. */
  async function show(
    onOpenRun = (_runId: string): void => undefined,
    onCompare = (_runIds: string[]): void => undefined
  ): Promise<void> {
    render(
      <RunListView model={model} onOpenRun={onOpenRun} onCompare={onCompare} />
    );
    await act(async () => {
      model.visible = true;
      await advance();
    });
  }

  it('shows each run, opens one, and compares the ticked runs', async () => {
    // Given the list on screen
    const onOpenRun = jest.fn<(runId: string) => void>();
    const onCompare = jest.fn<(runIds: string[]) => void>();
    await show(onOpenRun, onCompare);

    // Then each run is a button in the Runs list, and Compare waits for two
    expect(screen.getByRole('list', { name: 'Runs' })).toBeTruthy();
    expect(screen.getByText('2 runs')).toBeTruthy();
    expect(screen.getAllByText(/· 3 cells/)).toHaveLength(2);
    const compare = screen.getByRole('button', { name: 'Compare (0)' });
    expect((compare as HTMLButtonElement).disabled).toBe(true);

    // When a run's name is clicked, and both runs are ticked and compared
    fireEvent.click(screen.getByRole('button', { name: 'alpha' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select alpha' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select beta' }));
    fireEvent.click(screen.getByRole('button', { name: 'Compare (2)' }));

    // Then the run is opened, and the two are compared in the order ticked
    expect(onOpenRun).toHaveBeenCalledWith('r1');
    expect(onCompare).toHaveBeenCalledWith(['r1', 'r2']);
  });

  it('asks the server again when a filter changes', async () => {
    // Given the list on screen
    await show();

    // When the user shows failed runs only
    fireEvent.change(screen.getByRole('combobox', { name: 'Status' }), {
      target: { value: 'FAILED' }
    });
    await act(() => advance());

    // Then the model asked for failed runs
    const last = server.calls('GET runs').at(-1);
    expect(last?.query?.get('status')).toBe('FAILED');
  });

  it('sorts the table by a heading: by name on the server, by a param over every page', async () => {
    // Given the table view with the lr column, over a server with two pages
    server.on('GET runs', (request: IApiRequest) =>
      request.query?.get('page_token') === 'p1'
        ? page([
            summary({ run_id: 'r3', name: 'gamma', params: { lr: '0.5' } })
          ])
        : page(
            [
              summary({ run_id: 'r1', name: 'alpha', params: { lr: '10' } }),
              summary({ run_id: 'r2', name: 'beta', params: { lr: '9' } })
            ],
            'p1'
          )
    );
    model.setTable({ view: 'table', columns: ['params.lr'] });
    await show();
    const sortBy = (): string =>
      (screen.getByRole('combobox', { name: 'Sort by' }) as HTMLSelectElement)
        .value;

    // When the Name heading is clicked
    fireEvent.click(screen.getByRole('columnheader', { name: /^Name/ }));
    await act(() => advance());

    // Then the server sorts by name, up; the heading and the Sort box say
    // so, and the table sorts nothing itself
    const last = server.calls('GET runs').at(-1);
    expect(last?.query?.get('sort')).toBe('name');
    expect(last?.query?.get('order')).toBe('asc');
    expect(
      screen
        .getByRole('columnheader', { name: /^Name/ })
        .getAttribute('aria-sort')
    ).toBe('ascending');
    expect(sortBy()).toBe('name');
    expect(screen.queryByText(/^Sorted by/)).toBeNull();

    // When the lr heading is clicked
    fireEvent.click(screen.getByRole('columnheader', { name: /^lr/ }));
    await act(() => advance());

    // Then the second page is loaded too and the rows go by lr as numbers
    // (MLflow would order the text 10 before 9), which the Sort box shows
    const lr = screen.getAllByTitle(/^lr: /).map(cell => cell.textContent);
    expect(lr).toEqual(['0.5', '9', '10']);
    expect(sortBy()).toBe('params.lr');
    expect(screen.getByText('Sorted by lr, ascending.')).toBeTruthy();
    expect(
      screen
        .getByRole('columnheader', { name: /^Name/ })
        .getAttribute('aria-sort')
    ).toBe('none');
  });

  it('says how to record a first run when the store has none', async () => {
    // Given an empty store
    server.on('GET runs', () => page([]));

    // When the list is shown
    await show();

    // Then it says what to do
    expect(screen.getByText(/No runs yet/).textContent).toContain('%xp start');
    expect(screen.getByText('Store: sqlite:////xp/mlflow.db')).toBeTruthy();
  });

  it('speaks the language of the translation bundle it is given', async () => {
    // Given a French bundle of the extension's domain
    const french = new Gettext({ domain: 'jupyterlab_xp', locale: 'fr' });
    french.loadJSON(
      {
        '': {
          domain: 'jupyterlab_xp',
          language: 'fr',
          pluralForms: 'nplurals=2; plural=(n > 1);'
        },
        'Search run names': ['Chercher un nom de run'],
        'Compare (%1)': ['Comparer (%1)'],
        'Select %1': ['Choisir %1'],
        '%1 cell': ['%1 cellule', '%1 cellules'],
        'Columns (%1)': ['Colonnes (%1)']
      },
      'jupyterlab_xp'
    );

    // When the list is shown under it
    render(
      <TranslationContext.Provider value={french}>
        <RunListView
          model={model}
          onOpenRun={() => undefined}
          onCompare={() => undefined}
        />
      </TranslationContext.Provider>
    );
    await act(async () => {
      model.visible = true;
      await advance();
    });

    // Then its strings are the translations, and the others as written
    expect(
      screen.getByRole('searchbox', { name: 'Chercher un nom de run' })
    ).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Comparer (0)' })).toBeTruthy();
    expect(screen.getByRole('combobox', { name: 'Status' })).toBeTruthy();
    // ...in the rows too, plurals by the bundle's rule
    expect(
      screen.getByRole('checkbox', { name: 'Choisir alpha' })
    ).toBeTruthy();
    expect(screen.getAllByText(/3 cellules/)).toHaveLength(2);

    // When the table is shown
    act(() => model.setTable({ view: 'table' }));
    await act(() => advance());

    // Then its column chooser and rows are translated as well
    expect(screen.getByText('Colonnes (0)')).toBeTruthy();
    expect(screen.getByRole('checkbox', { name: 'Choisir beta' })).toBeTruthy();
  });
});
