// Formatting of recorded values for display, and narrowing of the free-form
// JSON captures (environment, hardware, git, seeds) that the API types leave
// as `unknown`.

/** Shown for a value a run does not have. */
export const MISSING = '—';

/** The name a run is shown by: its name, else the start of its id. */
export function runLabel(run: { name: string | null; run_id: string }): string {
  return run.name && run.name.length > 0 ? run.name : run.run_id.slice(0, 8);
}

/** A metric or statistic: integers as they are, others to six significant digits. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return MISSING;
  }
  if (Number.isInteger(value)) {
    return String(value);
  }
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) {
    return value.toExponential(3);
  }
  return String(Number(value.toPrecision(6)));
}

/**
 * A statistic (mean, std, interval bound, difference, effect size) to four
 * significant digits: `0.006395`, not `0.00639548`; exponent notation below
 * 1e-4 and from 1e9.
 */
export function formatStat(
  value: number | null | undefined,
  digits = 4
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return MISSING;
  }
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) {
    return value.toExponential(digits - 1);
  }
  return String(Number(value.toPrecision(digits)));
}

/** A p-value: three decimals, or `< 0.001`. */
export function formatPValue(value: number | null): string {
  if (value === null) {
    return MISSING;
  }
  return value < 0.001 ? '< 0.001' : value.toFixed(3);
}

/** A duration in seconds: `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) {
    return MISSING;
  }
  if (seconds < 1) {
    return `${Math.round(seconds * 1000)} ms`;
  }
  if (seconds < 60) {
    return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  }
  const whole = Math.round(seconds);
  if (whole < 3600) {
    return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  }
  const minutes = Math.floor(whole / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** A time in ms since the epoch, in the browser's locale. */
export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) {
    return MISSING;
  }
  return new Date(ms).toLocaleString();
}

/** A size in bytes as GiB with one decimal. */
export function formatGiB(bytes: number | null): string {
  if (bytes === null) {
    return MISSING;
  }
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}

/** The first line of some source code (what a one-line summary shows). */
export function firstLine(text: string): string {
  const line = text.split('\n').find(l => l.trim().length > 0) ?? '';
  return line.trimEnd();
}

/** Any captured value as one line of text (objects and arrays as JSON). */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) {
    return MISSING;
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number') {
    return formatNumber(value);
  }
  if (typeof value === 'boolean') {
    return value ? 'yes' : 'no';
  }
  return JSON.stringify(value);
}

/** `value` when it is a plain JSON object. */
export function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

/** `value` when it is an array, else an empty one. */
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `value` when it is a string. */
export function asString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** `value` when it is a finite number. */
export function asNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A field of a JSON object, or `undefined` when `value` is not an object. */
export function field(value: unknown, key: string): unknown {
  return asRecord(value)?.[key];
}
