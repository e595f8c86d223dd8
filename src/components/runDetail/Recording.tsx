// A run's "Recording" section: what its store copy lacks (values redacted, records refused) and where.
import React from 'react';

import type { RunDetail } from '../../models/types';
import { TableHead } from '../common';
import { placeLabel, redactionSummary, refusedSummary } from './recordingNotes';

/**
 * How many values were redacted on their way to the store and where, and how
 * many records the store refused: the store copy is not the exact run.
 */
export function Recording(props: { run: RunDetail }): React.JSX.Element {
  const { run } = props;
  const redacted = redactionSummary(run.redactions);
  const refused = refusedSummary(run.sync_refused);
  const places = run.redactions?.places ?? [];
  if (redacted === null && refused === null) {
    return (
      <p className="jp-xp-Muted">
        Nothing was redacted, and the store took every record.
      </p>
    );
  }
  return (
    <>
      <ul className="jp-xp-Plain jp-xp-Recording" aria-label="Store copy">
        {redacted !== null && (
          <li>
            {`${redacted}. `}
            <span className="jp-xp-Muted">
              The journal on the recording machine keeps the exact text; a
              promotion from the store’s copy refuses redacted code.
            </span>
          </li>
        )}
        {refused !== null && <li>{refused}</li>}
      </ul>
      {places.length > 0 && (
        <details>
          <summary>Where values were redacted</summary>
          <table className="jp-xp-Table" aria-label="Redactions">
            <TableHead columns={['Where', 'Values', 'Found by', 'Names']} />
            <tbody>
              {places.map((place, index) => (
                <tr key={index}>
                  <td>{placeLabel(place)}</td>
                  <td>{place.count}</td>
                  <td>{place.kinds.join(', ')}</td>
                  <td>
                    <code>{place.names.join(', ')}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </>
  );
}
