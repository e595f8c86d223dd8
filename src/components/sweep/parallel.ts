// The geometry of the parallel-coordinates chart: an axis per parameter and the objective, a polyline per complete trial.
import type {
  SweepDetail,
  SweepDimension,
  SweepTrial
} from '../../models/types';
import { formatNumber } from '../../format';
import { extent } from '../LineChart';

/** How an axis places values: linearly, by their logarithm, or as categories. */
export type AxisScale = 'linear' | 'log' | 'category';

/** One vertical axis. */
export interface IAxis {
  /** The parameter's name, or the objective metric's. */
  name: string;
  scale: AxisScale;
  /** Horizontal position, in chart units. */
  x: number;
  /** The domain's ends (linear: values; log: their log10). */
  low: number;
  high: number;
  /** A category axis' values as JSON text, top to bottom reversed (first at the bottom). */
  categories: string[];
  /** Labels along the axis, with their heights. */
  ticks: { y: number; label: string }[];
}

/** One complete trial across the axes. */
export interface ITrialLine {
  number: number;
  value: number;
  /** 0 for the worst objective of the sweep, 1 for the best. */
  shade: number;
  /** `[x, y]` on each axis, in axis order. */
  points: [number, number][];
  runId: string | null;
}

/** The whole chart, in chart units (the SVG's viewBox). */
export interface IParallelLayout {
  width: number;
  height: number;
  axes: IAxis[];
  /** Worst first, so that the best are drawn on top. */
  lines: ITrialLine[];
}

/** Chart units between two axes, and around the plot. */
export const AXIS_GAP = 120;
export const HEIGHT = 240;
export const PAD = { left: 48, right: 48, top: 28, bottom: 20 };

/** The height of the fraction `t` of an axis (0 at the bottom, 1 at the top). */
function heightOf(t: number): number {
  return PAD.top + (1 - t) * (HEIGHT - PAD.top - PAD.bottom);
}

/**
 * Where `value` sits on `axis` (a height in chart units), or `null` when it
 * cannot be placed (not a number, not positive on a log axis, an unknown
 * category).
 */
export function placeOnAxis(axis: IAxis, value: unknown): number | null {
  if (axis.scale === 'category') {
    const index = axis.categories.indexOf(JSON.stringify(value));
    if (index < 0) {
      return null;
    }
    const n = axis.categories.length;
    return heightOf(n === 1 ? 0.5 : index / (n - 1));
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return null;
  }
  if (axis.scale === 'log' && value <= 0) {
    return null;
  }
  const position = axis.scale === 'log' ? Math.log10(value) : value;
  return heightOf((position - axis.low) / (axis.high - axis.low));
}

/** The label of a category: its JSON as Python would write it. */
function categoryLabel(json: string): string {
  const value: unknown = JSON.parse(json);
  if (value === null) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  return typeof value === 'number' ? formatNumber(value) : String(value);
}

/** An axis for a dimension of the search space, widened to the values seen. */
export function paramAxis(
  dim: SweepDimension,
  x: number,
  seen: readonly unknown[]
): IAxis {
  if (dim.kind === 'choice') {
    const categories = dim.choices.map(choice => JSON.stringify(choice));
    for (const value of seen) {
      const key = JSON.stringify(value);
      if (!categories.includes(key)) {
        categories.push(key);
      }
    }
    const axis: IAxis = {
      name: dim.name,
      scale: 'category',
      x,
      low: 0,
      high: Math.max(categories.length - 1, 1),
      categories,
      ticks: []
    };
    axis.ticks = categories.map(key => ({
      y: placeOnAxis(axis, JSON.parse(key)) ?? 0,
      label: categoryLabel(key)
    }));
    return axis;
  }
  const log = dim.kind === 'loguniform';
  const numbers = seen.filter(
    (v): v is number =>
      typeof v === 'number' && Number.isFinite(v) && (!log || v > 0)
  );
  const bounds = [dim.low, dim.high, ...numbers].filter(
    (v): v is number => v !== null && (!log || v > 0)
  );
  const [lowValue, highValue] = extent(bounds);
  const [low, high] = log
    ? extent([Math.log10(lowValue), Math.log10(highValue)])
    : [lowValue, highValue];
  const axis: IAxis = {
    name: dim.name,
    scale: log ? 'log' : 'linear',
    x,
    low,
    high,
    categories: [],
    ticks: []
  };
  axis.ticks = [
    { y: heightOf(0), label: formatNumber(log ? 10 ** low : low) },
    { y: heightOf(1), label: formatNumber(log ? 10 ** high : high) }
  ];
  return axis;
}

/** Trials that have a finite objective and count as complete. */
function completeTrials(trials: readonly SweepTrial[]): SweepTrial[] {
  return trials.filter(
    trial =>
      trial.state === 'COMPLETE' &&
      trial.value !== null &&
      Number.isFinite(trial.value)
  );
}

/**
 * The parallel-coordinates chart of a sweep: an axis per dimension of the
 * search space (log for loguniform, categories for choice) and one for the
 * objective on the right; a line per complete trial, shaded from worst (0)
 * to best (1) for the sweep's direction.
 */
export function parallelLayout(sweep: SweepDetail): IParallelLayout {
  const trials = completeTrials(sweep.trials);
  const axes = sweep.space.map((dim, index) =>
    paramAxis(
      dim,
      PAD.left + index * AXIS_GAP,
      trials.map(trial => trial.params[dim.name])
    )
  );
  const values = trials.map(trial => trial.value as number);
  const objectiveX = PAD.left + axes.length * AXIS_GAP;
  const objective = paramAxis(
    {
      name: sweep.objective,
      kind: 'uniform',
      low: null,
      high: null,
      choices: []
    },
    objectiveX,
    values
  );
  axes.push(objective);
  const [lowest, highest] = extent(values.length > 0 ? values : [0]);
  const lines: ITrialLine[] = [];
  for (const trial of trials) {
    const value = trial.value as number;
    const points: [number, number][] = [];
    for (const [index, axis] of axes.entries()) {
      const y = placeOnAxis(
        axis,
        index < sweep.space.length
          ? trial.params[sweep.space[index].name]
          : value
      );
      if (y === null) {
        break;
      }
      points.push([axis.x, y]);
    }
    if (points.length !== axes.length) {
      continue; // a param outside the space (the study was changed): not drawn
    }
    const up = (value - lowest) / (highest - lowest);
    const shade =
      values.length < 2 || lowest === highest
        ? 1
        : sweep.direction === 'maximize'
          ? up
          : 1 - up;
    lines.push({
      number: trial.number,
      value,
      shade,
      points,
      runId: trial.run_id
    });
  }
  lines.sort((a, b) => a.shade - b.shade || a.number - b.number);
  return {
    width: objectiveX + PAD.right,
    height: HEIGHT,
    axes,
    lines
  };
}

/** A line's color: from blue (worst) to orange (best). */
export function shadeColor(shade: number): string {
  const hue = Math.round(215 - 185 * Math.min(Math.max(shade, 0), 1));
  return `hsl(${hue}, 70%, 45%)`;
}

/** A polyline's `points` attribute. */
export function polylinePoints(points: readonly [number, number][]): string {
  return points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
}
