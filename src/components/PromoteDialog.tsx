import { Dialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import type { PromotePlan, PromoteRequest, Promotion } from '../api/types';
import {
  errorMessage,
  JSONText,
  PromoteOrder,
  PromoteSource,
  XpClient
} from '../api/client';
import { asArray, asString } from '../format';
import { LoadState } from '../models/base';
import { Badge, ErrorState, Loading } from './common';

/**
 * The Promote dialog: pre-filled from `GET promote-plan`, it starts a
 * promotion with `POST promotions` and stays open when the server refuses the
 * request, showing why.
 */

/** Seconds per cell when the user does not say otherwise (the server's too). */
const DEFAULT_CELL_TIMEOUT = '600';

const ORDER_NOTES: Record<PromoteOrder, string> = {
  recorded: 'the recorded sequence of successful executions',
  'execution-count': 'cells sorted by their stored execution counts',
  notebook: 'top to bottom, as the notebook reads'
};

/** What the user can edit, as typed text. */
export interface IPromoteFormValues {
  /** Each parameter's value as JSON text. */
  readonly params: Readonly<Record<string, string>>;
  /** Comma-separated seeds, `0,1,2`. */
  readonly seeds: string;
  readonly order: PromoteOrder;
  /** Seconds per cell. */
  readonly cellTimeout: string;
  /** Relative tolerance for "reproduced within tolerance"; '' for the server's. */
  readonly tolerance: string;
}

/** The form's starting values: the plan's parameters, seed and order. */
export function initialValues(plan: PromotePlan): IPromoteFormValues {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(plan.params)) {
    params[name] = JSON.stringify(value);
  }
  return {
    params,
    seeds: plan.seed === null ? '' : String(plan.seed),
    order: plan.default_order,
    cellTimeout: DEFAULT_CELL_TIMEOUT,
    tolerance: ''
  };
}

/**
 * An edited parameter: its JSON text, sent verbatim, when it parses as JSON;
 * else the text itself, as a string.
 */
export function parseParam(text: string): JSONText | string {
  try {
    JSON.parse(text);
  } catch {
    return text;
  }
  return new JSONText(text);
}

/**
 * The `POST promotions` body for the form's values, or a message saying what
 * to fix. The server validates everything again; this only catches what
 * cannot even be sent (seeds and numbers that are not numbers).
 *
 * @param plan - the plan the form was filled from
 * @param source - what the dialog was opened for
 * @param values - the form's values
 */
export function buildRequest(
  plan: PromotePlan,
  source: PromoteSource,
  values: IPromoteFormValues
): PromoteRequest | string {
  const seeds: number[] = [];
  for (const part of values.seeds.split(',')) {
    const text = part.trim();
    if (text === '') {
      continue;
    }
    if (!/^-?\d+$/.test(text)) {
      return `Seeds must be whole numbers separated by commas, not "${text}".`;
    }
    seeds.push(Number(text));
  }
  const cellTimeout = parseNumber(values.cellTimeout);
  if (Number.isNaN(cellTimeout)) {
    return 'The cell timeout must be a number of seconds.';
  }
  const tolerance = parseNumber(values.tolerance);
  if (Number.isNaN(tolerance)) {
    return 'The tolerance must be a number, such as 1e-6.';
  }
  // Only edited parameters are sent: the others would come back from their
  // JSON text with a different Python type (JSON writes 1.0 as 1), and the
  // server fills them from the source anyway.
  const start = initialValues(plan).params;
  const params: Record<string, JSONText | string> = {};
  for (const [name, text] of Object.entries(values.params)) {
    if (text !== start[name]) {
      params[name] = parseParam(text);
    }
  }
  // A notebook's plan may name its latest recorded run as the source: then
  // that run is what gets promoted, as the dialog said.
  const origin =
    plan.run_id !== null
      ? { run_id: plan.run_id }
      : 'runId' in source
        ? { run_id: source.runId }
        : { notebook: source.notebook };
  return {
    ...origin,
    params,
    seeds,
    order: values.order,
    cell_timeout: cellTimeout,
    tolerance
  };
}

/** A number field: `null` when empty, `NaN` when not a number. */
function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : Number(trimmed);
}

/** Gives each dialog's inputs ids of their own, for their labels. */
let formCount = 0;

/**
 * The dialog's body: loads the plan, holds the edited values and sends the
 * request. The dialog asks it to {@link submit} when Promote is pressed.
 */
