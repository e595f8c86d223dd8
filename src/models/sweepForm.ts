// The Sweep form's values as typed, their checks (the server's, one line each) and the `POST sweeps` body they make.
import type { SweepDimension, SweepRequest } from '../api/types';

/** A distribution of the search space. */
export type SweepKind = SweepDimension['kind'];
export type SweepDirection = NonNullable<SweepRequest['direction']>;
export type SweepSampler = NonNullable<SweepRequest['sampler']>;
export type SweepPruner = NonNullable<SweepRequest['pruner']>;

export const KINDS: readonly SweepKind[] = [
  'uniform',
  'loguniform',
  'int',
  'choice'
];
export const SAMPLERS: readonly SweepSampler[] = ['tpe', 'random', 'grid'];
export const PRUNERS: readonly SweepPruner[] = ['hyperband', 'median', 'none'];

/** The server's limits (`SweepRequest`). */
const MAX_TRIALS = 10000;
const MAX_WORKERS = 64;

/** One parameter of the parameters cell, as a row of the form. */
export interface ISweepRow {
  readonly name: string;
  /** Whether the sweep searches it (else it keeps the source's value). */
  readonly include: boolean;
  readonly kind: SweepKind;
  readonly low: string;
  readonly high: string;
  /** `choice` values, comma-separated Python literals: `32,64` or `'adam','sgd'`. */
  readonly choices: string;
}

/** What the user can edit, as typed text. */
export interface ISweepFormValues {
  readonly rows: readonly ISweepRow[];
  readonly objective: string;
  readonly direction: SweepDirection;
  readonly trials: string;
  readonly sampler: SweepSampler;
  readonly pruner: SweepPruner;
  /** Trials at once; '' for the server's default (its CPUs). */
  readonly workers: string;
}

/** A number written short enough to edit (`0.001`, `1e-5`, `250`). */
function short(value: number): string {
  return String(Number(value.toPrecision(6)));
}

/** A row for a parameter, with a distribution around its value. */
export function initialRow(name: string, value: unknown): ISweepRow {
  const row = { name, include: false, low: '', high: '', choices: '' };
  if (typeof value === 'number' && Number.isFinite(value)) {
    const include = name !== 'seed';
    if (Number.isInteger(value)) {
      const [low, high] =
        value > 0 ? [Math.floor(value / 2), value * 2] : [value - 1, value + 1];
      return { ...row, include, kind: 'int', low: `${low}`, high: `${high}` };
    }
    if (value > 0) {
      const [low, high] = [short(value / 10), short(value * 10)];
      return { ...row, include, kind: 'loguniform', low, high };
    }
    const [low, high] = [short(value * 2), short(value / 2)];
    return { ...row, include, kind: 'uniform', low, high };
  }
  if (typeof value === 'boolean') {
    return { ...row, kind: 'choice', choices: 'True,False' };
  }
  if (typeof value === 'string') {
    return { ...row, kind: 'choice', choices: JSON.stringify(value) };
  }
  return { ...row, kind: 'choice', choices: value === null ? 'None' : '' };
}

/** Metric names the objective can be: the run's, `system/*` last. */
export function objectiveChoices(metrics: readonly string[]): string[] {
  const system = (name: string): number => (name.startsWith('system/') ? 1 : 0);
  return [...metrics].sort(
    (a, b) => system(a) - system(b) || a.localeCompare(b)
  );
}

/** Whether a metric is better smaller: a loss, an error, a perplexity. */
export function guessDirection(metric: string): SweepDirection {
  return /loss|err|perplexity|mse|mae|rmse/i.test(metric)
    ? 'minimize'
    : 'maximize';
}

/**
 * The form's starting values: a row per parameter of the source (numbers
 * searched around their value), the first validation metric as objective.
 *
 * @param params - the source's parameters, typed (the Promote plan's)
 * @param metrics - the source run's metric names
 */
export function initialSweepValues(
  params: Readonly<Record<string, unknown>>,
  metrics: readonly string[]
): ISweepFormValues {
  const names = Object.keys(params).sort();
  const choices = objectiveChoices(metrics);
  const objective =
    choices.find(name => name.startsWith('val')) ?? choices[0] ?? '';
  return {
    rows: names.map(name => initialRow(name, params[name])),
    objective,
    direction: guessDirection(objective),
    trials: '20',
    sampler: 'tpe',
    pruner: 'hyperband',
    workers: ''
  };
}

