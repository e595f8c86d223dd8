// Unit tests of the paired tests' rows in the compare view.
import { describe, expect, it } from '@jest/globals';

import type { PairedTest } from '../api/types';
import { pairedRows } from '../components/compare/pairedRows';

/** A McNemar test between two single runs, as the server sends it. */
const MCNEMAR: PairedTest = {
  key: 'test/accuracy',
  split: 'test',
  metric: 'accuracy',
  group_a: 'lr=0.1',
  group_b: 'lr=0.01',
  runs_a: 1,
  runs_b: 1,
  n_examples: 360,
  non_finite: 0,
  value_a: 0.9,
  value_b: 0.93,
  difference: 0.0305555555,
  ci_low: 0.0111111,
  ci_high: 0.05,
  effect_size: 0.16549,
  effect_ci_low: 0.0612,
  effect_ci_high: 0.2693,
  mcnemar_statistic: 7.2,
  mcnemar_p: 0.00729,
  mcnemar_exact: false,
  a_only: 4,
  b_only: 15,
  test: 'McNemar (chi-square)',
  p_value: 0.00729,
  p_adjusted: 0.0218,
  decision: 'distinguishable',
  reason: 'McNemar (chi-square), adjusted',
  detectable_difference: null,
  distinguishable: true,
  warning: 'one run a side'
};

describe('pairedRows', () => {
  it('shows b − a with its interval, d_z with its interval, the test used, raw → adjusted p and the decision', () => {
    const [row] = pairedRows([MCNEMAR]);
    expect(row).toEqual({
      id: 'test/accuracy:lr=0.1:lr=0.01',
      key: 'test/accuracy',
      sides: 'lr=0.01 − lr=0.1',
      difference: '0.03056',
      interval: '[0.01111, 0.05]',
      effect: '0.165 [0.061, 0.27]',
      test: 'McNemar (chi-square) (4 only a right, 15 only b right), 360 examples',
      p: '0.007 → 0.022',
      distinguishable: true,
      decision: 'distinguishable',
      reason: 'McNemar (chi-square), adjusted',
      warning: 'one run a side'
    });
  });

  it('leaves out McNemar counts and intervals a test without them does not have', () => {
    const [row] = pairedRows([
      {
        ...MCNEMAR,
        runs_a: 5,
        runs_b: 5,
        ci_low: null,
        ci_high: null,
        a_only: null,
        b_only: null,
        mcnemar_p: null,
        mcnemar_exact: null,
        mcnemar_statistic: null,
        effect_ci_low: null,
        effect_ci_high: null,
        test: 'none',
        p_value: null,
        p_adjusted: null,
        decision: 'no decision',
        reason: 'one run on one side and several on the other',
        distinguishable: false,
        warning: null
      }
    ]);
    expect(row.interval).toBe('—');
    expect(row.test).toBe('none, 360 examples');
    expect(row.effect).toBe('0.165');
    expect(row.p).toBe('— → —');
  });
});
