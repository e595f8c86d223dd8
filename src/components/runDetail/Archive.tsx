// Archiving a run from its tab: the Archive or Restore button, the archived banner, and edit errors.
import React from 'react';

import type { RunDetail } from '../../models/types';
import { RunDetailModel } from '../../models/runDetail';
import { Button } from '../common';

/**
 * Archive (MLflow's lifecycle stage `deleted`: the run list hides the run)
 * or, for an archived run, Restore. A running run cannot be archived.
 */
export function ArchiveButton(props: {
  model: RunDetailModel;
  run: RunDetail;
}): React.JSX.Element {
  const { model, run } = props;
  if (run.archived) {
    return (
      <Button
        title="Bring the run back into the run list"
        disabled={model.saving}
        onClick={() => void model.restore()}
      >
        Restore
      </Button>
    );
  }
  return (
    <Button
      title={
        run.status === 'RUNNING'
          ? 'Stop the run before archiving it'
          : 'Hide the run from the run list (Restore brings it back)'
      }
      disabled={model.saving || run.status === 'RUNNING'}
      onClick={() => void model.archive()}
    >
      Archive
    </Button>
  );
}

/** Says that the run is archived, and what that means. */
export function ArchivedBanner(props: { run: RunDetail }): React.JSX.Element {
  if (!props.run.archived) {
    return <></>;
  }
  return (
    <div className="jp-xp-Archived" role="status">
      This run is archived: the run list hides it unless “Show archived” is
      ticked. Restore it to edit it.
    </div>
  );
}

/** Why the last rename, tag, note, archive or restore failed. */
export function EditError(props: { model: RunDetailModel }): React.JSX.Element {
  const { editError } = props.model;
  if (editError === null) {
    return <></>;
  }
  return (
    <div className="jp-xp-ErrorState" role="alert">
      <p>Could not change the run: {editError}</p>
      <Button onClick={() => props.model.clearEditError()}>Dismiss</Button>
    </div>
  );
}
