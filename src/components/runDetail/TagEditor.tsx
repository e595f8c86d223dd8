// A run's tags: the user's own, set and removed in place, and the recorded ones (xp.*), read-only.
import React from 'react';

import type { RunDetail } from '../../models/types';
import { RunDetailModel } from '../../models/runDetail';
import { Button, KeyValueTable, TableHead } from '../common';

/** Tags that the run recorded (`xp.*`; `mlflow.*` are not shown): read-only. */
export function isRecordedTag(key: string): boolean {
  const lower = key.toLowerCase();
  return lower.startsWith('xp.') || lower.startsWith('mlflow.');
}

interface IState {
  key: string;
  value: string;
}

/**
 * The run's own tags with a Remove button each, a form that sets a tag (a new
 * one, or a new value for one it has), and the tags it recorded, read-only.
 */
export class TagEditor extends React.Component<
  { model: RunDetailModel; run: RunDetail },
  IState
> {
  override state: IState = { key: '', value: '' };

  override render(): React.JSX.Element {
    const { model, run } = this.props;
    const keys = Object.keys(run.tags).sort();
    const own = keys.filter(key => !isRecordedTag(key));
    const recorded = keys.filter(isRecordedTag);
    const locked = run.archived || model.saving;
    return (
      <>
        {own.length === 0 ? (
          <p className="jp-xp-Muted">No tags of your own yet.</p>
        ) : (
          <table className="jp-xp-Table" aria-label="Tags">
            <TableHead columns={['Name', 'Value', '']} />
            <tbody>
              {own.map(key => (
                <tr key={key}>
                  <th scope="row">{key}</th>
                  <td>
                    <code>{run.tags[key]}</code>
                  </td>
                  <td>
                    <Button
                      aria-label={`Remove tag ${key}`}
                      disabled={locked}
                      onClick={() => void model.setTags({ [key]: null })}
                    >
                      Remove
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <form
          className="jp-xp-TagForm"
          aria-label="Set a tag"
          onSubmit={event => {
            event.preventDefault();
            void this._set();
          }}
        >
          <input
            className="jp-xp-Input"
            aria-label="Tag name"
            placeholder="name"
            maxLength={250}
            value={this.state.key}
            disabled={run.archived}
            onChange={event =>
              this.setState({ key: event.currentTarget.value })
            }
          />
          <input
            className="jp-xp-Input"
            aria-label="Tag value"
            placeholder="value"
            value={this.state.value}
            disabled={run.archived}
            onChange={event =>
              this.setState({ value: event.currentTarget.value })
            }
          />
          <Button
            type="submit"
            disabled={locked || this.state.key.trim() === ''}
            title={
              run.archived
                ? 'Restore the run to edit its tags'
                : 'Set this tag (xp.* and mlflow.* tags are read-only)'
            }
          >
            Set tag
          </Button>
        </form>
        <details>
          <summary>{`${recorded.length} recorded tags (read-only)`}</summary>
          <KeyValueTable
            label="Recorded tags"
            rows={recorded.map(key => [key, run.tags[key]] as const)}
          />
        </details>
      </>
    );
  }

  private async _set(): Promise<void> {
    const key = this.state.key.trim();
    if (await this.props.model.setTags({ [key]: this.state.value })) {
      this.setState({ key: '', value: '' });
    }
  }
}
