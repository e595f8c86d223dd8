// The Promote form's values as typed, and the `POST promotions` body they make.
import type { PromotePlan, PromoteRequest } from '../api/types';
import { JSONText, PromoteOrder, PromoteSource } from '../api/client';

/** The environment a promotion's kernels run in: today's, or the recorded lock's pins. */
export type PromoteEnv = 'today' | 'recorded';

/** Seconds per cell when the user does not say otherwise (the server's too). */
const DEFAULT_CELL_TIMEOUT = '600';

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
  /** `recorded` installs the recorded lock's pins (offered when the plan lists them). */
  readonly env: PromoteEnv;
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
    tolerance: '',
    env: 'today'
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
  const request = {
    ...origin,
    params,
    seeds,
    order: values.order,
    cell_timeout: cellTimeout,
    tolerance
  };
  // The digest of what the dialog showed for this order: the code, and with
  // the recorded environment the pins too. The server refuses the promotion
  // when that is no longer what would run and be installed.
  if (values.env === 'recorded') {
    if (!plan.recorded_env) {
      return 'The source has no recorded lock to install.';
    }
    return {
      ...request,
      env: 'recorded',
      code_sha256: plan.recorded_env.sha256[values.order] ?? null
    };
  }
  return { ...request, code_sha256: plan.code[values.order]?.sha256 ?? null };
}

/** A number field: `null` when empty, `NaN` when not a number. */
function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : Number(trimmed);
}

/**
 * The Python type a parameter's text gives, as a hint next to its field.
 *
 * @param edited - whether the user changed the text: an unchanged value is
 *   not sent, and its JSON cannot tell a float 1.0 from an int 1
 */
export function pythonType(text: string, edited: boolean): string {
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
