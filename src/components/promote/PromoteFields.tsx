// The fields of the Promote dialog: source and provenance, parameters, seeds, order, timeout, tolerance and the code that will run.
import React from 'react';

import type { PromotePlan } from '../../api/types';
import { PromoteOrder, PromoteSource } from '../../api/client';
import { asArray, asString } from '../../format';
import { Badge, Loading } from '../common';
import { initialValues, IPromoteFormValues, pythonType } from './formValues';
import { CodeToRun, PlanNotes, ProvenanceRows } from './PlanDetails';

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
  if (verdict === null) {
    return (
      <span className="jp-xp-Muted">
        not judged (the source is not a recorded run)
      </span>
    );
  }
  const reasons = asArray(verdict.reasons)
    .map(asString)
    .filter((reason): reason is string => reason !== null);
  const badge =
    verdict.linear === true ? (
      <Badge
        label="linear"
        tone="ok"
        title="A top-to-bottom run replays what was executed"
      />
    ) : verdict.linear === false ? (
      <Badge
        label="not linear"
        tone="warn"
        title="A top-to-bottom run would not replay what was executed"
      />
    ) : (
      <Badge label="unknown" tone="muted" />
    );
  return (
    <>
      {badge}
      {reasons.length > 0 && (
        <ul className="jp-xp-Plain" aria-label="Order verdict reasons">
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
  idPrefix: string;
  plan: PromotePlan;
  source: PromoteSource;
  sourceLabel: string;
  values: IPromoteFormValues;
  onChange: (values: IPromoteFormValues) => void;
  /** Whether the request is on its way. */
  busy: boolean;
  /** Why the last request failed (the server's message), or `null`. */
  error: string | null;
}

/** The fields of the Promote dialog. */
export function PromoteFields(props: IPromoteFieldsProps): React.JSX.Element {
  const { idPrefix, plan, source, sourceLabel, values, onChange } = props;
  const set = (patch: Partial<IPromoteFormValues>): void =>
    onChange({ ...values, ...patch });
  const names = Object.keys(values.params).sort();
  const start = initialValues(plan).params;
  const fromNotebook = 'notebook' in source;
  return (
    <div className="jp-xp-PromoteFields">
      <table className="jp-xp-Table jp-xp-KeyValue" aria-label="Source">
        <tbody>
          <tr>
            <th scope="row">Source</th>
            <td>
              {plan.run_id !== null ? (
                <>
                  {fromNotebook
                    ? `latest recorded run of ${sourceLabel} `
                    : `run ${sourceLabel} `}
                  <code>{plan.run_id.slice(0, 8)}</code>
                </>
              ) : (
                <>
                  {'notebook '}
                  <code>{plan.notebook ?? sourceLabel}</code>
                  <span className="jp-xp-Muted"> (no recorded run)</span>
                </>
              )}
            </td>
          </tr>
          <ProvenanceRows plan={plan} />
          <tr>
            <th scope="row">Bundle</th>
            <td>
              <code>{plan.name}</code>
            </td>
          </tr>
          <tr>
            <th scope="row">Order verdict</th>
            <td>
              <OrderVerdictNote verdict={plan.order_verdict} />
            </td>
          </tr>
        </tbody>
      </table>
      <PlanNotes notes={plan.notes} />

      <h4 className="jp-xp-Subheading">Parameters</h4>
      {names.length === 0 ? (
        <p className="jp-xp-Muted">
          None: the notebook has no <code>parameters</code> cell and the run no
          params.
        </p>
      ) : (
        <table
          className="jp-xp-Table jp-xp-PromoteParams"
          aria-label="Parameters"
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
                      value={values.params[name]}
                      onChange={event =>
                        set({
                          params: {
                            ...values.params,
                            [name]: event.currentTarget.value
                          }
                        })
                      }
                    />
                  </td>
                  <td className="jp-xp-Muted">
                    {pythonType(
                      values.params[name],
                      values.params[name] !== start[name]
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <p className="jp-xp-Muted jp-xp-PromoteForm-hint">
        Values are JSON; text that is not JSON is sent as a string.
      </p>

      <div className="jp-xp-PromoteForm-grid">
        <label htmlFor={`${idPrefix}-seeds`}>Seeds</label>
        <div>
          <input
            id={`${idPrefix}-seeds`}
            className="jp-xp-Input"
            type="text"
            spellCheck={false}
            placeholder="0,1,2"
            value={values.seeds}
            onChange={event => set({ seeds: event.currentTarget.value })}
          />
          <span className="jp-xp-Muted">
            {' one promoted run per seed; empty: the source’s seed'}
          </span>
        </div>

        <label htmlFor={`${idPrefix}-order`}>Order</label>
        <div>
          <select
            id={`${idPrefix}-order`}
            className="jp-xp-Select"
            value={values.order}
            onChange={event =>
              set({ order: event.currentTarget.value as PromoteOrder })
            }
          >
            {plan.orders.map(order => (
              <option key={order} value={order}>
                {`${order} (${plan.cells[order] ?? '?'} cells)`}
              </option>
            ))}
          </select>
          <span className="jp-xp-Muted">{` ${ORDER_NOTES[values.order]}`}</span>
        </div>

        <label htmlFor={`${idPrefix}-timeout`}>Cell timeout (s)</label>
        <div>
          <input
            id={`${idPrefix}-timeout`}
            className="jp-xp-Input jp-xp-PromoteForm-number"
            type="text"
            inputMode="decimal"
            value={values.cellTimeout}
            onChange={event => set({ cellTimeout: event.currentTarget.value })}
          />
        </div>

        <label htmlFor={`${idPrefix}-tolerance`}>Tolerance</label>
        <div>
          <input
            id={`${idPrefix}-tolerance`}
            className="jp-xp-Input jp-xp-PromoteForm-number"
            type="text"
            inputMode="decimal"
            placeholder="1e-6"
            value={values.tolerance}
            onChange={event => set({ tolerance: event.currentTarget.value })}
          />
          <span className="jp-xp-Muted">
            {' relative; for “reproduced within tolerance”'}
          </span>
        </div>
      </div>

      <CodeToRun code={plan.code[values.order]} />

      {props.error !== null && (
        <p className="jp-xp-PromoteForm-error" role="alert">
          {props.error}
        </p>
      )}
      {props.busy && <Loading what="Starting the promotion…" />}
    </div>
  );
}
