// The run's name as its tab's heading, renamed in place (Rename, then Save or Cancel).
import React from 'react';

import type { RunDetail } from '../../models/types';
import { runLabel } from '../../format';
import { RunDetailModel } from '../../models/runDetail';
import { Button, StatusBadge } from '../common';

interface IState {
  /** The name being typed, while the name is edited. */
  draft: string | null;
}

/**
 * The run's name and status as a heading with a Rename button; renaming
 * swaps the heading for a text field (Enter saves, Escape cancels). An
 * archived run is restored before it is renamed.
 */
export class RunName extends React.Component<
  { model: RunDetailModel; run: RunDetail },
  IState
> {
  override state: IState = { draft: null };

  override render(): React.JSX.Element {
    const { model, run } = this.props;
    const { draft } = this.state;
    if (draft === null) {
      return (
        <div className="jp-xp-RunName">
          <h2 className="jp-xp-DetailHeader-title">
            <span>{runLabel(run)}</span>
            <StatusBadge status={run.status} />
          </h2>
          <Button
            aria-label="Rename run"
            title={
              run.archived ? 'Restore the run to rename it' : 'Rename this run'
            }
            disabled={run.archived || model.saving}
            onClick={() => this.setState({ draft: run.name ?? '' })}
          >
            Rename
          </Button>
        </div>
      );
    }
    return (
      <form
        className="jp-xp-RunName-form"
        aria-label="Rename run"
        onSubmit={event => {
          event.preventDefault();
          void this._save(draft);
        }}
      >
        <input
          className="jp-xp-Input"
          aria-label="Run name"
          value={draft}
          maxLength={250}
          autoFocus
          onChange={event =>
            this.setState({ draft: event.currentTarget.value })
          }
          onKeyDown={event => {
            if (event.key === 'Escape') {
              this._cancel();
            }
          }}
        />
        <Button
          type="submit"
          primary
          disabled={model.saving || draft.trim() === ''}
        >
          Save
        </Button>
        <Button onClick={() => this._cancel()}>Cancel</Button>
        <StatusBadge status={run.status} />
      </form>
    );
  }

  private async _save(name: string): Promise<void> {
    if (await this.props.model.rename(name)) {
      this.setState({ draft: null });
    }
  }

  private _cancel(): void {
    this.setState({ draft: null });
    this.props.model.clearEditError();
  }
}
