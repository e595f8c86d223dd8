// The comparison's paired tests: runs with predictions on the same ids, compared example by example.
import React from 'react';

import type { CompareBody } from '../../api/types';
import { Badge, TableHead } from '../common';
import { pairedRows } from './pairedRows';

/**
 * Paired bootstrap and McNemar tests between runs (or seed groups) that
 * logged predictions on the same split with the same ids; nothing when none did.
 */
export function PairedTests(props: {
  body: CompareBody;
}): React.JSX.Element | null {
  const rows = pairedRows(props.body.paired_tests ?? []);
  const notes = props.body.paired_notes ?? [];
  if (rows.length === 0 && notes.length === 0) {
    return null;
  }
  return (
    <>
      <h4 className="jp-xp-Subheading">Paired, example by example</h4>
      <p className="jp-xp-Muted">
        Runs with predictions on the same ids (xp.log_predictions) are compared
        per example: a paired bootstrap of the difference, McNemar&apos;s test
        for two classifiers. p-values (raw → adjusted) are adjusted together
        with the group tests.
      </p>
      {rows.length > 0 && (
        <table className="jp-xp-Table" aria-label="Paired tests">
          <TableHead
            columns={[
              'Metric',
              'Sides',
              'Difference',
              '95% interval',
              'd_z',
              'Test',
              'p',
              'Distinguishable'
            ]}
          />
          <tbody>
            {rows.map(row => (
              <tr key={row.id}>
                <th scope="row">{row.key}</th>
                <td>{row.sides}</td>
                <td>{row.difference}</td>
                <td>{row.interval}</td>
                <td>{row.effect}</td>
                <td>{row.test}</td>
                <td>{row.p}</td>
                <td>
                  <Badge
                    label={row.distinguishable ? 'yes' : 'no'}
                    tone={row.distinguishable ? 'ok' : 'muted'}
                    title="adjusted p < alpha"
                  />
                  {row.warning !== null && (
                    <div className="jp-xp-Muted">{row.warning}</div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {notes.map(note => (
        <p key={note} className="jp-xp-Muted">
          {note}
        </p>
      ))}
    </>
  );
}
