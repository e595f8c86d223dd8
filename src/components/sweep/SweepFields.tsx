// The fields of the Sweep dialog: a row per parameter (searched or not, its distribution), objective, direction, trials, sampler, pruner, workers.
import React from 'react';

import { Loading } from '../common';
import {
  ISweepFormValues,
  ISweepRow,
  KINDS,
  objectiveChoices,
  PRUNERS,
  SAMPLERS,
  SweepDirection,
  SweepKind,
  SweepPruner,
  SweepSampler
} from './sweepForm';

/** One parameter's row: searched or not, distribution, range or choices. */
function ParamRow(props: {
  id: string;
  row: ISweepRow;
  onChange: (row: ISweepRow) => void;
}): React.JSX.Element {
  const { id, row, onChange } = props;
  const set = (patch: Partial<ISweepRow>): void =>
    onChange({ ...row, ...patch });
  const text = (
    field: 'low' | 'high' | 'choices',
    label: string,
    placeholder: string
  ): React.JSX.Element => (
    <input
      className={`jp-xp-Input jp-xp-SweepParams-${field}`}
      type="text"
      spellCheck={false}
      aria-label={`${row.name} ${label}`}
      placeholder={placeholder}
      disabled={!row.include}
      value={row[field]}
      onChange={event => set({ [field]: event.currentTarget.value })}
    />
  );
  return (
    <tr>
      <th scope="row">
        <label>
          <input
            id={id}
            type="checkbox"
            checked={row.include}
            onChange={event => set({ include: event.currentTarget.checked })}
          />{' '}
          {row.name}
        </label>
      </th>
      <td>
        <select
          className="jp-xp-Select"
          aria-label={`${row.name} distribution`}
          disabled={!row.include}
          value={row.kind}
          onChange={event =>
            set({ kind: event.currentTarget.value as SweepKind })
          }
        >
          {KINDS.map(kind => (
            <option key={kind} value={kind}>
              {kind}
            </option>
          ))}
        </select>
      </td>
      <td>
        {row.kind === 'choice' ? (
          text('choices', 'choices', '32,64,128')
        ) : (
          <>
            {text('low', 'low', 'low')}
            {' to '}
            {text('high', 'high', 'high')}
          </>
        )}
      </td>
    </tr>
  );
}

/** A labelled select of fixed options. */
function Choice<T extends string>(props: {
  id: string;
  label: string;
  value: T;
  options: readonly T[];
  onChange: (value: T) => void;
  note?: string;
}): React.JSX.Element {
  return (
    <>
      <label htmlFor={props.id}>{props.label}</label>
      <div>
        <select
          id={props.id}
          className="jp-xp-Select"
          value={props.value}
          onChange={event => props.onChange(event.currentTarget.value as T)}
        >
          {props.options.map(option => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
        {props.note !== undefined && (
          <span className="jp-xp-Muted">{` ${props.note}`}</span>
        )}
      </div>
    </>
  );
}

/** Props of {@link SweepFields}. */
export interface ISweepFieldsProps {
  idPrefix: string;
  sourceLabel: string;
  runId: string;
  /** The source run's metric names. */
  metrics: readonly string[];
  values: ISweepFormValues;
  onChange: (values: ISweepFormValues) => void;
  busy: boolean;
  /** What to fix, or why the server refused, in one line; `null` if nothing. */
  error: string | null;
}

/** The fields of the Sweep dialog. */
export function SweepFields(props: ISweepFieldsProps): React.JSX.Element {
  const { idPrefix, values, onChange } = props;
  const set = (patch: Partial<ISweepFormValues>): void =>
    onChange({ ...values, ...patch });
  const metrics = objectiveChoices(props.metrics);
  return (
    <div className="jp-xp-SweepFields">
      <p>
        {'Source: run '}
        {props.sourceLabel} <code>{props.runId.slice(0, 8)}</code>
        <span className="jp-xp-Muted">
          {' — every trial is a promotion of it with the sampled parameters'}
        </span>
      </p>
      <h4 className="jp-xp-Subheading">Parameters to search</h4>
      {values.rows.length === 0 ? (
        <p className="jp-xp-Muted">
          None: the notebook has no <code>parameters</code> cell, so there is
          nothing to search.
        </p>
      ) : (
        <table
          className="jp-xp-Table jp-xp-SweepParams"
          aria-label="Search space"
        >
          <tbody>
            {values.rows.map((row, index) => (
              <ParamRow
                key={row.name}
                id={`${idPrefix}-param-${index}`}
                row={row}
                onChange={changed =>
                  set({
                    rows: values.rows.map((known, i) =>
                      i === index ? changed : known
                    )
                  })
                }
              />
            ))}
          </tbody>
        </table>
      )}
      <p className="jp-xp-Muted jp-xp-PromoteForm-hint">
        Ranges are inclusive for int; loguniform needs a low above 0; choices
        are Python literals separated by commas.
      </p>
      <div className="jp-xp-PromoteForm-grid">
        <label htmlFor={`${idPrefix}-objective`}>Objective</label>
        <div>
          {metrics.length === 0 ? (
            <input
              id={`${idPrefix}-objective`}
              className="jp-xp-Input"
              type="text"
              spellCheck={false}
              placeholder="val/accuracy"
              value={values.objective}
              onChange={event => set({ objective: event.currentTarget.value })}
            />
          ) : (
            <select
              id={`${idPrefix}-objective`}
              className="jp-xp-Select"
              value={values.objective}
              onChange={event => set({ objective: event.currentTarget.value })}
            >
              {metrics.map(metric => (
                <option key={metric} value={metric}>
                  {metric}
                </option>
              ))}
            </select>
          )}
        </div>
        <Choice<SweepDirection>
          id={`${idPrefix}-direction`}
          label="Direction"
          value={values.direction}
          options={['maximize', 'minimize']}
          onChange={direction => set({ direction })}
        />
        <label htmlFor={`${idPrefix}-trials`}>Trials</label>
        <div>
          <input
            id={`${idPrefix}-trials`}
            className="jp-xp-Input jp-xp-PromoteForm-number"
            type="text"
            inputMode="numeric"
            value={values.trials}
            onChange={event => set({ trials: event.currentTarget.value })}
          />
        </div>
        <Choice<SweepSampler>
          id={`${idPrefix}-sampler`}
          label="Sampler"
          value={values.sampler}
          options={SAMPLERS}
          onChange={sampler => set({ sampler })}
          note={values.sampler === 'grid' ? 'choice and int only' : undefined}
        />
        <Choice<SweepPruner>
          id={`${idPrefix}-pruner`}
          label="Pruner"
          value={values.pruner}
          options={PRUNERS}
          onChange={pruner => set({ pruner })}
          note="from the objective the notebook logs at each step"
        />
        <label htmlFor={`${idPrefix}-workers`}>Workers</label>
        <div>
          <input
            id={`${idPrefix}-workers`}
            className="jp-xp-Input jp-xp-PromoteForm-number"
            type="text"
            inputMode="numeric"
            placeholder="CPUs"
            value={values.workers}
            onChange={event => set({ workers: event.currentTarget.value })}
          />
          <span className="jp-xp-Muted">
            {' trials at once on the server; empty: one per CPU'}
          </span>
        </div>
      </div>
      {props.error !== null && (
        <p className="jp-xp-PromoteForm-error" role="alert">
          {props.error}
        </p>
      )}
      {props.busy && <Loading what="Starting the sweep…" />}
    </div>
  );
}
