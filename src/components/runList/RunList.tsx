// The run list of the Experiments panel: search, filters, sort and grouping above a windowed list of runs.
import { Debouncer } from '@lumino/polling';
import React from 'react';

import type { RunStatus } from '../../models/types';
import { IRunFilters, RunListModel } from '../../models/runList';
import { Button, EmptyState, ErrorState, Loading } from '../common';
import { buildRows, GroupBy } from './rows';
import { GroupRow, RunRow } from './RunRows';
import { RunListTools } from './RunListTools';
import { ColumnChooser, RunTable } from './RunTable';
import { VirtualList } from './VirtualList';
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
  return <RunListBody {...props} />;
}

/**
 * The run list, rendered again with its parent on every change of the model;
 * it keeps the view state: the search being typed, the ticked runs, the
 * collapsed groups and the grouping.
 */
class RunListBody extends React.Component<IRunListViewProps, IState> {
  constructor(props: IRunListViewProps) {
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
    const { model } = this.props;
    const { filters, experiments, metricKeys } = model;
    const sortOptions = [
      { value: 'start_time', label: 'Start time' },
      { value: 'name', label: 'Name' },
      ...metricKeys.map(key => ({ value: `metrics.${key}`, label: key }))
    ];
    if (!sortOptions.some(option => option.value === filters.sort)) {
      sortOptions.push({
        value: filters.sort,
        label: filters.sort.replace(/^metrics\./, '')
      });
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
          placeholder="Search run names"
          aria-label="Search run names"
          value={this.state.search}
          onChange={event => {
            this.setState({ search: event.currentTarget.value });
            void this._searchDebouncer.invoke();
          }}
        />
        <div className="jp-xp-RunList-filters">
          <select
            className="jp-xp-Select"
            aria-label="Status"
            value={filters.status}
            onChange={event =>
              this._setFilter({
                status: event.currentTarget.value as RunStatus | ''
              })
            }
          >
            {STATUSES.map(option => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          <select
            className="jp-xp-Select"
            aria-label="Experiment"
            value={filters.experiment}
            onChange={event =>
              this._setFilter({ experiment: event.currentTarget.value })
            }
          >
            <option value="">All experiments</option>
            {experimentOptions.map(name => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="jp-xp-RunList-filters">
          <label className="jp-xp-Label">
            Sort
            <select
              className="jp-xp-Select"
              aria-label="Sort by"
              value={filters.sort}
              onChange={event =>
                this._setFilter({ sort: event.currentTarget.value })
              }
            >
              {sortOptions.map(option => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </label>
          <Button
            aria-label={
              filters.order === 'desc'
                ? 'Descending: click for ascending'
                : 'Ascending: click for descending'
            }
            title={filters.order === 'desc' ? 'Descending' : 'Ascending'}
            onClick={() =>
              this._setFilter({
                order: filters.order === 'desc' ? 'asc' : 'desc'
              })
            }
          >
            {filters.order === 'desc' ? '↓ desc' : '↑ asc'}
          </Button>
          {model.table.view === 'list' && (
            <label className="jp-xp-Label">
              Group
              <select
                className="jp-xp-Select"
                aria-label="Group by"
                value={this.state.groupBy}
                onChange={event =>
                  this.setState({
                    groupBy: event.currentTarget.value as GroupBy,
                    collapsed: new Set()
                  })
                }
              >
                <option value="experiment">Experiment</option>
                <option value="notebook">Notebook</option>
                <option value="none">None</option>
              </select>
            </label>
          )}
        </div>
        <div className="jp-xp-RunList-filters">
          <div
            className="jp-xp-ViewToggle"
            role="group"
            aria-label="Show runs as"
          >
            {(['list', 'table'] as const).map(view => (
              <Button
                key={view}
                aria-pressed={model.table.view === view}
                title={
                  view === 'list'
                    ? 'One row per run, grouped'
                    : 'A table with chosen param and metric columns'
                }
                onClick={() => model.setTable({ view })}
              >
                {view === 'list' ? 'List' : 'Table'}
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
    const { model, onCompare } = this.props;
    const { selected } = this.state;
    const count = `${model.runs.length}${model.hasMore ? '+' : ''} run${
      model.runs.length === 1 && !model.hasMore ? '' : 's'
    }`;
    return (
      <div className="jp-xp-RunList-actions">
        <span className="jp-xp-Muted" aria-live="polite">
          {model.loaded ? count : ''}
        </span>
        <span className="jp-xp-RunList-spacer" />
        {selected.length > 0 && (
          <Button onClick={() => this.setState({ selected: [] })}>Clear</Button>
        )}
        <Button
          primary
          disabled={selected.length < 2}
          title={
            selected.length < 2
              ? 'Tick two or more runs to compare them'
              : 'Compare the ticked runs'
          }
          onClick={() => onCompare([...selected])}
        >
          {`Compare (${selected.length})`}
        </Button>
      </div>
    );
  }

  private _renderBody(): React.JSX.Element {
    const { model } = this.props;
    const { error, loaded, runs } = model;
    if (!loaded) {
      return error !== null ? (
        <ErrorState
          what="Could not list the runs"
          message={error}
          onRetry={() => model.refresh()}
          retrying={model.retrying}
        />
      ) : (
        <Loading what="Loading runs…" />
      );
    }
    if (runs.length === 0) {
      return model.isFiltered ? (
        <EmptyState>
          <p>No runs match this search and these filters.</p>
          <Button
            onClick={() => {
              this.setState({ search: '' });
              model.setFilters({ q: '', status: '', experiment: '' });
            }}
          >
            Clear filters
          </Button>
        </EmptyState>
      ) : (
        <EmptyState>
          <p>
            No runs yet: run <code>%load_ext jupyterlab_xp</code> and{' '}
            <code>%xp start</code> in a notebook (or click Record in its
            toolbar).
          </p>
        </EmptyState>
      );
    }
    const refreshError = error !== null && (
      <ErrorState
        what="Could not refresh the runs"
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
          {model.loadingMore && <Loading what="Loading more runs…" />}
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
          label="Runs"
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
        {model.loadingMore && <Loading what="Loading more runs…" />}
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
    const { config } = this.props.model;
    let text: string;
    switch (config.kind) {
      case 'loading':
        text = 'Store: reading…';
        break;
      case 'ready':
        text = `Store: ${config.value.store}`;
        break;
      case 'failed':
        text = `Could not read the store configuration: ${config.message}`;
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
