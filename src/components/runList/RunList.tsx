// The run list of the Experiments panel: search, filters, sort and grouping above a windowed list of runs.
import type { TranslationBundle } from '@jupyterlab/translation';
import { Debouncer } from '@lumino/polling';
import React from 'react';

import type { RunStatus } from '../../models/types';
import { column, METRICS } from '../../models/columns';
import { IRunFilters, RunListModel } from '../../models/runList';
import { Button, EmptyState, ErrorState, Loading } from '../common';
import { buildRows, GroupBy } from './rows';
import { GroupRow, RunRow } from './RunRows';
import { RunListTools } from './RunListTools';
import { ColumnChooser, RunTable } from './RunTable';
import { columnLabel } from './table';
import { VirtualList } from './VirtualList';
import { useTrans } from '../translation';
import { useModel } from '../useModel';

/** Props of {@link RunListView}. */
export interface IRunListViewProps {
  model: RunListModel;
  /** Open a run's detail tab. */
  onOpenRun: (runId: string) => void;
  /** Open a comparison of two or more runs. */
  onCompare: (runIds: string[]) => void;
}

interface IState {
  /** The search box's text (sent to the model after a pause in typing). */
  search: string;
  /** Selected run ids, in the order they were ticked. */
  selected: readonly string[];
  /** Keys of the collapsed groups. */
  collapsed: ReadonlySet<string>;
  groupBy: GroupBy;
}

/** Height of every row of the list, in pixels (the windowing needs it fixed). */
const ROW_HEIGHT = 44;

/** Milliseconds without typing before the search is sent. */
const SEARCH_DELAY = 300;

const STATUSES: readonly { value: RunStatus | ''; label: string }[] = [
  { value: '', label: 'All statuses' },
  { value: 'RUNNING', label: 'Running' },
  { value: 'FINISHED', label: 'Finished' },
  { value: 'FAILED', label: 'Failed' },
  { value: 'KILLED', label: 'Killed' }
];

/**
 * The run list of the Experiments panel: search, filters, sort and grouping
 * above a windowed list of runs with checkboxes, and a Compare button.
 */
export function RunListView(props: IRunListViewProps): React.JSX.Element {
  useModel(props.model);
  return <RunListBody {...props} trans={useTrans()} />;
}

/**
 * The run list, rendered again with its parent on every change of the model;
 * it keeps the view state: the search being typed, the ticked runs, the
 * collapsed groups and the grouping.
 */
class RunListBody extends React.Component<
  IRunListViewProps & { trans: TranslationBundle },
  IState
