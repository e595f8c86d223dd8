// A run's note: Markdown rendered safely, edited in place (Edit note, then Save or Cancel).
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import React from 'react';

import type { RunDetail } from '../../models/types';
import { RunDetailModel } from '../../models/runDetail';
import { Button } from '../common';
import { Markdown } from './Markdown';

interface IState {
  /** The note being written, while it is edited. */
  draft: string | null;
}

/**
 * The run's note, rendered as sanitized Markdown, with an Edit button that
 * swaps it for a text area. Saving replaces the note (MLflow's note, which its
 * own UI shows too); saving an empty note removes it.
 */
export class NoteEditor extends React.Component<
  {
    model: RunDetailModel;
    run: RunDetail;
    rendermime: IRenderMimeRegistry | null;
  },
  IState
> {
  override state: IState = { draft: null };

  override render(): React.JSX.Element {
    const { model, run, rendermime } = this.props;
    const { draft } = this.state;
    if (draft !== null) {
      return (
        <form
          className="jp-xp-NoteForm"
          aria-label="Edit note"
          onSubmit={event => {
            event.preventDefault();
            void this._save(draft);
          }}
        >
          <textarea
            className="jp-xp-Input jp-xp-NoteForm-text"
            aria-label="Note"
            rows={8}
            maxLength={8000}
            value={draft}
            autoFocus
            onChange={event =>
              this.setState({ draft: event.currentTarget.value })
            }
          />
          <p className="jp-xp-Muted">
            Markdown. Saving an empty note removes it.
          </p>
          <div className="jp-xp-NoteForm-actions">
            <Button type="submit" primary disabled={model.saving}>
              Save note
            </Button>
            <Button onClick={() => this._cancel()}>Cancel</Button>
          </div>
        </form>
      );
    }
    return (
      <>
        {run.note ? (
          <Markdown source={run.note} rendermime={rendermime} label="Note" />
        ) : (
          <p className="jp-xp-Muted">
            No note. Write one here, or with <code>%xp note TEXT</code> while
            the run is recording.
          </p>
        )}
        <Button
          disabled={run.archived || model.saving}
          title={
            run.archived
              ? 'Restore the run to edit its note'
              : 'Write the note (Markdown)'
          }
          onClick={() => this.setState({ draft: run.note ?? '' })}
        >
          {run.note ? 'Edit note' : 'Add note'}
        </Button>
      </>
    );
  }

  private async _save(note: string): Promise<void> {
    if (await this.props.model.setNote(note)) {
      this.setState({ draft: null });
    }
  }

  private _cancel(): void {
    this.setState({ draft: null });
    this.props.model.clearEditError();
  }
}
