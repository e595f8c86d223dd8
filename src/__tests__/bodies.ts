// Response bodies for the unit tests' fake server, shaped by the generated API types.
import type {
  PlanCode,
  PromotePlan,
  Promotion,
  RunDetail,
  RunList,
  RunSummary
} from '../api/types';

/** A finished run with the given fields. */
export function summary(patch: Partial<RunSummary> = {}): RunSummary {
  return {
    archived: false,
    cells: 3,
    died_in_cell: null,
    duration: 1.5,
    end_time: 1_700_000_001_500,
    errors: 0,
    experiment: 'Default',
    experiment_id: '0',
    kind: 'notebook',
    metrics: {},
    name: null,
    notebook: null,
    run_id: 'run-0',
    seed: '0',
    start_time: 1_700_000_000_000,
    status: 'FINISHED',
    ...patch
  };
}

/** A page of `GET runs`. */
export function page(
  runs: RunSummary[],
  nextPageToken: string | null = null
): RunList {
  return { runs, next_page_token: nextPageToken };
}

/** Runs `run-<from>` to `run-<to - 1>`. */
export function numbered(from: number, to: number): RunSummary[] {
  return Array.from({ length: to - from }, (_, i) =>
    summary({ run_id: `run-${from + i}`, name: `run ${from + i}` })
  );
}

/** The detail of a run (`GET runs/{id}`). */
export function detail(patch: Partial<RunDetail> = {}): RunDetail {
  return {
    ...summary(),
    cells_journal: [],
    environment: null,
    git: null,
    hardware: null,
    note: null,
    order: null,
    params: {},
    promoted_runs: [],
    seeds: null,
    source_run_id: null,
    tags: {},
    verification: null,
    ...patch
  };
}

/** A promotion job (`GET promotions/{id}`). */
export function promotion(patch: Partial<Promotion> = {}): Promotion {
  return {
    bundle: null,
    cells_done: 0,
    cells_total: 4,
    created: 1_700_000_000,
    current_cell: null,
    error: null,
    finished: null,
    id: 'p1',
    name: 'promo',
    notebook: null,
    order: 'recorded',
    params: {},
    runs: [],
    seeds: [0],
    source_run_id: 'run-0',
    state: 'running',
    verdict: null,
    ...patch
  };
}

/** The Promote plan of recorded run `abc` (`GET promote-plan`): two parameters, two orders. */
export function plan(patch: Partial<PromotePlan> = {}): PromotePlan {
  const code = (sha: string, source: string): PlanCode => ({
    cells: [
      {
        label: 'seq 1 (cell c1)',
        source,
        parameters: true,
        omitted_chars: 0,
        hidden_chars: 0
      }
    ],
    total_cells: 1,
    omitted_cells: 0,
    sha256: sha.repeat(64)
  });
  return {
    cells: { recorded: 1, notebook: 1 },
    code: {
      recorded: code('a', 'lr = 0.1\nwidth = 32'),
      notebook: code('b', 'lr = 0.1\nwidth = 32\n')
    },
    default_order: 'recorded',
    name: 'promo',
    notebook: '/home/me/promo.ipynb',
    notes: [],
    order_verdict: { linear: true, reasons: [] },
    orders: ['recorded', 'notebook'],
    params: { lr: 0.1, width: 32 },
    provenance: {
      code_from: 'journal',
      experiment: 'promo',
      host: 'box',
      notebook: '/home/me/promo.ipynb',
      recorded: 1_700_000_000_000,
      run_id: 'abc',
      user: 'me'
    },
    run_id: 'abc',
    seed: 3,
    ...patch
  };
}
