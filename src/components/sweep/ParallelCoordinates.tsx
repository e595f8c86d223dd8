// The parallel-coordinates chart of a sweep: an axis per parameter and the objective, a line per complete trial.
import React from 'react';

import type { SweepDetail } from '../../models/types';
import { formatNumber } from '../../format';
import { parallelLayout, polylinePoints, shadeColor } from './parallel';

/**
 * Params against the objective: one vertical axis per parameter (log scale
 * for loguniform, categories for choice) and the objective on the right;
 * one line per complete trial, from blue (worst) to orange (best).
 */
export function ParallelCoordinates(props: {
  sweep: SweepDetail;
}): React.JSX.Element {
  const layout = parallelLayout(props.sweep);
  if (layout.lines.length === 0) {
    return (
      <p className="jp-xp-Muted">
        No complete trial yet: each one draws a line across the axes.
      </p>
    );
  }
  const { objective, direction } = props.sweep;
  const description = `Parallel coordinates: ${layout.lines.length} complete trial(s) across ${layout.axes.length - 1} parameter(s) and ${objective} (${direction}); the best line is orange`;
  return (
    <figure className="jp-xp-Chart jp-xp-Parallel">
      <svg
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        className="jp-xp-Parallel-svg"
        style={{ maxWidth: `${Math.round(layout.width * 1.4)}px` }}
        role="img"
        aria-label={description}
      >
        <title>{description}</title>
        {layout.lines.map(line => (
          <polyline
            key={line.number}
            className="jp-xp-Parallel-line"
            points={polylinePoints(line.points)}
            stroke={shadeColor(line.shade)}
          >
            <title>{`Trial ${line.number}: ${formatNumber(line.value)}`}</title>
          </polyline>
        ))}
        {layout.axes.map(axis => (
          <g key={axis.name} className="jp-xp-Parallel-axis">
            <line
              className="jp-xp-Chart-axis"
              x1={axis.x}
              x2={axis.x}
              y1={
                axis.ticks.length > 0
                  ? Math.min(...axis.ticks.map(t => t.y))
                  : 0
              }
              y2={
                axis.ticks.length > 0
                  ? Math.max(...axis.ticks.map(t => t.y))
                  : 0
              }
            />
            <text
              className="jp-xp-Chart-label jp-xp-Parallel-name"
              x={axis.x}
              y={12}
              textAnchor="middle"
            >
              {axis.scale === 'log' ? `${axis.name} (log)` : axis.name}
            </text>
            {axis.ticks.map((tick, index) => (
              <text
                key={index}
                className="jp-xp-Chart-label"
                x={axis.x + 4}
                y={tick.y + 3}
                textAnchor="start"
              >
                {tick.label}
              </text>
            ))}
          </g>
        ))}
      </svg>
    </figure>
  );
}
