// A run's seeds and determinism flags.
import React from 'react';

import type { RunDetail } from '../../models/types';
import { asArray, asRecord, asString, formatValue } from '../../format';
import { KeyValueTable } from '../common';

/** The root seed, what was seeded, determinism flags, later seed calls and seeding errors. */
export function Seeds(props: { seeds: RunDetail['seeds'] }): React.JSX.Element {
  const { seeds } = props;
  if (seeds === null) {
    return <p className="jp-xp-Muted">No seed record for this run.</p>;
  }
  const libraries = asRecord(seeds.libraries) ?? {};
  const determinism = asRecord(seeds.determinism) ?? {};
  const userCalls = asArray(seeds.user_calls);
  const errors = asArray(seeds.errors);
  const rows: [string, React.ReactNode][] = [
    [
      'Root seed',
      `${formatValue(seeds.seed)}${
        asString(seeds.seed_source) ? ` (${asString(seeds.seed_source)})` : ''
      }`
    ],
    [
      'PYTHONHASHSEED',
      seeds.pythonhashseed === null || seeds.pythonhashseed === undefined
        ? 'unset (str hashing differs per kernel)'
        : formatValue(seeds.pythonhashseed)
    ],
    ...Object.keys(libraries)
      .sort()
      .map(name => [name, formatValue(libraries[name])] as [string, string])
  ];
  const flags = Object.keys(determinism).sort();
  return (
    <>
      <KeyValueTable label="Seeds" rows={rows} />
      <h4 className="jp-xp-Subheading">Determinism</h4>
      {flags.length === 0 ? (
        <p className="jp-xp-Muted">
          Not requested (<code>%xp start --deterministic</code> turns it on).
        </p>
      ) : (
        <KeyValueTable
          label="Determinism"
          rows={flags.map(flag => [flag, formatValue(determinism[flag])])}
        />
      )}
      {userCalls.length > 0 && (
        <>
          <h4 className="jp-xp-Subheading">Seed calls made after start</h4>
          <ul className="jp-xp-Plain">
            {userCalls.map((call, index) => (
              <li key={index}>
                <code>{formatValue(call)}</code>
              </li>
            ))}
          </ul>
        </>
      )}
      {errors.length > 0 && (
        <>
          <h4 className="jp-xp-Subheading">Seeding errors</h4>
          <ul className="jp-xp-Plain jp-xp-Error">
            {errors.map((error, index) => (
              <li key={index}>{formatValue(error)}</li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
