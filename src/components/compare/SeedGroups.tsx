// The comparison's seed groups: statistics over seeds, and whether groups differ by more than seed noise.
import React from 'react';

import type {
  CompareBody,
  GroupTest,
  MetricStats,
  SeedGroup
} from '../../models/types';
import { formatPValue, formatStat, MISSING } from '../../format';
import { Badge, TableHead } from '../common';

/** How each interval was made, as the table says it. */
const INTERVALS: Record<MetricStats['interval'], string> = {
  t: "Student's t",
  none: 'none (one run)'
};

/** How the p-values were adjusted, as the caption says it. */
const CORRECTIONS: Record<CompareBody['correction'], string> = {
  holm: 'Holm (family-wise error)',
  bh: 'Benjamini–Hochberg (false discovery rate)'
};

/** A p-value and its adjusted value: `0.371 → 0.743`. */
function pPair(raw: number | null, adjusted: number | null): string {
  return `${formatPValue(raw)} → ${formatPValue(adjusted)}`;
}

/** One metric of one group: mean ± std, the interval and how it was made. */
function StatsCells(props: { stats: MetricStats }): React.JSX.Element {
  const { stats } = props;
  const interval =
    stats.ci_low === null || stats.ci_high === null
      ? MISSING
      : `[${formatStat(stats.ci_low)}, ${formatStat(stats.ci_high)}]`;
  const notes = [
    stats.non_finite > 0 ? `${stats.non_finite} NaN/inf left out` : '',
    stats.tested ? '' : 'system metric: not tested'
  ].filter(note => note.length > 0);
  return (
    <>
      <td>{stats.key}</td>
      <td>
        {`${formatStat(stats.mean)} ± ${formatStat(stats.std)}`}
        <span className="jp-xp-Muted">{` (n=${stats.n})`}</span>
      </td>
      <td>{interval}</td>
      <td>{INTERVALS[stats.interval]}</td>
      <td className="jp-xp-Muted">{notes.join('; ')}</td>
    </>
  );
}

/** The groups' table: one row per metric, the group's cells spanning them. */
function GroupTable(props: {
  groups: readonly SeedGroup[];
}): React.JSX.Element {
  return (
    <table className="jp-xp-Table" aria-label="Seed groups">
      <TableHead
        columns={[
          'Group',
          'Runs',
          'Metric',
          'Mean ± std',
          '95% interval',
          'Interval method',
          'Note'
        ]}
      />
      <tbody>
        {props.groups.flatMap(group =>
          group.metrics.map((stats, index) => (
            <tr key={`${group.label}:${stats.key}`}>
              {index === 0 && (
                <>
                  <th scope="row" rowSpan={group.metrics.length}>
                    {group.label}
                    {group.warning !== null && (
                      <div>
                        <Badge
                          label="few seeds"
                          tone="warn"
                          title={group.warning}
                        />
                        <div className="jp-xp-Muted">{group.warning}</div>
                      </div>
                    )}
                  </th>
                  <td rowSpan={group.metrics.length}>{group.run_ids.length}</td>
                </>
              )}
              <StatsCells stats={stats} />
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

/** Hedges' g and its 95% interval: `0.912 [-0.41, 2.2]`. */
function effectText(test: GroupTest): string {
  const interval =
    test.effect_ci_low === null || test.effect_ci_high === null
      ? ''
      : ` [${formatStat(test.effect_ci_low, 2)}, ${formatStat(test.effect_ci_high, 2)}]`;
  return `${formatStat(test.hedges_g, 3)}${interval}`;
}

/** One test between two groups: difference, effect size, raw → adjusted p, the decision. */
function TestRow(props: { test: GroupTest }): React.JSX.Element {
  const { test } = props;
  return (
    <tr>
      <th scope="row">{test.key}</th>
      <td>{`${test.group_b} − ${test.group_a}`}</td>
      <td>{formatStat(test.mean_difference)}</td>
      <td>{effectText(test)}</td>
      <td>{pPair(test.welch_p, test.welch_p_adjusted)}</td>
      <td>
        {pPair(test.permutation_p, test.permutation_p_adjusted)}
        {test.permutation_exact && <span className="jp-xp-Muted"> exact</span>}
      </td>
      <td>
        <Badge
          label={test.decision}
          tone={test.distinguishable ? 'ok' : 'muted'}
          title={test.reason}
        />
        <div className="jp-xp-Muted">{test.reason}</div>
        {test.warning !== null && (
          <div className="jp-xp-Muted">{test.warning}</div>
        )}
      </td>
    </tr>
  );
}

/**
 * Runs grouped by their parameters except the seed: mean ± std and interval
 * of each metric, and the corrected tests between groups.
 */
export function SeedGroups(props: { body: CompareBody }): React.JSX.Element {
  const { seed_groups: groups, group_tests: tests, alpha } = props.body;
  if (groups.length === 0) {
    return <p className="jp-xp-Muted">No seed groups.</p>;
  }
  const hasReplicates = groups.some(group => group.run_ids.length > 1);
  return (
    <>
      <p className="jp-xp-Muted">
        Runs with the same parameters except the seed form a group. Intervals
        are 95% Student&apos;s t intervals of the mean.
        {hasReplicates
          ? ''
          : ' Every group has one run: record more seeds to measure seed noise.'}
      </p>
      <GroupTable groups={groups} />
      <h4 className="jp-xp-Subheading">
        Is the difference more than seed noise?
      </h4>
      {tests.length === 0 ? (
        <p className="jp-xp-Muted">
          No tests: they need two groups with at least two seeds each.
        </p>
      ) : (
        <>
          <p className="jp-xp-Muted">
            {`An exact permutation test and Welch's t-test on every metric except system/*; p-values (raw → adjusted) adjusted by ${CORRECTIONS[props.body.correction]} over ${props.body.family_size ?? tests.length} tests, paired tests included. Distinguishable: the larger of the two p-values, adjusted, is below ${alpha}.`}
          </p>
          <table className="jp-xp-Table" aria-label="Group tests">
            <TableHead
              columns={[
                'Metric',
                'Groups',
                'Mean difference',
                "Hedges' g [95%]",
                'Welch p',
                'Permutation p',
                'Decision'
              ]}
            />
            <tbody>
              {tests.map(test => (
                <TestRow
                  key={`${test.key}:${test.group_a}:${test.group_b}`}
                  test={test}
                />
              ))}
            </tbody>
          </table>
        </>
      )}
      {(props.body.left_out ?? []).map(row => (
        <p
          key={`${row.key}:${row.group_a}:${row.group_b}`}
          className="jp-xp-Muted"
        >
          {`${row.key} (${row.group_b} vs ${row.group_a}) not tested: ${row.reason}`}
        </p>
      ))}
    </>
  );
}
