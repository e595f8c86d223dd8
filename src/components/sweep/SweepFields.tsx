// The fields of the Sweep dialog: a row per parameter (searched or not, its distribution), objective, direction, trials, sampler, pruner, workers, and the code every trial runs.
import type { TranslationBundle } from '@jupyterlab/translation';
import React, { useId } from 'react';

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
} from '../../models/sweepForm';
import type { ISweepPlan, SweepPlanModel } from '../../models/sweepPlan';
import { Choice, TextField } from '../formFields';
import { CodeToRun } from '../promote/PlanDetails';
import type { IFormView } from '../FormView';
import { useTrans } from '../translation';

/** One parameter's row: searched or not, distribution, range or choices. */
function ParamRow(props: {
  id: string;
  row: ISweepRow;
  onChange: (row: ISweepRow) => void;
}): React.JSX.Element {
  const { id, row, onChange } = props;
  const trans = useTrans();
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
      aria-label={`${row.name} ${trans.__(label)}`}
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
          aria-label={`${row.name} ${trans.__('distribution')}`}
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

/** Props of {@link SweepFields}. */
export interface ISweepFieldsProps {
  /** The source's parameters and metrics. */
  plan: ISweepPlan;
  sourceLabel: string;
  runId: string;
  values: ISweepFormValues;
  onChange: (values: ISweepFormValues) => void;
}

/** The Objective field: a select of the run's metrics, or text when it has none. */
function ObjectiveField(props: {
  id: string;
  metrics: readonly string[];
  value: string;
  onChange: (value: string) => void;
}): React.JSX.Element {
  const trans = useTrans();
  if (props.metrics.length === 0) {
    return (
      <TextField
        id={props.id}
        label={trans.__('Objective')}
        placeholder="val/accuracy"
        value={props.value}
        onChange={props.onChange}
      />
    );
  }
  return (
    <Choice<string>
      id={props.id}
      label={trans.__('Objective')}
      value={props.value}
      options={props.metrics}
      onChange={props.onChange}
    />
  );
}

/** The fields of the Sweep dialog. */
export function SweepFields(props: ISweepFieldsProps): React.JSX.Element {
  const { values, onChange } = props;
  const trans = useTrans();
  const idPrefix = useId();
  const set = (patch: Partial<ISweepFormValues>): void =>
    onChange({ ...values, ...patch });
  return (
    <div className="jp-xp-SweepFields">
      <p>
        {trans.__('Source: run %1', props.sourceLabel)}{' '}
        <code>{props.runId.slice(0, 8)}</code>
        <span className="jp-xp-Muted">
          {' '}
          {trans.__(
            '— every trial is a promotion of it with the sampled parameters'
          )}
        </span>
      </p>
      <h4 className="jp-xp-Subheading">{trans.__('Parameters to search')}</h4>
      {values.rows.length === 0 ? (
        <p className="jp-xp-Muted">
          {trans.__(
            'None: the notebook has no parameters cell, so there is nothing to search.'
          )}
        </p>
      ) : (
        <table
          className="jp-xp-Table jp-xp-SweepParams"
          aria-label={trans.__('Search space')}
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
        {trans.__(
          'Ranges are inclusive for int; loguniform needs a low above 0; choices are Python literals separated by commas.'
        )}
      </p>
      <div className="jp-xp-PromoteForm-grid">
        <ObjectiveField
          id={`${idPrefix}-objective`}
          metrics={objectiveChoices(props.plan.metrics)}
          value={values.objective}
          onChange={objective => set({ objective })}
        />
        <Choice<SweepDirection>
          id={`${idPrefix}-direction`}
          label={trans.__('Direction')}
          value={values.direction}
          options={['maximize', 'minimize']}
          onChange={direction => set({ direction })}
        />
        <TextField
          id={`${idPrefix}-trials`}
          label={trans.__('Trials')}
          inputMode="numeric"
          value={values.trials}
          onChange={trials => set({ trials })}
        />
        <Choice<SweepSampler>
          id={`${idPrefix}-sampler`}
          label={trans.__('Sampler')}
          value={values.sampler}
          options={SAMPLERS}
          onChange={sampler => set({ sampler })}
          note={
            values.sampler === 'grid'
              ? trans.__('choice and int only')
              : undefined
          }
        />
        <Choice<SweepPruner>
          id={`${idPrefix}-pruner`}
          label={trans.__('Pruner')}
          value={values.pruner}
          options={PRUNERS}
          onChange={pruner => set({ pruner })}
          note={trans.__('from the objective the notebook logs at each step')}
        />
        <TextField
          id={`${idPrefix}-workers`}
          label={trans.__('Workers')}
          inputMode="numeric"
          placeholder={trans.__('CPUs')}
          value={values.workers}
          onChange={workers => set({ workers })}
          note={trans.__('trials at once on the server; empty: one per CPU')}
        />
      </div>
      <CodeToRun code={props.plan.code} />
    </div>
  );
}

/**
 * The Sweep dialog's texts and fields for a model.
 *
 * @param model - the plan model (its source run)
 * @param sourceLabel - how the run is named to the user
 * @param trans - the translation bundle
 */
export function sweepView(
  model: SweepPlanModel,
  sourceLabel: string,
  trans: TranslationBundle
): IFormView<ISweepPlan, ISweepFormValues> {
  return {
    loading: trans.__('Reading the run’s parameters and metrics…'),
    failed: trans.__('Cannot sweep %1', sourceLabel),
    busy: trans.__('Starting the sweep…'),
    fields: (plan, values, onChange) => (
      <SweepFields
        plan={plan}
        sourceLabel={sourceLabel}
        runId={model.runId}
        values={values}
        onChange={onChange}
      />
    )
  };
}
