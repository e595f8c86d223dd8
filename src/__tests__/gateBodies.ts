// Response bodies of the gate's tests: a comparison of two seed groups, and the gate's decision on them.
import type { CompareBody, GateBody, GateMetric } from '../api/types';
import { summary } from './bodies';

/** Run ids `<prefix>0` to `<prefix><n - 1>`. */
function ids(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

/** Five seeds of width 16 (runs a0-a4) and five of width 32 (b0-b4). */
export function twoGroups(): CompareBody {
  const runs = [...ids('a', 5), ...ids('b', 5)];
  return {
    runs: runs.map(run_id => summary({ run_id })),
    metrics: [
      { key: 'val/accuracy', values: runs.map(() => 0.9), differs: true },
      { key: 'val/loss', values: runs.map(() => 0.3), differs: true },
      { key: 'system/cpu', values: runs.map(() => 50), differs: true }
    ],
    params: [],
    packages: [],
    hardware: [],
    git: [],
    environment: [],
    cells: [],
    seed_groups: [
      {
        label: 'width=16',
        run_ids: ids('a', 5),
        params: { width: '16' },
        metrics: [],
        warning: null
      },
      {
        label: 'width=32',
        run_ids: ids('b', 5),
        params: { width: '32' },
        metrics: [],
        warning: null
      }
    ],
    group_tests: [],
    correction: 'holm',
    alpha: 0.05,
    untested_metrics: ['system/cpu']
  };
}

/** One gated metric's row, failing by default. */
export function gateMetric(patch: Partial<GateMetric> = {}): GateMetric {
  return {
    metric: 'val/accuracy',
    direction: 'maximize',
    n_baseline: 5,
    n_candidate: 5,
    missing: 0,
    mean_baseline: 0.9,
    mean_candidate: 0.8,
    difference: -0.1,
    improvement: -0.1,
    p_value: 0.004,
    p_adjusted: 0.008,
    detectable_difference: null,
    decision: 'fail',
    why: 'worse by 0.1 beyond seed noise (adjusted p 0.008)',
    ...patch
  };
}

/** The gate's answer: width 32 against width 16, failing on `metrics`. */
export function gateBody(patch: Partial<GateBody> = {}): GateBody {
  return {
    decision: 'fail',
    exit_code: 1,
    correction: 'holm',
    alpha: 0.05,
    min_effect: 0,
    require_better: false,
    baseline: {
      selection: ids('a', 5).join(','),
      run_ids: ids('a', 5),
      seeds: ['0', '1', '2', '3', '4'],
      params: { width: '16' }
    },
    candidate: {
      selection: ids('b', 5).join(','),
      run_ids: ids('b', 5),
      seeds: ['0', '1', '2', '3', '4'],
      params: { width: '32' }
    },
    metrics: [gateMetric()],
    reasons: [],
    warnings: [],
    ...patch
  };
}
