// The comparison's paired tests: runs with predictions on the same ids, compared example by example.
import React from 'react';

import type { CompareBody } from '../../models/types';
import { Badge, TableHead } from '../common';
import { pairedRows } from './pairedRows';

/**
 * Sign-flip and McNemar tests between two runs, or a test over runs between seed groups, that
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
        on the same examples: two runs example by example (an exact sign-flip
        test, McNemar&apos;s test for two classifiers), two seed groups with
        each run&apos;s metric as one value, so that seed noise counts. p-values
        (raw → adjusted) are adjusted together with the group tests.
      </p>
      {rows.length > 0 && (
        <table className="jp-xp-Table" aria-label="Paired tests">
          <TableHead
            columns={[
              'Metric',
              'Sides',
              'Difference',
              '95% interval',
              'Effect [95%]',
              'Test',
              'p',
              'Decision'
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
                    label={row.decision}
                    tone={row.distinguishable ? 'ok' : 'muted'}
                    title={row.reason}
                  />
                  <div className="jp-xp-Muted">{row.reason}</div>
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
