// Parameter importance of a sweep (Optuna's fANOVA) as horizontal bars.
import React from 'react';

import { formatNumber } from '../../format';

/** Each parameter's share of the objective's variance, largest first. */
export function Importance(props: {
  importance: Readonly<Record<string, number>>;
}): React.JSX.Element {
  const rows = Object.entries(props.importance).sort((a, b) => b[1] - a[1]);
  if (rows.length === 0) {
    return (
      <p className="jp-xp-Muted">
        Shown from two complete trials on (Optuna’s fANOVA evaluator).
      </p>
    );
  }
  const top = Math.max(...rows.map(([, value]) => value), 1e-12);
  return (
    <table
      className="jp-xp-Table jp-xp-Importance"
      aria-label="Parameter importance"
    >
      <tbody>
        {rows.map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td className="jp-xp-Importance-cell">
              <span
                className="jp-xp-Importance-bar"
                style={{ width: `${(100 * value) / top}%` }}
                aria-hidden="true"
              />
            </td>
            <td className="jp-xp-Number">{formatNumber(value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
