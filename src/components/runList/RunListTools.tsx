// The run list's tools: "Show archived" and "Export CSV" (a download of every matching run).
import React from 'react';

import { RunListModel } from '../../models/runList';
import { Button } from '../common';

/** "Show archived", "Export CSV", and why the last export or restore failed. */
export function RunListTools(props: {
  model: RunListModel;
}): React.JSX.Element {
  const { actionError } = props.model;
  return (
    <div className="jp-xp-RunList-filters jp-xp-RunList-tools">
      <ShowArchived model={props.model} />
      <span className="jp-xp-RunList-spacer" />
      <ExportCsv model={props.model} />
      {actionError !== null && (
        <p className="jp-xp-Error jp-xp-RunList-toolsError" role="alert">
          {actionError}
        </p>
      )}
    </div>
  );
}

/** Ticked: archived runs are listed too, marked, each with a Restore button. */
export function ShowArchived(props: {
  model: RunListModel;
}): React.JSX.Element {
  const { model } = props;
  return (
    <label className="jp-xp-Label jp-xp-RunList-archived">
      <input
        type="checkbox"
        checked={model.filters.showArchived}
        onChange={event =>
          model.setFilters({ showArchived: event.currentTarget.checked })
        }
      />
      Show archived
    </label>
  );
}

/**
 * Downloads `runs.csv`: every run the search and filters match (not only the
 * loaded ones), with a column per param and per metric.
 */
export class ExportCsv extends React.Component<
  { model: RunListModel },
  { busy: boolean }
> {
  override state = { busy: false };

  override render(): React.JSX.Element {
    return (
      <Button
        title="Download the runs that match the search and filters as CSV, with their params and metrics"
        disabled={this.state.busy}
        onClick={() => void this._export()}
      >
        {this.state.busy ? 'Exporting…' : 'Export CSV'}
      </Button>
    );
  }

  private async _export(): Promise<void> {
    this.setState({ busy: true });
    const text = await this.props.model.exportCsv();
    this.setState({ busy: false });
    if (text !== null) {
      saveText(text, 'runs.csv', 'text/csv');
    }
  }
}

/** Save `text` as a file, as the browser downloads one. */
export function saveText(text: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has started from the link; the URL can go once it has read it.
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}
