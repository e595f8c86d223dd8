// A run's git state: the notebook's repository and those of locally imported modules.
import React from 'react';

import type { RunDetail } from '../../models/types';
import {
  asArray,
  asNumber,
  asRecord,
  asString,
  formatValue
} from '../../format';
import { DiffView, EmptyState, KeyValueTable } from '../common';

function Repository(props: {
  repo: Record<string, unknown>;
  label: string;
}): React.JSX.Element {
  const { repo, label } = props;
  const diff = asString(repo.diff) ?? '';
  const untracked = asNumber(repo.untracked);
  const rows: [string, React.ReactNode][] = [
    ['Commit', <code key="commit">{formatValue(repo.commit)}</code>],
    ['Branch', formatValue(repo.branch ?? '(detached)')],
    ['Remote', formatValue(repo.remote_url)],
    [
      'Dirty',
      `${formatValue(repo.dirty)}${
        untracked ? ` (${untracked} untracked files)` : ''
      }`
    ],
    ['Work tree', formatValue(repo.toplevel)]
  ];
  return (
    <>
      <KeyValueTable label={label} rows={rows} />
      {diff.length > 0 && (
        <details className="jp-xp-Details">
          <summary>
            {`Uncommitted changes${repo.diff_truncated === true ? ' (cut short)' : ''}`}
          </summary>
          <DiffView diff={diff} label={`${label}: uncommitted changes`} />
        </details>
      )}
    </>
  );
}

/** The notebook's repository and those of locally imported modules. */
export function Git(props: { git: RunDetail['git'] }): React.JSX.Element {
  const { git } = props;
  const repository = asRecord(git?.repository);
  const modules = asArray(git?.modules)
    .map(asRecord)
    .filter((repo): repo is Record<string, unknown> => repo !== null);
  if (repository === null && modules.length === 0) {
    return (
      <EmptyState>
        <p className="jp-xp-Muted">
          Not in a git work tree (nor were any locally imported modules).
        </p>
      </EmptyState>
    );
  }
  return (
    <>
      {repository !== null ? (
        <Repository repo={repository} label="Notebook repository" />
      ) : (
        <p className="jp-xp-Muted">The notebook is not in a git work tree.</p>
      )}
      {modules.map((repo, index) => (
        <div key={index}>
          <h4 className="jp-xp-Subheading">
            {`Repository of imported modules: ${formatValue(repo.modules_from ?? repo.toplevel)}`}
          </h4>
          <Repository repo={repo} label={`Module repository ${index + 1}`} />
        </div>
      ))}
    </>
  );
}
