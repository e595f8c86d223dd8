// The per-cell list of a promoted run's verification: one row per cell with its class, and stored vs new side by side where it differs.
import React from 'react';

import type { OutputCheck } from '../../models/types';
import { Badge } from '../common';
import { cellRows, classSummary } from './cellVerdicts';

/** One line per source cell; every string from the server is rendered as text. */
export function CellVerdicts(props: {
  outputs: OutputCheck;
}): React.JSX.Element | null {
  const rows = cellRows(props.outputs);
  if (rows.length === 0) {
    return null;
  }
  return (
    <div className="jp-xp-CellVerdicts">
      <p className="jp-xp-Muted">
        {`${classSummary(props.outputs)}${
          props.outputs.verified ? ' (verified)' : ' (not verified)'
        }`}
      </p>
      <table className="jp-xp-Table" aria-label="Cells compared">
        <tbody>
          {rows.map(row => (
            <React.Fragment key={row.key}>
              <tr>
                <th scope="row">{row.cell}</th>
                <td>
                  <Badge label={row.cls} tone={row.tone} title={row.detail} />
                </td>
                <td>
                  <code>{row.line}</code>
                </td>
                <td className="jp-xp-Muted">{row.detail}</td>
              </tr>
              {row.sideBySide !== null && (
                <tr>
                  <td colSpan={2} />
                  <td>
                    <pre aria-label={`Stored output of ${row.cell}`}>
                      {row.sideBySide.stored}
                    </pre>
                  </td>
                  <td>
                    <pre aria-label={`New output of ${row.cell}`}>
                      {row.sideBySide.new}
                    </pre>
                  </td>
                </tr>
              )}
            </React.Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}