export class PromoteForm
  extends ReactWidget
  implements Dialog.IBodyWidget<Promotion | null>
{
  /**
   * @param client - the REST client
   * @param source - the run or notebook to promote
   * @param sourceLabel - how the source is named to the user
   */
  constructor(
    private readonly client: XpClient,
    private readonly source: PromoteSource,
    private readonly sourceLabel: string
  ) {
    super();
    this.addClass('jp-xp-PromoteForm');
    formCount += 1;
    this._idPrefix = `jp-xp-promote-${formCount}`;
    void this._loadPlan();
  }

  /** The promotion this dialog started, once it has. */
  getValue(): Promotion | null {
    return this._started;
  }

  /**
   * Send the request. Resolves `true` once the server has started the
   * promotion; `false` when it refused (its message is then shown in the
   * form), when the form has nothing to send yet, or a request is on its way.
   */
  async submit(): Promise<boolean> {
    if (this._started !== null) {
      return true;
    }
    if (this._plan.kind !== 'ready' || this._values === null || this._busy) {
      return false;
    }
    const request = buildRequest(this._plan.value, this.source, this._values);
    if (typeof request === 'string') {
      this._error = request;
      this.update();
      return false;
    }
    this._busy = true;
    this._error = null;
    this.update();
    try {
      this._started = await this.client.promote(request);
      return true;
    } catch (error) {
      this._error = errorMessage(error);
      return false;
    } finally {
      this._busy = false;
      this.update();
    }
  }

  protected render(): React.JSX.Element {
    const plan = this._plan;
    switch (plan.kind) {
      case 'loading':
        return <Loading what="Reading what to promote…" />;
      case 'failed':
        return (
          <ErrorState
            what={`Cannot promote ${this.sourceLabel}`}
            message={plan.message}
            onRetry={() => void this._loadPlan()}
          />
        );
      case 'ready':
        return (
          <PromoteFields
            idPrefix={this._idPrefix}
            plan={plan.value}
            source={this.source}
            sourceLabel={this.sourceLabel}
            values={this._values ?? initialValues(plan.value)}
            onChange={values => {
              this._values = values;
              this._error = null;
              this.update();
            }}
            busy={this._busy}
            error={this._error}
          />
        );
    }
  }

  private async _loadPlan(): Promise<void> {
    this._plan = { kind: 'loading' };
    this.update();
    try {
      const plan = await this.client.promotePlan(this.source);
      this._plan = { kind: 'ready', value: plan };
      this._values = initialValues(plan);
    } catch (error) {
      this._plan = { kind: 'failed', message: errorMessage(error) };
    }
    this.update();
  }

  private readonly _idPrefix: string;
  private _plan: LoadState<PromotePlan> = { kind: 'loading' };
  private _values: IPromoteFormValues | null = null;
  private _busy = false;
  private _error: string | null = null;
  private _started: Promotion | null = null;
}

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

/**
 * The Python type a parameter's text gives, as a hint next to its field.
 *
 * @param edited - whether the user changed the text: an unchanged value is
 *   not sent, and its JSON cannot tell a float 1.0 from an int 1
 */
function pythonType(text: string, edited: boolean): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'str';
  }
  if (value === null) {
    return 'None';
  }
  if (Array.isArray(value)) {
    return 'list';
  }
  switch (typeof value) {
    case 'number':
      if (!edited) {
        return 'number';
      }
      // The text is sent as typed, so Python reads 1.0 as a float.
      return /[.eE]/.test(text) ? 'float' : 'int';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'str';
    default:
      return 'dict';
  }
}

/** Props of {@link PromoteFields}. */
interface IPromoteFieldsProps {
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
function PromoteFields(props: IPromoteFieldsProps): React.JSX.Element {
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

      {props.error !== null && (
        <p className="jp-xp-PromoteForm-error" role="alert">
          {props.error}
        </p>
      )}
      {props.busy && <Loading what="Starting the promotion…" />}
    </div>
  );
}

/**
 * The Promote dialog. Pressing Promote (or Enter) sends the request and
 * closes the dialog only once the server has started the promotion; a
 * refusal keeps it open with the server's message.
 */
class PromoteDialog extends Dialog<Promotion | null> {
  /** The index of the Promote button in the dialog's buttons. */
  static readonly PROMOTE = 1;

  constructor(
    private readonly form: PromoteForm,
    title: string
  ) {
    super({
      title,
      body: form,
      buttons: [
        Dialog.cancelButton(),
        Dialog.okButton({
          label: 'Promote',
          caption:
            'Replay the source as a parameterized, tracked job and verify it'
        })
      ],
      defaultButton: PromoteDialog.PROMOTE
    });
    this.addClass('jp-xp-PromoteDialog');
  }

  override resolve(index?: number): void {
    if ((index ?? PromoteDialog.PROMOTE) !== PromoteDialog.PROMOTE) {
      super.resolve(index);
      return;
    }
    void this.form.submit().then(started => {
      if (started) {
        super.resolve(PromoteDialog.PROMOTE);
      }
    });
  }
}

/**
 * Show the Promote dialog for a run or a notebook.
 *
 * @param client - the REST client
 * @param source - the run or notebook (path relative to the server root)
 * @param sourceLabel - how the source is named to the user
 * @returns the promotion the dialog started, or `null` when it was cancelled
 */
export async function showPromoteDialog(
  client: XpClient,
  source: PromoteSource,
  sourceLabel: string
): Promise<Promotion | null> {
  const form = new PromoteForm(client, source, sourceLabel);
  const dialog = new PromoteDialog(form, `Promote ${sourceLabel}`);
  const result = await dialog.launch();
  return result.button.accept ? result.value : null;
}
