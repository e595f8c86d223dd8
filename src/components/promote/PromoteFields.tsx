// The fields of the Promote dialog: source and provenance, parameters, seeds, order, timeout, tolerance and the code that will run.
import type { TranslationBundle } from '@jupyterlab/translation';
import React, { useId } from 'react';

import { asArray, asString } from '../../format';
import {
  initialValues,
  IPromoteFormValues,
  PromoteEnv,
  pythonType
} from '../../models/promoteForm';
import type {
  PlanEnvironment,
  PromoteOrder,
  PromotePlan,
  PromoteSource
} from '../../models/types';
import { Badge } from '../common';
import type { PromotePlanModel } from '../../models/promotePlan';
import { Choice, TextField } from '../formFields';
import type { IFormView } from '../FormView';
import { useTrans } from '../translation';
import { CodeToRun, PlanNotes, ProvenanceRows } from './PlanDetails';

/** What each order means (translated where shown). */
const ORDER_NOTES: Record<PromoteOrder, string> = {
  recorded: 'the recorded sequence of successful executions',
  auto: 'execution counts, mended: a definition moves before its first use, a needed cell without a count is included (each step is reported)',
  'execution-count': 'cells sorted by their stored execution counts',
  notebook: 'top to bottom, as the notebook reads'
};

