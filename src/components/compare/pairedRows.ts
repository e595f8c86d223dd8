// The paired tests' rows as the compare view shows them (pure, so Jest can check the text).
import type { PairedTest } from '../../api/types';
import { formatPValue, formatStat, MISSING } from '../../format';

/** One paired test, formatted for a table row. */
export interface IPairedRow {
  id: string;
  key: string;
  sides: string;
  difference: string;
  interval: string;
  effect: string;
  test: string;
  p: string;
  distinguishable: boolean;
  warning: string | null;
}

/** Rows of the paired-tests table: `b − a`, its 95% interval, d_z, the test and p (raw → adjusted). */
export function pairedRows(tests: readonly PairedTest[]): IPairedRow[] {
  return tests.map(test => {
    const interval =
      test.ci_low === null || test.ci_high === null
        ? MISSING
        : `[${formatStat(test.ci_low)}, ${formatStat(test.ci_high)}]`;
    const discordant =
      test.a_only === null || test.b_only === null
        ? ''
        : ` (${test.a_only} only a right, ${test.b_only} only b right)`;
    return {
      id: `${test.key}:${test.group_a}:${test.group_b}`,
      key: test.key,
      sides: `${test.group_b} − ${test.group_a}`,
      difference: formatStat(test.difference),
      interval,
      effect: formatStat(test.effect_size, 3),
      test: `${test.test}${discordant}, ${test.n_examples} examples`,
      p: `${formatPValue(test.p_value)} → ${formatPValue(test.p_adjusted)}`,
      distinguishable: test.distinguishable,
      warning: test.warning
    };
  });
}
