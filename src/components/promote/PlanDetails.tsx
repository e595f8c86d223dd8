// The Promote dialog's account of what will run: where the run came from, what of the store was not used, and the code itself, as text.
import React from 'react';

import type { PlanCode, PromotePlan } from '../../models/types';
import { codeFrom, codeNotes, codeTitle, recordedBy, runsIn } from './planText';

/**
 * Rows of the dialog's Source table: who recorded the run, where and when
 * (as its tags say), where the code comes from and the folder the job runs
 * in. Every value is a React text node: captured strings are never markup.
 */
export function ProvenanceRows(props: {
  plan: PromotePlan;
}): React.JSX.Element {
  const { plan } = props;
  const { provenance } = plan;
  const recorded = recordedBy(provenance);
  return (
    <>
      {plan.run_id !== null && (
        <tr>
          <th scope="row">Recorded</th>
          <td>
            {recorded ?? 'not said'}
            <span className="jp-xp-Muted"> (as the run’s tags say)</span>
          </td>
        </tr>
      )}
      {plan.run_id !== null && provenance.notebook !== null && (
        <tr>
          <th scope="row">Notebook</th>
          <td>
            <code>{provenance.notebook}</code>
            <span className="jp-xp-Muted"> (as recorded)</span>
          </td>
        </tr>
      )}
      <tr>
        <th scope="row">Code from</th>
        <td>{codeFrom(provenance)}</td>
      </tr>
      <tr>
        <th scope="row">Runs in</th>
        <td>{runsIn(plan)}</td>
      </tr>
    </>
  );
}

/** What the server read from the store and did not use, and why. */
export function PlanNotes(props: {
  notes: readonly string[];
}): React.JSX.Element | null {
  if (props.notes.length === 0) {
    return null;
  }
  return (
    <ul
      className="jp-xp-Plain jp-xp-PromoteNotes"
      aria-label="Values from the store that are not used"
    >
      {props.notes.map((note, index) => (
        <li key={index}>{note}</li>
      ))}
    </ul>
  );
}

/**
 * The collapsible "Code that will run" section: the cells of the chosen
 * order, in order, each with where it came from, as plain text.
 */
export function CodeToRun(props: {
  code: PlanCode | undefined;
}): React.JSX.Element {
  const { code } = props;
  return (
    <details className="jp-xp-PromoteCode">
      <summary>{codeTitle(code)}</summary>
      {code === undefined ? (
        <p className="jp-xp-Muted">
          The server could not list the code of this order.
        </p>
      ) : (
        <>
          {codeNotes(code).map((note, index) => (
            <p key={index} className="jp-xp-PromoteCode-note">
              {note}
            </p>
          ))}
          <ol className="jp-xp-Plain" aria-label="Code that will run">
            {code.cells.map((cell, index) => (
              <li key={index} className="jp-xp-PromoteCode-cell">
                <div className="jp-xp-PromoteCode-label">
                  {`${index + 1}. ${cell.label}`}
                  {cell.parameters && (
                    <span className="jp-xp-Muted">
                      {
                        ' · parameters cell: papermill adds your values after it'
                      }
                    </span>
                  )}
                </div>
                <pre className="jp-xp-PromoteCode-source">
                  {cell.source}
                  {cell.omitted_chars > 0 &&
                    `\n… ${cell.omitted_chars.toLocaleString()} more characters`}
                </pre>
              </li>
            ))}
          </ol>
        </>
      )}
    </details>
  );
}
