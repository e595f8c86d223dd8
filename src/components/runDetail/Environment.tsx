// A run's environment: Python, platform, allow-listed variables and packages.
import React, { useState } from 'react';

import type { RunDetail } from '../../models/types';
import {
  asArray,
  asRecord,
  asString,
  field,
  formatValue,
  MISSING
} from '../../format';
import { KeyValueTable, TableHead } from '../common';

/** Python, platform, container, allow-listed environment variables and packages. */
export function Environment(props: {
  environment: RunDetail['environment'];
}): React.JSX.Element {
  const { environment } = props;
  if (environment === null) {
    return <p className="jp-xp-Muted">No environment record for this run.</p>;
  }
  const python = environment.python;
  const platform = environment.platform;
  const env = asRecord(environment.env) ?? {};
  const rows: [string, string][] = [
    [
      'Python',
      [
        field(python, 'implementation'),
        field(python, 'version'),
        field(python, 'virtualenv') === true ? '(virtualenv)' : null
      ]
        .filter(part => typeof part === 'string')
        .join(' ') || MISSING
    ],
    ['Executable', formatValue(field(python, 'executable'))],
    [
      'Platform',
      [
        field(platform, 'system'),
        field(platform, 'release'),
        field(platform, 'machine')
      ]
        .filter(part => typeof part === 'string')
        .join(' ') || MISSING
    ],
    ['libc', formatValue(field(platform, 'libc'))],
    ['Host', formatValue(field(platform, 'hostname'))],
    ['Container', formatValue(environment.container ?? 'none')]
  ];
  const names = Object.keys(env).sort();
  return (
    <>
      <KeyValueTable label="Environment" rows={rows} />
      <h4 className="jp-xp-Subheading">Environment variables (allow-listed)</h4>
      {names.length === 0 ? (
        <p className="jp-xp-Muted">None recorded.</p>
      ) : (
        <KeyValueTable
          label="Environment variables"
          rows={names.map(name => [name, formatValue(env[name])])}
        />
      )}
      <h4 className="jp-xp-Subheading">Packages</h4>
      <PackageTable packages={asArray(environment.packages)} />
    </>
  );
}

/** The installed packages, with a search box. */
function PackageTable(props: { packages: unknown[] }): React.JSX.Element {
  const [search, setSearch] = useState('');
  const packages = props.packages
    .map(entry => ({
      name: asString(field(entry, 'name')) ?? '',
      version: asString(field(entry, 'version')) ?? MISSING
    }))
    .filter(entry => entry.name !== '');
  const needle = search.trim().toLowerCase();
  const shown = needle
    ? packages.filter(entry => entry.name.toLowerCase().includes(needle))
    : packages;
  return (
    <div className="jp-xp-Packages">
      <input
        type="search"
        className="jp-xp-Input"
        placeholder={`Search ${packages.length} packages`}
        aria-label="Search packages"
        value={search}
        onChange={event => setSearch(event.currentTarget.value)}
      />
      {shown.length === 0 ? (
        <p className="jp-xp-Muted">No package matches.</p>
      ) : (
        <table className="jp-xp-Table" aria-label="Packages">
          <TableHead columns={['Package', 'Version']} />
          <tbody>
            {shown.map(entry => (
              <tr key={entry.name}>
                <td>{entry.name}</td>
                <td>
                  <code>{entry.version}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
