// A sweep's trials: number, state, params, objective, duration and the trial's run.
import React from 'react';

import type { SweepDetail, SweepTrial } from '../../models/types';
import {
  formatDuration,
  formatNumber,
  formatValue,
  MISSING
} from '../../format';
import { Badge, TableHead } from '../common';
import { RunLink } from '../runDetail/Reproduction';

const STATE_TONES: Record<
  SweepTrial['state'],
  'ok' | 'error' | 'warn' | 'info' | 'muted'
> = {
  COMPLETE: 'ok',
  RUNNING: 'info',
  PRUNED: 'warn',
  FAIL: 'error',
  WAITING: 'muted'
};

/** A trial's state as a badge; a pruned trial says at which step. */
export function TrialState(props: { trial: SweepTrial }): React.JSX.Element {
  const { trial } = props;
  const pruned = trial.state === 'PRUNED' && trial.last_step !== null;
  return (
    <Badge
      label={trial.state.toLowerCase()}
      tone={STATE_TONES[trial.state]}
      title={pruned ? `pruned at step ${trial.last_step}` : undefined}
    />
  );
}

/** Every trial, in the order they started. */
export function TrialsTable(props: {
  sweep: SweepDetail;
  onOpenRun: (runId: string) => void;
}): React.JSX.Element {
  const { sweep, onOpenRun } = props;
  if (sweep.trials.length === 0) {
    return <p className="jp-xp-Muted">No trial has started yet.</p>;
  }
  const names = sweep.space.map(dim => dim.name);
  const best = sweep.best?.number ?? null;
  return (
    <div className="jp-xp-TableScroll">
      <table className="jp-xp-Table jp-xp-Trials" aria-label="Trials">
        <TableHead
          columns={['#', 'State', ...names, sweep.objective, 'Duration', 'Run']}
        />
        <tbody>
          {sweep.trials.map(trial => (
            <tr
              key={trial.number}
              className={
                trial.number === best ? 'jp-xp-Trials-best' : undefined
              }
              aria-label={`Trial ${trial.number}`}
            >
              <td className="jp-xp-Number">{trial.number}</td>
              <td>
                <TrialState trial={trial} />
              </td>
              {names.map(name => (
                <td key={name} className="jp-xp-Number">
                  {formatValue(trial.params[name])}
                </td>
              ))}
              <td className="jp-xp-Number">
                {trial.value === null ? MISSING : formatNumber(trial.value)}
              </td>
              <td className="jp-xp-Number">{formatDuration(trial.duration)}</td>
              <td>
                {trial.run_id !== null ? (
                  <RunLink runId={trial.run_id} onOpenRun={onOpenRun} />
                ) : (
                  MISSING
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