/** Whether a linear replay of the source reproduces it, and why not. */
function OrderVerdictNote(props: {
  verdict: PromotePlan['order_verdict'];
}): React.JSX.Element {
  const { verdict } = props;
  const trans = useTrans();
  if (verdict === null) {
    return (
      <span className="jp-xp-Muted">
        {trans.__('not judged (the source is not a recorded run)')}
      </span>
    );
  }
  const reasons = asArray(verdict.reasons)
    .map(asString)
    .filter((reason): reason is string => reason !== null);
  const badge =
    verdict.linear === true ? (
      <Badge
        label={trans.__('linear')}
        tone="ok"
        title={trans.__('A top-to-bottom run replays what was executed')}
      />
    ) : verdict.linear === false ? (
      <Badge
        label={trans.__('not linear')}
        tone="warn"
        title={trans.__(
          'A top-to-bottom run would not replay what was executed'
        )}
      />
    ) : (
      <Badge label={trans.__('unknown')} tone="muted" />
    );
  return (
    <>
      {badge}
      {reasons.length > 0 && (
        <ul
          className="jp-xp-Plain"
          aria-label={trans.__('Order verdict reasons')}
        >
          {reasons.map((reason, index) => (
            <li key={index}>{reason}</li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Props of {@link PromoteFields}. */
export interface IPromoteFieldsProps {
  plan: PromotePlan;
  source: PromoteSource;
  sourceLabel: string;
  values: IPromoteFormValues;
  onChange: (values: IPromoteFormValues) => void;
}

/** The Source table: the run or notebook, its provenance, the bundle, the order verdict. */
function SourceTable(props: {
  plan: PromotePlan;
  source: PromoteSource;
  sourceLabel: string;
}): React.JSX.Element {
  const { plan, source, sourceLabel } = props;
  const trans = useTrans();
  return (
    <table
      className="jp-xp-Table jp-xp-KeyValue"
      aria-label={trans.__('Source')}
    >
      <tbody>
        <tr>
          <th scope="row">{trans.__('Source')}</th>
          <td>
            {plan.run_id !== null ? (
              <>
                {'notebook' in source
                  ? trans.__('latest recorded run of %1', sourceLabel)
                  : trans.__('run %1', sourceLabel)}{' '}
                <code>{plan.run_id.slice(0, 8)}</code>
              </>
            ) : (
              <>
                {trans.__('notebook')}{' '}
                <code>{plan.notebook ?? sourceLabel}</code>
                <span className="jp-xp-Muted">
                  {' '}
                  {trans.__('(no recorded run)')}
                </span>
              </>
            )}
          </td>
        </tr>
        <ProvenanceRows plan={plan} />
        <tr>
          <th scope="row">{trans.__('Bundle')}</th>
          <td>
            <code>{plan.name}</code>
          </td>
        </tr>
        <tr>
          <th scope="row">{trans.__('Order verdict')}</th>
          <td>
            <OrderVerdictNote verdict={plan.order_verdict} />
          </td>
        </tr>
      </tbody>
    </table>
  );
}

/** The Parameters table: each parameter's value as JSON text, and its Python type. */
function ParamsTable(props: {
  idPrefix: string;
  start: Readonly<Record<string, string>>;
  params: Readonly<Record<string, string>>;
  onChange: (params: Readonly<Record<string, string>>) => void;
}): React.JSX.Element {
  const { idPrefix, start, params, onChange } = props;
  const trans = useTrans();
  const names = Object.keys(params).sort();
  if (names.length === 0) {
    return (
      <p className="jp-xp-Muted">
        {trans.__(
          'None: the notebook has no parameters cell and the run no params.'
        )}
      </p>
    );
  }
  return (
    <table
      className="jp-xp-Table jp-xp-PromoteParams"
      aria-label={trans.__('Parameters')}
    >
      <tbody>
        {names.map((name, index) => {
          const id = `${idPrefix}-param-${index}`;
          return (
            <tr key={name}>
              <th scope="row">
                <label htmlFor={id}>{name}</label>
              </th>
              <td>
                <input
                  id={id}
                  className="jp-xp-Input jp-xp-PromoteParams-input"
                  type="text"
                  spellCheck={false}
                  value={params[name]}
                  onChange={event =>
                    onChange({ ...params, [name]: event.currentTarget.value })
                  }
                />
              </td>
              <td className="jp-xp-Muted">
                {pythonType(params[name], params[name] !== start[name])}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * Every package an `--env recorded` promotion installs, as the plan lists
 * them (the request names them by their digest), and how many differ from
 * today's environment.
 */
function RecordedPins(props: { env: PlanEnvironment }): React.JSX.Element {
  const { lock, pins } = props.env;
  const trans = useTrans();
  return (
    <details className="jp-xp-PromoteCode" open>
      <summary>
        {trans._n(
          'Package it installs (%1)',
          'Packages it installs (%1)',
          pins.length
        )}
      </summary>
      {lock !== null && (
        <p className="jp-xp-PromoteCode-note">
          {trans.__(
            '%1 of the recorded lock’s %2 pins differ from today’s environment; each is installed from a wheel, without its dependencies.',
            lock.differed,
            lock.pins
          )}
        </p>
      )}
      <ul className="jp-xp-Plain" aria-label={trans.__('Packages it installs')}>
        {pins.map(pin => (
          <li key={pin}>
            <code>{pin}</code>
          </li>
        ))}
      </ul>
    </details>
  );
}

/** The fields of the Promote dialog. */
export function PromoteFields(props: IPromoteFieldsProps): React.JSX.Element {
  const { plan, source, sourceLabel, values, onChange } = props;
  const trans = useTrans();
  const idPrefix = useId();
  const set = (patch: Partial<IPromoteFormValues>): void =>
    onChange({ ...values, ...patch });
  return (
    <div className="jp-xp-PromoteFields">
      <SourceTable plan={plan} source={source} sourceLabel={sourceLabel} />
      <PlanNotes notes={plan.notes} />

      <h4 className="jp-xp-Subheading">{trans.__('Parameters')}</h4>
      <ParamsTable
        idPrefix={idPrefix}
        start={initialValues(plan).params}
        params={values.params}
        onChange={params => set({ params })}
      />
      <p className="jp-xp-Muted jp-xp-PromoteForm-hint">
        {trans.__(
          'Values are JSON; text that is not JSON is sent as a string.'
        )}
      </p>

      <div className="jp-xp-PromoteForm-grid">
        <TextField
          id={`${idPrefix}-seeds`}
          label={trans.__('Seeds')}
          placeholder="0,1,2"
          value={values.seeds}
          onChange={seeds => set({ seeds })}
          note={trans.__('one promoted run per seed; empty: the source’s seed')}
        />
        <Choice<PromoteOrder>
          id={`${idPrefix}-order`}
          label={trans.__('Order')}
          value={values.order}
          options={plan.orders}
          optionLabel={order =>
            trans.__('%1 (%2 cells)', order, plan.cells[order] ?? '?')
          }
          onChange={order => set({ order })}
          note={trans.__(ORDER_NOTES[values.order])}
        />
        <TextField
          id={`${idPrefix}-timeout`}
          label={trans.__('Cell timeout (s)')}
          inputMode="decimal"
          value={values.cellTimeout}
          onChange={cellTimeout => set({ cellTimeout })}
        />
        <TextField
          id={`${idPrefix}-tolerance`}
          label={trans.__('Tolerance')}
          inputMode="decimal"
          placeholder="1e-6"
          value={values.tolerance}
          onChange={tolerance => set({ tolerance })}
          note={trans.__('relative; for “reproduced within tolerance”')}
        />
        {plan.recorded_env && (
          <Choice<PromoteEnv>
            id={`${idPrefix}-env`}
            label={trans.__('Environment')}
            value={values.env}
            options={['today', 'recorded']}
            optionLabel={env =>
              env === 'today'
                ? trans.__('today’s (the server’s kernel)')
                : trans.__('recorded (the run’s lock)')
            }
            onChange={env => set({ env })}
          />
        )}
      </div>
      {values.env === 'recorded' && plan.recorded_env && (
        <RecordedPins env={plan.recorded_env} />
      )}

      <CodeToRun code={plan.code[values.order]} />
    </div>
  );
}

/**
 * The Promote dialog's texts and fields for a model.
 *
 * @param model - the plan model (its source)
 * @param sourceLabel - how the source is named to the user
 * @param trans - the translation bundle
 */
export function promoteView(
  model: PromotePlanModel,
  sourceLabel: string,
  trans: TranslationBundle
): IFormView<PromotePlan, IPromoteFormValues> {
  return {
    loading: trans.__('Reading what to promote…'),
    failed: trans.__('Cannot promote %1', sourceLabel),
    busy: trans.__('Starting the promotion…'),
    fields: (plan, values, onChange) => (
      <PromoteFields
        plan={plan}
        source={model.source}
        sourceLabel={sourceLabel}
        values={values}
        onChange={onChange}
      />
    )
  };
}
