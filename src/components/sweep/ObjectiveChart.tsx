// A sweep's objective over trials: each complete trial's value and the best so far.
import React from 'react';

import type { SweepDetail } from '../../models/types';
import { LineChart } from '../LineChart';

/** Each complete trial's objective against its number, and the best so far. */
export function ObjectiveChart(props: {
  sweep: SweepDetail;
}): React.JSX.Element {
  const { series, objective } = props.sweep;
  if (series.length === 0) {
    return <p className="jp-xp-Muted">No complete trial yet.</p>;
  }
  return (
    <LineChart
      title={`${objective} over trials`}
      series={[
        {
          label: `${objective} of each trial`,
          points: series.map(p => ({ step: p.number, value: p.value }))
        },
        {
          label: 'best so far',
          points: series.map(p => ({ step: p.number, value: p.best }))
        }
      ]}
    />
  );
}
