// A run's checkpoints (xp.checkpoint): name, version, step, size, checksum and a copyable load line.
import { Clipboard } from '@jupyterlab/apputils';
import React from 'react';

import type { RunDetail } from '../../models/types';
import { Button, TableHead } from '../common';
import { checkpointRows } from './checkpointRows';

const COLUMNS = ['Name', 'Version', 'Step', 'Size', 'sha256', 'Load'];

/** The Checkpoints table, or a line saying how to save one. */
export function Checkpoints(props: { run: RunDetail }): React.JSX.Element {
  const rows = checkpointRows(props.run.run_id, props.run.checkpoints);
  if (rows.length === 0) {
    return (
      <p className="jp-xp-Muted">
        No checkpoints. <code>xp.checkpoint(&quot;name&quot;, model=…)</code> or{' '}
        <code>%xp checkpoint NAME</code> saves one that resumes exactly.
      </p>
    );
  }
  return (
    <table className="jp-xp-Table jp-xp-Checkpoints" aria-label="Checkpoints">
      <TableHead columns={COLUMNS} />
      <tbody>
        {rows.map(row => (
          <tr key={row.key}>
            <td>{row.name}</td>
            <td>{row.version}</td>
            <td>{row.step}</td>
            <td>{row.size}</td>
            <td>
              <code title="sha256 of metadata.json">{row.sha256}</code>
            </td>
            <td className="jp-xp-Checkpoints-load">
              <code>{row.loadLine}</code>{' '}
              <Button
                aria-label={`Copy load line of ${row.key}`}
                title="Copy to the clipboard"
                onClick={() => Clipboard.copyToSystem(row.loadLine)}
              >
                Copy
              </Button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
