// Every sweep, newest first: state, objective, best value, started; each opens its view.
import React from 'react';

import { formatTime, MISSING } from '../../format';
import { SweepListModel } from '../../models/sweeps';
import { ErrorState, Loading, TableHead } from '../common';
import { useModel } from '../useModel';
import { useTrans } from '../translation';

/** A sweep's objective tag, `val/loss minimize`, as `val/loss (minimize)`. */
export function objectiveLabel(tag: string | null): string {
  if (tag === null) {
    return MISSING;
  }
  const space = tag.lastIndexOf(' ');
  return space < 0 ? tag : `${tag.slice(0, space)} (${tag.slice(space + 1)})`;
}

/** Props of {@link SweepList}. */
export interface ISweepListProps {
  model: SweepListModel;
  onOpenSweep: (sweepId: string) => void;
}

/** The Sweeps tab's content. */
export function SweepList(props: ISweepListProps): React.JSX.Element {
  const { model, onOpenSweep } = props;
  useModel(model);
  const trans = useTrans();
  let body: React.ReactNode;
  if (!model.loaded) {
    body =
      model.error !== null ? (
        <ErrorState
          what={trans.__('Could not list the sweeps')}
          message={model.error}
          onRetry={() => model.refresh()}
          retrying={model.retrying}
        />
      ) : (
        <Loading what={trans.__('Listing the sweeps…')} />
      );
  } else if (model.sweeps.length === 0) {
    body = (
      <p className="jp-xp-Muted">
        {trans.__('No sweeps yet. Click Sweep… in a run’s tab, or run')}{' '}
        <code>jupyter xp sweep</code>.
      </p>
    );
  } else {
    body = (
      <table className="jp-xp-Table" aria-label={trans.__('Sweeps')}>
        <TableHead
          columns={[
            trans.__('Sweep'),
            trans.__('State'),
            trans.__('Objective'),
            trans.__('Best'),
            trans.__('Started')
          ]}
        />
        <tbody>
          {model.sweeps.map(sweep => (
            <tr key={sweep.run_id}>
              <td>
                <button
                  type="button"
                  className="jp-xp-Link"
                  title={`${sweep.run_id}: open the sweep`}
                  onClick={() => onOpenSweep(sweep.run_id)}
                >
                  {sweep.study ?? sweep.name ?? sweep.run_id.slice(0, 8)}
                </button>
              </td>
              <td>{sweep.state ?? MISSING}</td>
              <td>{objectiveLabel(sweep.objective)}</td>
              <td className="jp-xp-Number">{sweep.best_value ?? MISSING}</td>
              <td>{formatTime(sweep.start_time)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return (
    <div className="jp-xp-Detail">
      <h2 className="jp-xp-DetailHeader-title">{trans.__('Sweeps')}</h2>
      {body}
    </div>
  );
}
