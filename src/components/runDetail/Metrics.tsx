// A run's metrics: latest values and the curve of each.
import React from 'react';

import type { RunDetail } from '../../models/types';
import { formatNumber, runLabel } from '../../format';
import { RunDetailModel } from '../../models/runDetail';
import { TableHead } from '../common';
import { LineChart } from '../LineChart';

/** One row per metric: its latest value and its curve, once fetched. */
export function MetricsTable(props: {
  run: RunDetail;
  model: RunDetailModel;
}): React.JSX.Element {
  const { run, model } = props;
  const keys = Object.keys(run.metrics).sort();
  if (keys.length === 0) {
    return (
      <p className="jp-xp-Muted">
        No metrics. Log some with{' '}
        <code>
          xp.log({'{'}...{'}'}, step=N)
        </code>{' '}
        or <code>%xp log name=value</code>.
      </p>
    );
  }
  return (
    <table className="jp-xp-Table jp-xp-Metrics" aria-label="Metrics">
      <TableHead columns={['Metric', 'Latest', 'Curve']} />
      <tbody>
        {keys.map(key => {
          const history = model.history(key);
          let curve: React.ReactNode;
          switch (history.kind) {
            case 'loading':
              curve = <span className="jp-xp-Muted">Loading…</span>;
              break;
            case 'failed':
              curve = <span className="jp-xp-Error">{history.message}</span>;
              break;
            case 'ready':
              curve = (
                <LineChart
                  title={key}
                  series={[
                    { label: runLabel(run), points: history.value.points }
                  ]}
                />
              );
              break;
          }
          return (
            <tr key={key}>
              <th scope="row">{key}</th>
              <td>{formatNumber(run.metrics[key])}</td>
              <td className="jp-xp-Metrics-curve">{curve}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