> {
  constructor(props: IRunListViewProps & { trans: TranslationBundle }) {
    super(props);
    this.state = {
      search: props.model.filters.q,
      selected: [],
      collapsed: new Set(),
      groupBy: 'experiment'
    };
    this._searchDebouncer = new Debouncer(() => {
      this.props.model.setFilters({ q: this.state.search });
    }, SEARCH_DELAY);
  }

  override componentWillUnmount(): void {
    this._searchDebouncer.dispose();
  }

  override render(): React.JSX.Element {
    return (
      <div className="jp-xp-RunList">
        {this._renderControls()}
        {this._renderActions()}
        {this._renderBody()}
        {this._renderStore()}
      </div>
    );
  }

  private _setFilter(patch: Partial<IRunFilters>): void {
    this.props.model.setFilters(patch);
  }

  private _renderControls(): React.JSX.Element {
    const { model, trans } = this.props;
    const { filters, experiments, metricKeys, sort } = model;
    const sortOptions = [
      { value: 'start_time', label: trans.__('Start time') },
      { value: 'name', label: trans.__('Name') },
      ...metricKeys.map(key => ({ value: column(METRICS, key), label: key }))
    ];
    if (!sortOptions.some(option => option.value === sort.column)) {
      // A metric no loaded run has, or a table column the table sorts itself.
      sortOptions.push({ value: sort.column, label: columnLabel(sort.column) });
    }
    const experimentOptions =
      filters.experiment && !experiments.includes(filters.experiment)
        ? [...experiments, filters.experiment]
        : experiments;
    return (
      <div className="jp-xp-RunList-controls">
        <input
          type="search"
          className="jp-xp-Input jp-xp-RunList-search"
          placeholder={trans.__('Search run names')}
          aria-label={trans.__('Search run names')}
          value={this.state.search}
          onChange={event => {
            this.setState({ search: event.currentTarget.value });
            void this._searchDebouncer.invoke();
          }}
        />
        <div className="jp-xp-RunList-filters">
          <select
            className="jp-xp-Select"
            aria-label={trans.__('Status')}
            value={filters.status}
            onChange={event =>
              this._setFilter({
                status: event.currentTarget.value as RunStatus | ''
              })
            }
          >
            {STATUSES.map(option => (
              <option key={option.value} value={option.value}>
                {trans.__(option.label)}
              </option>
            ))}
          </select>
          <select
            className="jp-xp-Select"
            aria-label={trans.__('Experiment')}
            value={filters.experiment}
            onChange={event =>
              this._setFilter({ experiment: event.currentTarget.value })
            }
          >
            <option value="">{trans.__('All experiments')}</option>
            {experimentOptions.map(name => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="jp-xp-RunList-filters">
          <label className="jp-xp-Label">
            {trans.__('Sort')}
            <select
              className="jp-xp-Select"
              aria-label={trans.__('Sort by')}
              value={sort.column}
              onChange={event =>
                model.setSort({
                  column: event.currentTarget.value,
                  order: sort.order
                })
              }
            >
              {sortOptions.map(option => (
                <option key={option.value} value={option.value}>
                  {trans.__(option.label)}
                </option>
              ))}
            </select>
          </label>
          <Button
            aria-label={
              sort.order === 'desc'
                ? trans.__('Descending: click for ascending')
                : trans.__('Ascending: click for descending')
            }
            title={
              sort.order === 'desc'
                ? trans.__('Descending')
                : trans.__('Ascending')
            }
            onClick={() =>
              model.setSort({
                column: sort.column,
                order: sort.order === 'desc' ? 'asc' : 'desc'
              })
            }
          >
            {sort.order === 'desc' ? trans.__('↓ desc') : trans.__('↑ asc')}
          </Button>
          {model.table.view === 'list' && (
            <label className="jp-xp-Label">
              {trans.__('Group')}
              <select
                className="jp-xp-Select"
                aria-label={trans.__('Group by')}
                value={this.state.groupBy}
                onChange={event =>
                  this.setState({
                    groupBy: event.currentTarget.value as GroupBy,
                    collapsed: new Set()
                  })
                }
              >
                <option value="experiment">{trans.__('Experiment')}</option>
                <option value="notebook">{trans.__('Notebook')}</option>
                <option value="none">{trans.__('None')}</option>
              </select>
            </label>
          )}
        </div>
        <div className="jp-xp-RunList-filters">
          <div
            className="jp-xp-ViewToggle"
            role="group"
            aria-label={trans.__('Show runs as')}
          >
            {(['list', 'table'] as const).map(view => (
              <Button
                key={view}
                aria-pressed={model.table.view === view}
                title={
                  view === 'list'
                    ? trans.__('One row per run, grouped')
                    : trans.__('A table with chosen param and metric columns')
                }
                onClick={() => model.setTable({ view })}
              >
                {view === 'list' ? trans.__('List') : trans.__('Table')}
              </Button>
            ))}
          </div>
          {model.table.view === 'table' && <ColumnChooser model={model} />}
        </div>
        <RunListTools model={model} />
      </div>
    );
  }

  private _renderActions(): React.JSX.Element {
    const { model, onCompare, trans } = this.props;
    const { selected } = this.state;
    const shown = `${model.runs.length}${model.hasMore ? '+' : ''}`;
    const count =
      model.runs.length === 1 && !model.hasMore
        ? trans.__('1 run')
        : trans.__('%1 runs', shown);
    return (
      <div className="jp-xp-RunList-actions">
        <span className="jp-xp-Muted" aria-live="polite">
          {model.loaded ? count : ''}
        </span>
        <span className="jp-xp-RunList-spacer" />
        {selected.length > 0 && (
          <Button onClick={() => this.setState({ selected: [] })}>
            {trans.__('Clear')}
          </Button>
        )}
        <Button
          primary
          disabled={selected.length < 2}
          title={
            selected.length < 2
              ? trans.__('Tick two or more runs to compare them')
              : trans.__('Compare the ticked runs')
          }
          onClick={() => onCompare([...selected])}
        >
          {trans.__('Compare (%1)', selected.length)}
        </Button>
      </div>
    );
  }

  private _renderBody(): React.JSX.Element {
    const { model, trans } = this.props;
    const { error, loaded, runs } = model;
    if (!loaded) {
      return error !== null ? (
        <ErrorState
          what={trans.__('Could not list the runs')}
          message={error}
          onRetry={() => model.refresh()}
          retrying={model.retrying}
        />
      ) : (
        <Loading what={trans.__('Loading runs…')} />
      );
    }
    if (runs.length === 0) {
      return model.isFiltered ? (
        <EmptyState>
          <p>{trans.__('No runs match this search and these filters.')}</p>
          <Button
            onClick={() => {
              this.setState({ search: '' });
              model.setFilters({ q: '', status: '', experiment: '' });
            }}
          >
            {trans.__('Clear filters')}
          </Button>
        </EmptyState>
      ) : (
        <EmptyState>
          <p>
            {trans.__('No runs yet: run')} <code>%load_ext jupyterlab_xp</code>{' '}
            {trans.__('and')} <code>%xp start</code>{' '}
            {trans.__('in a notebook (or click Record in its toolbar).')}
          </p>
        </EmptyState>
      );
    }
    const refreshError = error !== null && (
      <ErrorState
        what={trans.__('Could not refresh the runs')}
        message={error}
        onRetry={() => model.refresh()}
        retrying={model.retrying}
      />
    );
    if (model.table.view === 'table') {
      return (
        <>
          {refreshError}
          <RunTable
            model={model}
            selected={this.state.selected}
            onToggle={this._toggleRun}
            onOpenRun={this.props.onOpenRun}
          />
          {model.loadingMore && (
            <Loading what={trans.__('Loading more runs…')} />
          )}
        </>
      );
    }
    const rows = buildRows(runs, this.state.groupBy, this.state.collapsed);
    return (
      <>
        {refreshError}
        <VirtualList
          items={rows}
          rowHeight={ROW_HEIGHT}
          label={trans.__('Runs')}
          itemKey={row =>
            row.kind === 'group' ? `group:${row.key}` : row.run.run_id
          }
          renderItem={row =>
            row.kind === 'group' ? (
              <GroupRow row={row} onToggle={this._toggleGroup} />
            ) : (
              <RunRow
                run={row.run}
                selected={this.state.selected.includes(row.run.run_id)}
                sort={model.filters.sort}
                onToggle={this._toggleRun}
                onOpenRun={this.props.onOpenRun}
                onRestore={this._restore}
              />
            )
          }
          onNearEnd={this._loadMore}
        />
        {model.loadingMore && <Loading what={trans.__('Loading more runs…')} />}
      </>
    );
  }

  private _restore = (runId: string): void => {
    void this.props.model.restore(runId);
  };

  private _loadMore = (): void => {
    void this.props.model.loadMore();
  };

  private _toggleGroup = (key: string): void => {
    this.setState(state => {
      const collapsed = new Set(state.collapsed);
      if (collapsed.has(key)) {
        collapsed.delete(key);
      } else {
        collapsed.add(key);
      }
      return { collapsed };
    });
  };

  private _toggleRun = (runId: string): void => {
    this.setState(state => ({
      selected: state.selected.includes(runId)
        ? state.selected.filter(id => id !== runId)
        : [...state.selected, runId]
    }));
  };

  private _renderStore(): React.JSX.Element {
    const { model, trans } = this.props;
    const { config } = model;
    let text: string;
    switch (config.kind) {
      case 'loading':
        text = trans.__('Store: reading…');
        break;
      case 'ready':
        text = trans.__('Store: %1', config.value.store);
        break;
      case 'failed':
        text = trans.__(
          'Could not read the store configuration: %1',
          config.message
        );
        break;
    }
    return (
      <p
        className={`jp-xp-RunList-store${config.kind === 'failed' ? ' jp-xp-Error' : ''}`}
        title={text}
      >
        {text}
      </p>
    );
  }

  private readonly _searchDebouncer: Debouncer;
}
