// The comparison's seed groups: statistics over seeds, and whether groups differ by more than seed noise.
import React from 'react';

import type { CompareBody } from '../../api/types';
import { formatNumber, formatPValue } from '../../format';
import { Badge, TableHead } from '../common';

/**
 * Runs grouped by their parameters except the seed: mean ± std and interval
 * of each metric, and the tests between groups.
 */
export function SeedGroups(props: { body: CompareBody }): React.JSX.Element {
  const { seed_groups: groups, group_tests: tests } = props.body;
  if (groups.length === 0) {
    return <p className="jp-xp-Muted">No seed groups.</p>;
  }
  const hasReplicates = groups.some(group => group.run_ids.length > 1);
  return (
    <>
      <p className="jp-xp-Muted">
        Runs with the same parameters except the seed form a group.
        {hasReplicates
          ? ''
          : ' Every group has one run: record more seeds to measure seed noise.'}
      </p>
      <table className="jp-xp-Table" aria-label="Seed groups">
        <TableHead
          columns={['Group', 'Runs', 'Metric', 'Mean ± std', '95% CI']}
        />
        <tbody>
          {groups.flatMap(group =>
            group.metrics.map((stats, index) => (
              <tr key={`${group.label}:${stats.key}`}>
                {index === 0 && (
                  <>
                    <th scope="row" rowSpan={group.metrics.length}>
                      {group.label}
                    </th>
                    <td rowSpan={group.metrics.length}>
                      {group.run_ids.length}
                    </td>
                  </>
                )}
                <td>{stats.key}</td>
                <td>
                  {`${formatNumber(stats.mean)} ± ${formatNumber(stats.std)}`}
                  <span className="jp-xp-Muted">{` (n=${stats.n})`}</span>
                </td>
                <td>
                  {`[${formatNumber(stats.ci_low)}, ${formatNumber(stats.ci_high)}]`}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <h4 className="jp-xp-Subheading">
        Is the difference more than seed noise?
      </h4>
      {tests.length === 0 ? (
        <p className="jp-xp-Muted">
          No tests: they need two groups with at least two seeds each.
        </p>
      ) : (
        <table className="jp-xp-Table" aria-label="Group tests">
          <TableHead
            columns={[
              'Metric',
              'Groups',
              'Mean difference',
              "Cohen's d",
              'Welch p',
              'Permutation p',
              'Distinguishable'
            ]}
          />
          <tbody>
            {tests.map(test => (
              <tr key={`${test.key}:${test.group_a}:${test.group_b}`}>
                <th scope="row">{test.key}</th>
                <td>{`${test.group_a} vs ${test.group_b}`}</td>
                <td>{formatNumber(test.mean_difference)}</td>
                <td>{formatNumber(test.cohens_d)}</td>
                <td>{formatPValue(test.welch_p)}</td>
                <td>{formatPValue(test.permutation_p)}</td>
                <td>
                  <Badge
                    label={test.distinguishable ? 'yes' : 'no'}
                    tone={test.distinguishable ? 'ok' : 'muted'}
                    title="p < 0.05 on Welch's test"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
