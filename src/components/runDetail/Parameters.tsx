// A run's parameters, as a table.
import React from 'react';

import { TableHead } from '../common';

/** The run's parameters by name, or how to record some. */
export function ParamsTable(props: {
  params: Record<string, string>;
}): React.JSX.Element {
  const keys = Object.keys(props.params).sort();
  if (keys.length === 0) {
    return (
      <p className="jp-xp-Muted">
        No parameters. Record some with <code>%xp param name=value</code> or a
        cell tagged <code>parameters</code>.
      </p>
    );
  }
  return (
    <table className="jp-xp-Table" aria-label="Parameters">
      <TableHead columns={['Name', 'Value']} />
      <tbody>
        {keys.map(key => (
          <tr key={key}>
            <th scope="row">{key}</th>
            <td>
              <code>{props.params[key]}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
