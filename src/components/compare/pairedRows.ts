// The paired tests' rows as the compare view shows them (pure, so Jest can check the text).
import type { PairedTest } from '../../models/types';
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
  decision: string;
  reason: string;
  warning: string | null;
}

/** Rows of the paired-tests table: `b − a`, its 95% interval, the effect size with its interval, the test, p (raw → adjusted) and the decision. */
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
      effect:
        formatStat(test.effect_size, 3) +
        (test.effect_ci_low === null || test.effect_ci_high === null
          ? ''
          : ` [${formatStat(test.effect_ci_low, 2)}, ${formatStat(test.effect_ci_high, 2)}]`),
      test: `${test.test}${discordant}, ${test.n_examples} examples`,
      p: `${formatPValue(test.p_value)} → ${formatPValue(test.p_adjusted)}`,
      distinguishable: test.distinguishable,
      decision: test.decision,
      reason: test.reason,
      warning: test.warning
    };
  });
}
