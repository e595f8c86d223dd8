// A small inline SVG line chart of metric values against steps, with optional shaded bands.
import React from 'react';

import { formatNumber } from '../format';
import { bandPath } from './compare/bands';

/** A value at a step. */
export interface IPoint {
  step: number;
  value: number;
}

/** A band's bounds at a step (shaded between them). */
export interface IBandPoint {
  step: number;
  low: number;
  high: number;
}

/** One line of a chart. */
export interface ISeries {
  /** Shown in the legend (a run's name, a seed group's label). */
  label: string;
  /** Points in step order. */
  points: readonly IPoint[];
  /** A shaded band around the line (a group's spread), in step order. */
  band?: readonly IBandPoint[];
  /** Color index (default: the series' position). */
  color?: number;
  /** Drawn thin and pale, left out of the legend (a group's single runs). */
  faint?: boolean;
}

/** Colors cycle through this many CSS classes (`jp-xp-Series-<n>`). */
export const SERIES_COLORS = 8;

/** Points drawn per line at most: longer histories are thinned evenly. */
const MAX_POINTS = 1000;

const WIDTH = 320;
const HEIGHT = 120;
const PAD = { left: 52, right: 8, top: 8, bottom: 18 };

function thin<T>(points: readonly T[]): readonly T[] {
  if (points.length <= MAX_POINTS) {
    return points;
  }
  const stride = points.length / MAX_POINTS;
  const kept: T[] = [];
  for (let i = 0; i < MAX_POINTS; i++) {
    kept.push(points[Math.floor(i * stride)]);
  }
  kept.push(points[points.length - 1]);
  return kept;
}

/** The ends of `values`, widened when they are one value (a flat line). */
export function extent(values: readonly number[]): [number, number] {
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (low === high) {
    const pad = low === 0 ? 1 : Math.abs(low) * 0.05;
    low -= pad;
    high += pad;
  }
  return [low, high];
}

/**
 * A small inline SVG line chart of metric values against steps: one line per
 * series (with its shaded band, if it has one), with the value range on the
 * left, the step range below and, for more than one series or a band, a
 * legend.
 */
export function LineChart(props: {
  title: string;
  series: readonly ISeries[];
  /** What the shaded bands show, for the description ("mean ± std"). */
  bandLabel?: string;
}): React.JSX.Element {
  const series = props.series
    .map((s, index) => ({
      ...s,
      color: s.color ?? index,
      points: thin(s.points),
      band: thin(s.band ?? [])
    }))
    .filter(s => s.points.length > 0);
  if (series.length === 0) {
    return <p className="jp-xp-Muted">No values logged.</p>;
  }
  const all = series.flatMap(s => s.points);
  const steps = all.map(p => p.step);
  const [firstStep, lastStep] = [Math.min(...steps), Math.max(...steps)];
  const [x0, x1] = extent(steps);
  const values = all.map(p => p.value);
  const bounds = series.flatMap(s => s.band.flatMap(b => [b.low, b.high]));
  const [y0, y1] = extent(values.concat(bounds));
  const legend = props.series
    .map((s, index) => ({ ...s, color: s.color ?? index }))
    .filter(s => !s.faint);
  const banded = series.some(s => s.band.length > 0);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (step: number): number =>
    PAD.left + ((step - x0) / (x1 - x0)) * plotWidth;
  const y = (value: number): number =>
    PAD.top + (1 - (value - y0) / (y1 - y0)) * plotHeight;
  const stepRange =
    firstStep === lastStep
      ? `step ${formatNumber(firstStep)}`
      : `steps ${formatNumber(firstStep)} to ${formatNumber(lastStep)}`;
  const shaded =
    banded && props.bandLabel ? `, shaded bands: ${props.bandLabel}` : '';
  const description = `${props.title}: ${series.length} line(s)${shaded}, values ${formatNumber(Math.min(...values))} to ${formatNumber(Math.max(...values))}, ${stepRange}`;

  return (
    <figure className="jp-xp-Chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        className="jp-xp-Chart-svg"
        role="img"
        aria-label={description}
      >
        <title>{description}</title>
        <line
          className="jp-xp-Chart-axis"
          x1={PAD.left}
          y1={PAD.top}
          x2={PAD.left}
          y2={HEIGHT - PAD.bottom}
        />
        <line
          className="jp-xp-Chart-axis"
          x1={PAD.left}
          y1={HEIGHT - PAD.bottom}
          x2={WIDTH - PAD.right}
          y2={HEIGHT - PAD.bottom}
        />
        <text
          className="jp-xp-Chart-label"
          x={PAD.left - 4}
          y={PAD.top + 8}
          textAnchor="end"
        >
          {formatNumber(y1)}
        </text>
        <text
          className="jp-xp-Chart-label"
          x={PAD.left - 4}
          y={HEIGHT - PAD.bottom}
          textAnchor="end"
        >
          {formatNumber(y0)}
        </text>
        {firstStep === lastStep ? (
          <text
            className="jp-xp-Chart-label"
            x={x(firstStep)}
            y={HEIGHT - 4}
            textAnchor="middle"
          >
            {stepRange}
          </text>
        ) : (
          <>
            <text
              className="jp-xp-Chart-label"
              x={PAD.left}
              y={HEIGHT - 4}
              textAnchor="start"
            >
              {`step ${formatNumber(firstStep)}`}
            </text>
            <text
              className="jp-xp-Chart-label"
              x={WIDTH - PAD.right}
              y={HEIGHT - 4}
              textAnchor="end"
            >
              {formatNumber(lastStep)}
            </text>
          </>
        )}
        {series.map((s, index) => {
          const color = `jp-xp-Series-${s.color % SERIES_COLORS}`;
          if (s.band.length === 1) {
            // One step: the band has no width, so it is drawn as an error bar.
            const [bar] = s.band;
            return (
              <line
                key={`band-${index}`}
                className={`jp-xp-Chart-errorbar ${color}`}
                x1={x(bar.step)}
                x2={x(bar.step)}
                y1={y(bar.low)}
                y2={y(bar.high)}
              />
            );
          }
          return s.band.length === 0 ? null : (
            <path
              key={`band-${index}`}
              className={`jp-xp-Chart-band ${color}`}
              d={bandPath(s.band, x, y)}
            />
          );
        })}
        {series.map((s, index) => {
          const color = `jp-xp-Series-${s.color % SERIES_COLORS}${
            s.faint ? ' jp-xp-Chart-faint' : ''
          }`;
          if (s.points.length === 1) {
            const [point] = s.points;
            return (
              <circle
                key={index}
                className={`jp-xp-Chart-dot ${color}`}
                cx={x(point.step)}
                cy={y(point.value)}
                r={3}
              />
            );
          }
          const d = s.points
            .map(
              (p, i) =>
                `${i === 0 ? 'M' : 'L'}${x(p.step).toFixed(1)},${y(p.value).toFixed(1)}`
            )
            .join(' ');
          return (
            <path key={index} className={`jp-xp-Chart-line ${color}`} d={d} />
          );
        })}
      </svg>
      {(legend.length > 1 || banded) && (
        <figcaption>
          <ul className="jp-xp-Legend" aria-label={`Legend of ${props.title}`}>
            {legend.map((s, index) => (
              <li key={index}>
                <span
                  className={`jp-xp-Legend-swatch jp-xp-Series-${s.color % SERIES_COLORS}`}
                  aria-hidden="true"
                />
                {s.label}
                {s.points.length === 0 && ' (not logged)'}
              </li>
            ))}
          </ul>
        </figcaption>
      )}
    </figure>
  );
}