/** A bound as Python reads it (`float(text)` / `int(text)`), or a message. */
function bound(name: string, text: string, integer: boolean): number | string {
  const trimmed = text.trim();
  const shown = JSON.stringify(trimmed.slice(0, 40));
  if (integer) {
    return /^[+-]?\d+$/.test(trimmed)
      ? Number(trimmed)
      : `${name}: ${shown} is not an integer`;
  }
  const value = trimmed === '' ? NaN : Number(trimmed);
  if (Number.isNaN(value)) {
    return `${name}: ${shown} is not a number`;
  }
  return Number.isFinite(value)
    ? value
    : `${name}: bounds must be finite, got ${shown}`;
}

/** What a choice literal stands for, to find repeats (`'a'` is `"a"` is `a`). */
function choiceKey(text: string): string {
  const quoted = /^(['"])(.*)\1$/.exec(text);
  if (quoted) {
    return `str:${quoted[2]}`;
  }
  if (/^(True|False|None)$/.test(text)) {
    return `const:${text}`;
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    return `num:${text}`;
  }
  return `str:${text}`;
}

/** One row as the server's `--param` text, or a message saying what is wrong. */
export function rowSpec(row: ISweepRow): string {
  const { name, kind } = row;
  if (kind === 'choice') {
    const parts = row.choices
      .split(',')
      .map(part => part.trim())
      .filter(part => part !== '');
    if (parts.length === 0) {
      return `${name}: choice needs at least one value`;
    }
    if (parts.some(part => /^[[{(]/.test(part))) {
      return `${name}: choices must be numbers, strings, booleans or None`;
    }
    if (new Set(parts.map(choiceKey)).size !== parts.length) {
      return `${name}: choices must not repeat`;
    }
    return `${name}=choice:${parts.join(',')}`;
  }
  const low = bound(name, row.low, kind === 'int');
  const high = bound(name, row.high, kind === 'int');
  if (typeof low === 'string') {
    return low;
  }
  if (typeof high === 'string') {
    return high;
  }
  if (low >= high) {
    return `${name}: bad range ${row.low.trim()}:${row.high.trim()} (LOW must be below HIGH)`;
  }
  if (kind === 'loguniform' && low <= 0) {
    return `${name}: bad range for loguniform, LOW must be above 0 (got ${row.low.trim()})`;
  }
  return `${name}=${kind}:${row.low.trim()}:${row.high.trim()}`;
}

/** A whole number in `[low, high]` from the text, or `null`. */
function wholeNumber(text: string, low: number, high: number): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) {
    return null;
  }
  const value = Number(trimmed);
  return value >= low && value <= high ? value : null;
}

/**
 * The `POST sweeps` body for the form's values, or one line saying what to
 * fix. These are the server's own checks (it makes them again), so that the
 * dialog answers before a request is sent.
 *
 * @param runId - the source run
 * @param values - the form's values
 */
export function buildSweepRequest(
  runId: string,
  values: ISweepFormValues
): SweepRequest | string {
  const rows = values.rows.filter(row => row.include);
  if (rows.length === 0) {
    return 'Choose at least one parameter to search.';
  }
  const specs: string[] = [];
  for (const row of rows) {
    const spec = rowSpec(row);
    if (!spec.startsWith(`${row.name}=`)) {
      return spec;
    }
    specs.push(spec);
  }
  if (values.sampler === 'grid') {
    const continuous = rows.find(
      row => row.kind !== 'choice' && row.kind !== 'int'
    );
    if (continuous !== undefined) {
      return `the grid sampler needs choice or int parameters; ${continuous.name} is ${continuous.kind}`;
    }
  }
  const objective = values.objective.trim();
  if (objective === '') {
    return 'Choose the objective metric.';
  }
  if (objective.length > 250) {
    return 'The objective metric name is longer than 250 characters.';
  }
  const trials = wholeNumber(values.trials, 1, MAX_TRIALS);
  if (trials === null) {
    return `Trials must be a whole number from 1 to ${MAX_TRIALS}.`;
  }
  let workers: number | null = null;
  if (values.workers.trim() !== '') {
    workers = wholeNumber(values.workers, 1, MAX_WORKERS);
    if (workers === null) {
      return `Workers must be a whole number from 1 to ${MAX_WORKERS}, or empty.`;
    }
  }
  const [first, ...rest] = specs;
  return {
    run_id: runId,
    params: [first, ...rest],
    objective,
    direction: values.direction,
    trials,
    sampler: values.sampler,
    pruner: values.pruner,
    workers
  };
}
