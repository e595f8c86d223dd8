// The run list as a table: chosen param and metric columns, sorted by any column, rows windowed.
import React from 'react';

import type { RunSummary } from '../../models/types';
import { runLabel } from '../../format';
import { RunListModel } from '../../models/runList';
import { Button, Loading } from '../common';
import { useTrans } from '../translation';
import {
  cellText,
  cellValue,
  columnChoices,
  columnLabel,
  FIXED_COLUMNS,
  nextSort,
  sortRuns,
  toggleColumn
} from './table';
import { VirtualList } from './VirtualList';

/** Height of every row of the table, in pixels. */
const TABLE_ROW_HEIGHT = 28;

/** Props of {@link RunTable}. */
export interface IRunTableProps {
  model: RunListModel;
  /** Ticked run ids (to compare). */
  selected: readonly string[];
  onToggle: (runId: string) => void;
  onOpenRun: (runId: string) => void;
}

/** The column chooser: a checkbox per param and per metric seen in the listed runs. */
export function ColumnChooser(props: {
  model: RunListModel;
}): React.JSX.Element {
  const { model } = props;
  const trans = useTrans();
  const { columns } = model.table;
  const choices = columnChoices(model.paramKeys, model.metricKeys, columns);
  const group = (title: string, options: string[]): React.JSX.Element => (
    <fieldset className="jp-xp-ColumnChooser-group">
      <legend>{title}</legend>
      {options.length === 0 ? (
        <span className="jp-xp-Muted">
          {trans.__('none in the listed runs')}
        </span>
      ) : (
        options.map(column => (
          <label key={column} className="jp-xp-Label">
            <input
              type="checkbox"
              checked={columns.includes(column)}
              onChange={() =>
                model.setTable({ columns: toggleColumn(columns, column) })
              }
            />
            {columnLabel(column)}
          </label>
        ))
      )}
    </fieldset>
  );
  return (
    <details className="jp-xp-ColumnChooser">
      <summary>{trans.__('Columns (%1)', columns.length)}</summary>
      <div className="jp-xp-ColumnChooser-body">
        {group(trans.__('Params'), choices.params)}
        {group(trans.__('Metrics'), choices.metrics)}
      </div>
    </details>
  );
}

/**
 * The loaded runs as a table: a checkbox, name and seed, then the
 * chosen columns. A click on a heading sorts by it (again: the other way):
 * the server sorts by name and metrics, the table by params and the seed
 * over every run (see `serverSorts`), numbers as numbers, runs without a
 * value last.
 */
export function RunTable(props: IRunTableProps): React.JSX.Element {
  const { model, selected, onToggle, onOpenRun } = props;
  const trans = useTrans();
  const { columns } = model.table;
  const sort = model.sort;
  const shown = [...FIXED_COLUMNS, ...columns];
  const runs = model.sortsHere ? sortRuns(model.runs, sort) : model.runs;
  // Wider than the panel with many columns: the table scrolls sideways,
  // heading and rows together.
  const template = `20px minmax(7em, 2fr) 3.5em ${columns
    .map(() => 'minmax(5em, 1fr)')
    .join(' ')}`;
  const width = `max(100%, ${20 + (7 + 3.5 + 5 * columns.length) * 13 + 12 * (columns.length + 2)}px)`;
  const style = { gridTemplateColumns: template };
  const heading = (column: string): string =>
    column === 'name'
      ? trans.__('Name')
      : column === 'seed'
        ? trans.__('Seed')
        : columnLabel(column);
  const order =
    sort.order === 'asc' ? trans.__('ascending') : trans.__('descending');
  return (
    <div className="jp-xp-RunTable">
      {model.sortsHere && (
        <div className="jp-xp-RunTable-sortbar">
          <span className="jp-xp-Muted">
            {model.sortCapped
              ? trans.__(
                  'Sorted by %1, %2, over the first %3 runs only: filter the list to sort all of them.',
                  heading(sort.column),
                  order,
                  model.runs.length
                )
              : trans.__('Sorted by %1, %2.', heading(sort.column), order)}
          </span>
          <Button onClick={() => model.setTable({ sort: null })}>
            {trans.__('Unsort')}
          </Button>
        </div>
      )}
      <div className="jp-xp-RunTable-scroll">
        <div className="jp-xp-RunTable-body" style={{ width }}>
          <div className="jp-xp-RunTable-head" style={style} role="row">
            <span />
            {shown.map(column => {
              const current = sort.column === column ? sort.order : null;
              return (
                <button
                  key={column}
                  type="button"
                  role="columnheader"
                  className="jp-xp-RunTable-heading"
                  title={trans.__('Sort by %1', heading(column))}
                  aria-sort={
                    current === null
                      ? 'none'
                      : current === 'asc'
                        ? 'ascending'
                        : 'descending'
                  }
                  onClick={() => model.setSort(nextSort(sort, column))}
                >
                  {heading(column)}
                  {current !== null && (current === 'asc' ? ' ↑' : ' ↓')}
                </button>
              );
            })}
          </div>
          {!model.sortReady && (
            <Loading
              what={trans.__(
                'Loading every run to sort them by %1 (%2 so far)…',
                heading(sort.column),
                model.runs.length
              )}
            />
          )}
          <VirtualList
            items={model.sortReady ? runs : []}
            rowHeight={TABLE_ROW_HEIGHT}
            label={trans.__('Runs table')}
            itemKey={run => run.run_id}
            renderItem={run => (
              <TableRow
                run={run}
                columns={columns}
                style={style}
                selected={selected.includes(run.run_id)}
                onToggle={onToggle}
                onOpenRun={onOpenRun}
              />
            )}
            onNearEnd={() => void model.loadMore()}
          />
        </div>
      </div>
    </div>
  );
}

function TableRow(props: {
  run: RunSummary;
  columns: readonly string[];
  style: React.CSSProperties;
  selected: boolean;
  onToggle: (runId: string) => void;
  onOpenRun: (runId: string) => void;
}): React.JSX.Element {
  const { run, columns, style, selected, onToggle, onOpenRun } = props;
  const trans = useTrans();
  const label = runLabel(run);
  return (
    <div
      className={`jp-xp-RunTable-row${selected ? ' jp-mod-selected' : ''}`}
      style={style}
    >
      <input
        type="checkbox"
        aria-label={trans.__('Select %1', label)}
        checked={selected}
        onChange={() => onToggle(run.run_id)}
      />
      <button
        type="button"
        className="jp-xp-RunRow-name"
        title={trans.__('%1 (%2): open its details', label, run.run_id)}
        onClick={() => onOpenRun(run.run_id)}
      >
        {label}
      </button>
      <span className="jp-xp-RunTable-cell">{cellText(run.seed)}</span>
      {columns.map(column => {
        const value = cellValue(run, column);
        return (
          <span
            key={column}
            className={`jp-xp-RunTable-cell${typeof value === 'number' ? ' jp-xp-RunTable-number' : ''}`}
            title={`${columnLabel(column)}: ${cellText(value)}`}
          >
            {cellText(value)}
          </span>
        );
      })}
    </div>
  );
}
