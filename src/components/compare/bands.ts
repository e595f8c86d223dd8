// A compared metric's curves per seed group as chart series: the mean line, its shaded band, the runs.
import type { BandPoint, CompareCurves } from '../../models/types';
import type { IBandPoint, ISeries } from '../LineChart';

/** What the shaded band around a group's mean shows. */
export type BandKind = 'std' | 'ci';

/** The band's bounds at one step: mean ± std, or the t interval of the mean. */
export function bandBounds(point: BandPoint, kind: BandKind): IBandPoint {
  if (kind === 'ci') {
    return {
      step: point.step,
      low: point.ci_low ?? point.mean,
      high: point.ci_high ?? point.mean
    };
  }
  const spread = point.std ?? 0;
  return {
    step: point.step,
    low: point.mean - spread,
    high: point.mean + spread
  };
}

/**
 * The chart series of one metric's curves: for each seed group its mean line
 * with the band (one color per group) and, with `showRuns`, each of its runs
 * as a faint line of the same color beneath it. A step where one run of the
 * group logged has a mean and no spread: the band narrows to the line there;
 * a group of one run has no band.
 */
export function groupSeries(
  curves: CompareCurves,
  kind: BandKind,
  showRuns: boolean
): ISeries[] {
  const runs: ISeries[] = [];
  const means: ISeries[] = [];
  curves.groups.forEach((group, color) => {
    if (showRuns) {
      for (const run of group.runs) {
        runs.push({
          label: run.run_id,
          color,
          faint: true,
          points: run.points.flatMap(p =>
            p.value === null ? [] : [{ step: p.step, value: p.value }]
          )
        });
      }
    }
    means.push({
      label: `${group.label} (${group.run_ids.length} run${group.run_ids.length === 1 ? '' : 's'})`,
      color,
      points: group.points.map(p => ({ step: p.step, value: p.mean })),
      // A group of one run has no spread anywhere: no band at all.
      band: group.points.some(p => p.n > 1)
        ? group.points.map(p => bandBounds(p, kind))
        : undefined
    });
  });
  return [...runs, ...means];
}

/**
 * The SVG path of a band: along its upper bounds, back along its lower ones,
 * closed. Empty for no points.
 */
export function bandPath(
  band: readonly IBandPoint[],
  x: (step: number) => number,
  y: (value: number) => number
): string {
  if (band.length === 0) {
    return '';
  }
  const at = (step: number, value: number): string =>
    `${x(step).toFixed(1)},${y(value).toFixed(1)}`;
  const upper = band.map(p => at(p.step, p.high));
  const lower = band
    .slice()
    .reverse()
    .map(p => at(p.step, p.low));
  return `M${upper.join(' L')} L${lower.join(' L')} Z`;
}

/**
 * Where a group's runs logged different steps: the fewest and most runs
 * behind a point of such a group; null when every group's runs logged the
 * same steps.
 */
export function unevenSteps(curves: CompareCurves): [number, number] | null {
  const counts = curves.groups
    .map(group => group.points.map(p => p.n))
    .filter(n => n.length > 0 && Math.min(...n) !== Math.max(...n))
    .flat();
  return counts.length === 0
    ? null
    : [Math.min(...counts), Math.max(...counts)];
}
