// A run's links to its source run (for a promoted run) and to the runs promoted from it.
import React from 'react';

import type { RunDetail } from '../../models/types';
import { VerificationView } from '../Promotion';

/** A link to another run, by the start of its id. */
export function RunLink(props: {
  runId: string;
  onOpenRun: (runId: string) => void;
}): React.JSX.Element {
  const { runId, onOpenRun } = props;
  return (
    <button
      type="button"
      className="jp-xp-Link"
      title={`${runId}: open its details`}
      onClick={() => onOpenRun(runId)}
    >
      <code>{runId.slice(0, 8)}</code>
    </button>
  );
}

/** For a promoted run: where it comes from, and whether it reproduced it. */
export function Reproduction(props: {
  run: RunDetail;
  onOpenRun: (runId: string) => void;
}): React.JSX.Element {
  const { run, onOpenRun } = props;
  return (
    <>
      {run.source_run_id !== null && (
        <p className="jp-xp-PromotedFrom">
          {'Promoted from '}
          <RunLink runId={run.source_run_id} onOpenRun={onOpenRun} />
        </p>
      )}
      {run.verification !== null ? (
        <VerificationView verification={run.verification} />
      ) : (
        <p className="jp-xp-Muted">
          {run.status === 'RUNNING'
            ? 'Not verified yet: the run is still going.'
            : 'No verification was stored for this run.'}
        </p>
      )}
    </>
  );
}

/** For a source run: the runs promoted from it. */
export function PromotedRuns(props: {
  runIds: readonly string[];
  onOpenRun: (runId: string) => void;
}): React.JSX.Element | null {
  const { runIds, onOpenRun } = props;
  if (runIds.length === 0) {
    return null;
  }
  return (
    <p className="jp-xp-PromotedRuns">
      {`Promoted run${runIds.length === 1 ? '' : 's'}: `}
      {runIds.map((runId, index) => (
        <React.Fragment key={runId}>
          {index > 0 && ', '}
          <RunLink runId={runId} onOpenRun={onOpenRun} />
        </React.Fragment>
      ))}
    </p>
  );
}
