// A sweep's best trial: its objective, params and run.
import React from 'react';

import type { SweepDetail } from '../../models/types';
import { formatNumber, formatValue } from '../../format';
import { KeyValueTable } from '../common';
import { RunLink } from '../runDetail/Reproduction';

/** The best complete trial so far, or what is missing for one. */
export function BestTrial(props: {
  sweep: SweepDetail;
  onOpenRun: (runId: string) => void;
}): React.JSX.Element {
  const { best, objective, direction } = props.sweep;
  if (best === null || best.value === null) {
    return <p className="jp-xp-Muted">No complete trial yet.</p>;
  }
  const rows: [string, React.ReactNode][] = [
    ['Trial', best.number],
    [`${objective} (${direction})`, formatNumber(best.value)],
    ...props.sweep.space.map((dim): [string, React.ReactNode] => [
      dim.name,
      formatValue(best.params[dim.name])
    ])
  ];
  if (best.run_id !== null) {
    rows.push([
      'Run',
      <RunLink key="run" runId={best.run_id} onOpenRun={props.onOpenRun} />
    ]);
  }
  return <KeyValueTable label="Best trial" rows={rows} />;
}
