// Sweep response bodies for the unit tests' fake server, shaped by the generated API types.
import type { SweepDetail, SweepTrial } from '../api/types';

/** A complete trial with the given fields. */
export function trial(patch: Partial<SweepTrial> = {}): SweepTrial {
  return {
    number: 0,
    state: 'COMPLETE',
    params: {},
    value: 0.5,
    duration: 2.5,
    run_id: 'trial-run-0',
    last_step: 3,
    worker: 'host:1:0',
    ...patch
  };
}

/**
 * A running sweep over `lr` (loguniform 1e-4 to 1e-1), `hidden` (choice 32,
 * 64, 128) and `dropout` (uniform 0 to 0.5), maximizing `val/accuracy`.
 */
export function sweepDetail(patch: Partial<SweepDetail> = {}): SweepDetail {
  return {
    run_id: 'sweep-0',
    study: 'xp-sweep-0',
    storage: 'sqlite:////xp/sweeps.db',
    objective: 'val/accuracy',
    direction: 'maximize',
    sampler: 'tpe',
    pruner: 'hyperband',
    seed: 0,
    source_run_id: 'run-0',
    notebook: 'train.ipynb',
    order: 'recorded',
    code_sha256: 'c'.repeat(64),
    trials_target: 4,
    space: [
      { name: 'lr', kind: 'loguniform', low: 1e-4, high: 1e-1, choices: [] },
      {
        name: 'hidden',
        kind: 'choice',
        low: null,
        high: null,
        choices: [32, 64, 128]
      },
      { name: 'dropout', kind: 'uniform', low: 0, high: 0.5, choices: [] }
    ],
    trials: [],
    counts: {},
    best: null,
    runner_up: null,
    series: [],
    importance: {},
    stopped: null,
    state: 'running',
    ...patch
  };
}
