/* Generated from python/jupyterlab_xp/server/models.py by 'jlpm build:types': do not edit. */

/**
 * jupyterlab-xp REST API bodies (from python/jupyterlab_xp/server/models.py)
 */
export interface XpApi {
  BandPoint?: BandPoint;
  CellDiff?: CellDiff;
  CellExecution?: CellExecution;
  CellProfile?: CellProfile;
  CellVerdict?: CellVerdict;
  CheckpointEntry?: CheckpointEntry;
  CompareBody?: CompareBody;
  CompareCurves?: CompareCurves;
  ConfigBody?: ConfigBody;
  DatasetCard?: DatasetCard;
  DatasetDvc?: DatasetDvc;
  DatasetEntry?: DatasetEntry;
  DatasetGitRevision?: DatasetGitRevision;
  DatasetHub?: DatasetHub;
  ErrorBody?: ErrorBody;
  Failure?: Failure;
  FirstDifference?: FirstDifference;
  GateBody?: GateBody;
  GateMetric?: GateMetric;
  GateSide?: GateSide;
  GroupCurve?: GroupCurve;
  GroupTest?: GroupTest;
  LeftOut?: LeftOut;
  LockDiff?: LockDiff;
  MetricDiff?: MetricDiff;
  MetricHistory?: MetricHistory;
  MetricPoint?: MetricPoint;
  MetricRow?: MetricRow;
  MetricStats?: MetricStats;
  ModelLineage?: ModelLineage;
  ModelVersionRow?: ModelVersionRow;
  OrderRepair?: OrderRepair;
  OutputCheck?: OutputCheck;
  PackageRow?: PackageRow;
  PairedTest?: PairedTest;
  PlanCell?: PlanCell;
  PlanCode?: PlanCode;
  PlanEnvironment?: PlanEnvironment;
  ProfileOperator?: ProfileOperator;
  PromoteEnvironment?: PromoteEnvironment;
  PromotePlan?: PromotePlan;
  PromoteRequest?: PromoteRequest;
  PromotedRun?: PromotedRun;
  Promotion?: Promotion;
  PromotionList?: PromotionList;
  Provenance?: Provenance;
  PythonVersions?: PythonVersions;
  RedactionPlace?: RedactionPlace;
  Redactions?: Redactions;
  Removal?: Removal;
  RunCurve?: RunCurve;
  RunDetail?: RunDetail;
  RunList?: RunList;
  RunModels?: RunModels;
  RunPatch?: RunPatch;
  RunSummary?: RunSummary;
  SeedGroup?: SeedGroup;
  ShimUse?: ShimUse;
  StepValue?: StepValue;
  SweepDetail?: SweepDetail;
  SweepDimension?: SweepDimension;
  SweepList?: SweepList;
  SweepPoint?: SweepPoint;
  SweepRequest?: SweepRequest;
  SweepSummary?: SweepSummary;
  SweepTrial?: SweepTrial;
  TimeVerdict?: TimeVerdict;
  ValueRow?: ValueRow;
  Verification?: Verification;
}
/**
 * A seed group's curve at one step, over the runs that logged that step.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "BandPoint".
 */
export interface BandPoint {
  ci_high: number | null;
  /**
   * Student's t interval of the mean; null for n < 2
   */
  ci_low: number | null;
  mean: number;
  /**
   * runs with a finite value at this step
   */
  n: number;
  /**
   * sample standard deviation (n - 1); null for n < 2
   */
  std: number | null;
  step: number;
}
/**
 * Executed code that differs: a unified diff of each run's cell journal against the first.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "CellDiff".
 */
export interface CellDiff {
  diff: string;
  identical: boolean;
  run_id: string;
}
/**
 * One entry of the cell journal (``xp/cells.jsonl``).
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "CellExecution".
 */
export interface CellExecution {
  /**
   * seconds the kernel thread was on a CPU or waiting for one (None: not recorded, or not Linux)
   */
  busy?: number | null;
  cell_id: string | null;
  duration: number | null;
  error_name: string | null;
  error_value: string | null;
  execution_count: number | null;
  /**
   * the busiest GPU's mean memory-bandwidth use over the cell, percent of the time its memory was read or written (None: no GPU reading)
   */
  gpu_memory_busy_percent?: number | null;
  /**
   * the fullest GPU's peak memory over the cell, 0 to 1 (None: no reading)
   */
  gpu_memory_share?: number | null;
  /**
   * the busiest GPU's mean utilisation over the cell (None: no GPU reading)
   */
  gpu_utilization_percent?: number | null;
  /**
   * seconds in next() on torch DataLoader iterators (None: not recorded)
   */
  loader_wait?: number | null;
  peak_rss_mb: number | null;
  seq: number;
  sha256: string | null;
  source: string;
  start: number;
  status: 'ok' | 'error' | 'died' | 'running';
  /**
   * the machine's swap-in rate over the cell, MiB/s (None: no reading)
   */
  swap_in_mb_per_s?: number | null;
  /**
   * where the cell's time went (None: under 1 s, or not judged)
   */
  verdict?: ('data-bound' | 'compute-bound' | 'memory-bound' | 'idle') | null;
  /**
   * the figure that decided the verdict
   */
  verdict_because?: string | null;
}
/**
 * A cell run under ``%xp profile`` (``xp/profiles.json``).
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "CellProfile".
 */
export interface CellProfile {
  /**
   * the cell's seq in the cell journal
   */
  cell: number;
  cuda: boolean;
  /**
   * the top operators by self CPU time
   */
  operators: ProfileOperator[];
  /**
   * profiled only its first N DataLoader batches
   */
  steps: number | null;
  /**
   * its Chrome/Perfetto trace, under the run's xp/
   */
  trace: string | null;
}
/**
 * One of a profiled cell's top operators (times in microseconds).
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "ProfileOperator".
 */
export interface ProfileOperator {
  calls: number;
  /**
   * the operator, as torch.profiler names it (aten::mm)
   */
  name: string;
  /**
   * CPU time in the operator itself, not its callees
   */
  self_cpu_us: number;
  /**
   * its own CUDA time (None: CPU only)
   */
  self_cuda_us?: number | null;
}
/**
 * One source cell's stored outputs against the promoted run's.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "CellVerdict".
 */
export interface CellVerdict {
  /**
   * where it came from: 'cell 3 (In [7])', 'seq 4'
   */
  cell: string;
  class:
    | 'identical'
    | 'same-values'
    | 'within-tolerance'
    | 'environment'
    | 'random'
    | 'differs'
    | 'no-stored-output'
    | 'skipped'
    | 'notebook-export';
  first_difference?: FirstDifference | null;
  /**
   * perceptual-hash similarity of the cell's PNG outputs, 0 to 1
   */
  image_similarity?: number | null;
  /**
   * the cell's first non-empty line
   */
  line: string;
  /**
   * the new text (capped), unless identical
   */
  new?: string | null;
  note?: string | null;
  /**
   * the drift rules that made stored and new agree
   */
  rules?: string[];
  /**
   * the stored text (capped), unless identical
   */
  stored?: string | null;
}
/**
 * The first value that differs: stored and new, side by side.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "FirstDifference".
 */
export interface FirstDifference {
  new: string;
  stored: string;
}
/**
 * One checkpoint of a run (``xp.checkpoint``), as ``xp/checkpoints.json`` lists it.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "CheckpointEntry".
 */
export interface CheckpointEntry {
  name: string;
  /**
   * checkpoints/{name}/{version}/{timestamp} in the run
   */
  path: string;
  /**
   * sha256 of its metadata.json (which checksums every file)
   */
  sha256: string;
  /**
   * bytes, all its files together
   */
  size: number;
  /**
   * the step or epoch it was taken at, if given
   */
  step: number | null;
  timestamp: string;
  /**
   * 1, 2, ... per name in the run
   */
  version: number;
}
/**
 * ``GET compare?ids=...[&correction=holm|bh]``: the differences between runs.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "CompareBody".
 */
export interface CompareBody {
  /**
   * distinguishable: adjusted p below this
   */
  alpha: number;
  cells: CellDiff[];
  /**
   * how p-values are adjusted over all group tests
   */
  correction: 'holm' | 'bh';
  environment: ValueRow[];
  /**
   * p-values adjusted together: group tests and paired tests
   */
  family_size?: number;
  git: ValueRow[];
  group_tests: GroupTest[];
  hardware: ValueRow[];
  /**
   * metrics not tested between two groups, and why
   */
  left_out?: LeftOut[];
  metrics: MetricRow[];
  packages: PackageRow[];
  /**
   * why a pair with predictions was not tested
   */
  paired_notes?: string[];
  /**
   * runs with predictions on the same ids, per example
   */
  paired_tests?: PairedTest[];
  params: ValueRow[];
  runs: RunSummary[];
  seed_groups: SeedGroup[];
  /**
   * system/* metrics: shown in the groups, never tested
   */
  untested_metrics: string[];
}
/**
 * One compared field: its value in each run (in the order of ``CompareBody.runs``).
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "ValueRow".
 */
export interface ValueRow {
  differs: boolean;
  key: string;
  values: (string | null)[];
}
/**
 * Whether two seed groups differ on a metric by more than seed noise.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "GroupTest".
 */
export interface GroupTest {
  /**
   * mean difference / pooled SD; null if SD is 0
   */
  cohens_d: number | null;
  decision: 'distinguishable' | 'not distinguishable' | 'no decision';
  /**
   * not distinguishable: the difference these seeds detect 80% of the time
   */
  detectable_difference: number | null;
  /**
   * decision == distinguishable
   */
  distinguishable: boolean;
  effect_ci_high: number | null;
  /**
   * 95% interval of the standardised difference (noncentral t)
   */
  effect_ci_low: number | null;
  group_a: string;
  group_b: string;
  /**
   * Cohen's d with Hedges' small-sample correction
   */
  hedges_g: number | null;
  /**
   * every run has the same value
   */
  identical: boolean;
  key: string;
  /**
   * mean of group_b minus mean of group_a; null when it overflows
   */
  mean_difference: number | null;
  n_a: number;
  n_b: number;
  /**
   * neither group varies (at the data's resolution)
   */
  no_spread: boolean;
  /**
   * p_value adjusted over the whole family
   */
  p_adjusted: number;
  /**
   * the larger of the permutation and Welch p: decides
   */
  p_value: number;
  /**
   * every split enumerated
   */
  permutation_exact: boolean;
  /**
   * exact, ties counted (2 · min tail)
   */
  permutation_p: number | null;
  permutation_p_adjusted: number | null;
  /**
   * pooled SD of the runs, in the metric's units; null when it overflows
   */
  pooled_sd: number | null;
  /**
   * why this decision, in words
   */
  reason: string;
  /**
   * the smallest p any split of these values gives
   */
  smallest_p: number;
  /**
   * set below 5 seeds a side
   */
  warning: string | null;
  welch_df: number | null;
  /**
   * null when neither group varies
   */
  welch_p: number | null;
  welch_p_adjusted: number | null;
  /**
   * null when neither group varies
   */
  welch_t: number | null;
}
/**
 * A metric not tested between two groups, and why.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "LeftOut".
 */
export interface LeftOut {
  group_a: string;
  group_b: string;
  key: string;
  reason: string;
}
/**
 * A metric's latest value in each run.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "MetricRow".
 */
export interface MetricRow {
  differs: boolean;
  key: string;
  values: (number | null)[];
}
/**
 * A package whose presence or version differs between the first run and another.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "PackageRow".
 */
export interface PackageRow {
  change: 'added' | 'removed' | 'changed' | 'same';
  name: string;
  versions: (string | null)[];
}
/**
 * Two runs (or seed groups) with predictions on the same ids, compared per example.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "PairedTest".
 */
export interface PairedTest {
  /**
   * examples only side a got right
   */
  a_only: number | null;
  /**
   * examples only side b got right
   */
  b_only: number | null;
  ci_high: number | null;
  /**
   * 95% interval of the difference: t over examples (one run a side), or over runs with the examples' variance added (seed groups)
   */
  ci_low: number | null;
  decision: 'distinguishable' | 'not distinguishable' | 'no decision';
  /**
   * not distinguishable: the difference this test detects 80% of the time (over the examples for two runs, over the runs for seed groups)
   */
  detectable_difference: number | null;
  /**
   * value_b - value_a
   */
  difference: number | null;
  /**
   * decision == distinguishable
   */
  distinguishable: boolean;
  effect_ci_high: number | null;
  /**
   * 95% interval of the effect size
   */
  effect_ci_low: number | null;
  /**
   * d_z over examples (one run a side) or Hedges' g over runs (seed groups)
   */
  effect_size: number | null;
  group_a: string;
  group_b: string;
  /**
   * {split}/{metric}: accuracy, or mse and mae for regression
   */
  key: string;
  /**
   * exact binomial (below 25 discordant pairs)
   */
  mcnemar_exact: boolean | null;
  mcnemar_p: number | null;
  /**
   * classifiers, one run a side
   */
  mcnemar_statistic: number | null;
  metric: string;
  /**
   * examples compared (finite on both sides)
   */
  n_examples: number;
  /**
   * examples left out: NaN or infinite on a side
   */
  non_finite: number;
  /**
   * adjusted with the group tests, one family
   */
  p_adjusted: number | null;
  p_value: number | null;
  /**
   * why this decision, in words
   */
  reason: string;
  /**
   * runs on side a (a group's per-example value: their mean)
   */
  runs_a: number;
  runs_b: number;
  split: string;
  /**
   * the test p_value comes from
   */
  test: string;
  /**
   * the metric of side a over the examples
   */
  value_a: number | null;
  value_b: number | null;
  /**
   * what the test cannot tell
   */
  warning: string | null;
}
/**
 * One run in a list.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "RunSummary".
 */
export interface RunSummary {
  /**
   * archived: MLflow's lifecycle stage 'deleted'
   */
  archived: boolean;
  cells: number;
  died_in_cell: string | null;
  /**
   * seconds
   */
  duration: number | null;
  end_time: number | null;
  errors: number;
  experiment: string;
  experiment_id: string;
  kind: string | null;
  metrics: {
    [k: string]: number;
  };
  name: string | null;
  notebook: string | null;
  /**
   * in a list: only the params asked for (params=a,b), else null
   */
  params?: {
    [k: string]: string;
  } | null;
  run_id: string;
  seed: string | null;
  /**
   * ms since the epoch
   */
  start_time: number | null;
  status: 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
  /**
   * fields of this run that could not be read from the store, and why (e.g. {"cells": "tag xp.cells is not a count"}); they are shown empty
   */
  unreadable?: {
    [k: string]: string;
  };
}
/**
 * Runs with the same params except the seed.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "SeedGroup".
 */
export interface SeedGroup {
  label: string;
  metrics: MetricStats[];
  params: {
    [k: string]: string;
  };
  run_ids: string[];
  /**
   * set below 5 seeds: what they cannot tell
   */
  warning: string | null;
}
/**
 * A metric over the runs of one seed group (NaN and infinite values left out).
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "MetricStats".
 */
export interface MetricStats {
  ci_high: number | null;
  /**
   * 95% interval of the mean; null for n < 2
   */
  ci_low: number | null;
  /**
   * t: Student's t at every n >= 2 (it covers; BCa did not); none: n < 2
   */
  interval: 't' | 'none';
  key: string;
  mean: number | null;
  /**
   * runs with a finite value
   */
  n: number;
  /**
   * runs whose value is NaN or infinite (left out)
   */
  non_finite: number;
  /**
   * sample standard deviation (n - 1); null for n < 2
   */
  std: number | null;
  /**
   * false for system/* metrics: shown, never tested
   */
  tested: boolean;
}
/**
 * ``GET compare/curves?ids=...&metric=...``: one metric's curves, per seed group.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "CompareCurves".
 */
export interface CompareCurves {
  /**
   * the level of ci_low/ci_high (0.95)
   */
  confidence: number;
  groups: GroupCurve[];
  key: string;
}
/**
 * A seed group's mean curve with its band, and its runs' own curves.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "GroupCurve".
 */
export interface GroupCurve {
  /**
   * the seed group's label, as in CompareBody.seed_groups
   */
  label: string;
  /**
   * one per step any run of the group logged
   */
  points: BandPoint[];
  run_ids: string[];
  runs: RunCurve[];
}
/**
 * One run's own curve, for "show individual runs".
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "RunCurve".
 */
export interface RunCurve {
  points: StepValue[];
  run_id: string;
}
/**
 * One run's value at one step (its last value there); null for NaN or infinity.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "StepValue".
 */
export interface StepValue {
  step: number;
  value: number | null;
}
/**
 * ``GET config``.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "ConfigBody".
 */
export interface ConfigBody {
  /**
   * true for the default SQLite store in the xp home
   */
  embedded: boolean;
  /**
   * the xp home folder (journals, run state)
   */
  home: string;
  /**
   * the MLflow client library's version
   */
  mlflow_version: string;
  /**
   * tracking URI, credentials removed
   */
  store: string;
  /**
   * jupyterlab-xp's version
   */
  version: string;
}
/**
 * The data card found beside a dataset (or one folder up).
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "DatasetCard".
 */
export interface DatasetCard {
  bytes: number | null;
  /**
   * data_card (data_card.md), dataset_readme, croissant, or hub_readme (a Hub dataset's README.md in the local hub cache)
   */
  kind: string;
  /**
   * the license its header or Croissant names
   */
  license?: string | null;
  path: string;
  sha256: string | null;
}
/**
 * What the DVC pointer tracking a dataset says (its ``.dvc`` file or ``dvc.lock`` stage).
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "DatasetDvc".
 */
export interface DatasetDvc {
  error?: string | null;
  git: DatasetGitRevision | null;
  /**
   * the output's md5 (a folder's ends in .dir) or etag
   */
  hash: string | null;
  hash_name: string | null;
  nfiles: number | null;
  /**
   * a dvc.yaml stage's output with no dvc.lock entry: not locked: no hash
   */
  note?: string | null;
  /**
   * the tracked output's path, as the pointer names it
   */
  out: string | null;
  /**
   * the .dvc, dvc.lock or dvc.yaml file, from the DVC root
   */
  pointer: string | null;
  /**
   * the DVC remote's name
   */
  remote: string | null;
  /**
   * its URL, without user, password or secrets
   */
  remote_url: string | null;
  size: number | null;
  /**
   * the pipeline stage whose output it is
   */
  stage: string | null;
}
/**
 * The git revision of a dataset's DVC pointer file.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "DatasetGitRevision".
 */
export interface DatasetGitRevision {
  /**
   * the last commit that changed the pointer file
   */
  commit: string | null;
  error?: string | null;
  /**
   * committed, modified, untracked, ignored or missing
   */
  status: string | null;
}
/**
 * A dataset the run declared (``xp.dataset``): one MLflow dataset input and its provenance.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "DatasetEntry".
 */
export interface DatasetEntry {
  /**
   * its data card, when one was found
   */
  card?: DatasetCard | null;
  /**
   * a card was looked for (False: a run recorded before cards were)
   */
  card_checked?: boolean;
  /**
   * why there is no card when one may exist: not in the local cache
   */
  card_note?: string | null;
  /**
   * training, evaluation, ...
   */
  context: string | null;
  /**
   * MLflow's digest: the first 36 characters of the checksum
   */
  digest: string;
  /**
   * its DVC pointer, when DVC tracks it
   */
  dvc: DatasetDvc | null;
  /**
   * a Hugging Face datasets object's record
   */
  hf?: DatasetHub | null;
  name: string;
  /**
   * the content checksum of the file or folder
   */
  sha256: string | null;
  source_type: string;
  /**
   * where the data was read, as a file:// URI
   */
  uri: string | null;
}
/**
 * A Hugging Face ``datasets`` object the run declared.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "DatasetHub".
 */
export interface DatasetHub {
  config_name: string | null;
  dataset_name: string | null;
  /**
   * datasets' fingerprint per split
   */
  fingerprints: {
    [k: string]: string;
  };
  /**
   * whether load_dataset was given that commit (None: the call was not seen)
   */
  pinned: boolean | null;
  /**
   * the Hub repository it was loaded from
   */
  repo: string | null;
  /**
   * the Hub commit its files were read at
   */
  revision: string | null;
  /**
   * rows per split
   */
  splits: {
    [k: string]: number;
  };
}
/**
 * Every error answer: one line that says what went wrong.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "ErrorBody".
 */
export interface ErrorBody {
  message: string;
}
/**
 * Why a promoted run failed: the error, the failing line and whose code raised it.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "Failure".
 */
export interface Failure {
  ename: string;
  evalue: string;
  library: string | null;
  /**
   * the notebook line that failed (from the traceback)
   */
  line: string | null;
  line_number: number | null;
  /**
   * a system program the error says is missing
   */
  missing_tool?: string | null;
  /**
   * the cell's number in the source notebook
   */
  position?: number | null;
  raised_in: ('notebook' | 'library') | null;
  removal: Removal | null;
}
/**
 * A known library removal the error matches, and what to try.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "Removal".
 */
export interface Removal {
  installed: string;
  instead: string;
  /**
   * what the stored outputs say about the old versions
   */
  outputs_suggest?: string[];
  package: string;
  removed: string;
  /**
   * a requirement under which the code still works
   */
  try: string;
}
/**
 * ``GET gate?baseline=SEL&candidate=SEL&metric=M``: pass, fail or inconclusive.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "GateBody".
 */
export interface GateBody {
  alpha: number;
  baseline: GateSide;
  candidate: GateSide;
  correction: 'holm' | 'bh';
  decision: 'pass' | 'fail' | 'inconclusive';
  /**
   * jupyter xp gate's exit code: 0 pass, 1 fail, 2 inconclusive
   */
  exit_code: number;
  metrics: GateMetric[];
  min_effect: number;
  /**
   * why the two sides cannot be gated at all
   */
  reasons: string[];
  require_better: boolean;
  warnings: string[];
}
/**
 * One side of a gate: the selection as given and the runs it found.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "GateSide".
 */
export interface GateSide {
  /**
   * the side's params but the seeds
   */
  params: {
    [k: string]: string;
  };
  run_ids: string[];
  seeds: (string | null)[];
  selection: string;
}
/**
 * One gated metric: both sides, the calibrated test, the decision and why.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "GateMetric".
 */
export interface GateMetric {
  decision: 'pass' | 'fail' | 'inconclusive';
  /**
   * not distinguishable: the difference these seeds detect 80% of the time
   */
  detectable_difference: number | null;
  /**
   * candidate mean - baseline mean
   */
  difference: number | null;
  direction: 'maximize' | 'minimize';
  /**
   * the difference, positive when better
   */
  improvement: number | null;
  mean_baseline: number | null;
  mean_candidate: number | null;
  metric: string;
  /**
   * runs without a finite value of the metric
   */
  missing: number;
  n_baseline: number;
  n_candidate: number;
  p_adjusted: number | null;
  p_value: number | null;
  why: string;
}
/**
 * ``--env recorded``: the recorded lock against today's packages.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "LockDiff".
 */
export interface LockDiff {
  /**
   * pins today's environment does not hold exactly
   */
  differed: number;
  /**
   * pins in the recorded lock (the promotion's own left out)
   */
  pins: number;
  /**
   * the recorded run's Python version
   */
  python?: string | null;
}
/**
 * One metric of the source run next to the promoted run's.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "MetricDiff".
 */
export interface MetricDiff {
  abs_diff: number | null;
  key: string;
  promoted: number | null;
  rel_diff: number | null;
  source: number | null;
}
/**
 * ``GET runs/{id}/metrics/{key}``.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "MetricHistory".
 */
export interface MetricHistory {
  key: string;
  points: MetricPoint[];
  run_id: string;
}
/**
 * One logged value of a metric.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "MetricPoint".
 */
export interface MetricPoint {
  step: number;
  timestamp: number;
  value: number;
}
/**
 * ``GET models/{name}/{version}``: a version with its lineage (version → run, data, code,
 * environment), read through the parsing boundary.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "ModelLineage".
 */
export interface ModelLineage {
  aliases: string[];
  /**
   * its xp.lineage.* tags without the prefix (notebook, cells_sha256, git_commit, datasets, params, lock_sha256, verdict, checkpoint...), as text
   */
  lineage: {
    [k: string]: string;
  };
  name: string;
  /**
   * the run the version was made from
   */
  run_id: string | null;
  /**
   * the artifact URI the version points at
   */
  source: string | null;
  /**
   * fields left out: what in them did not parse
   */
  unreadable: string[];
  version: string;
}
/**
 * A registered model version made from a run (MLflow's registry).
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "ModelVersionRow".
 */
export interface ModelVersionRow {
  aliases: string[];
  name: string;
  version: string;
}
/**
 * The order a promotion used; for ``auto``, what was moved, included and left out, and why.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "OrderRepair".
 */
export interface OrderRepair {
  /**
   * papermill runs it took (a repair after a failure)
   */
  attempts?: number;
  /**
   * code cell numbers, in run order
   */
  cells?: number[];
  /**
   * cells not run, and why
   */
  left_out?: string[];
  order: string;
  /**
   * set when saved from several kernel sessions
   */
  sessions?: string | null;
  /**
   * each repair and its reason
   */
  steps?: string[];
}
/**
 * Stored text outputs of the source notebook against the executed notebook's.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "OutputCheck".
 */
export interface OutputCheck {
  /**
   * one verdict per cell
   */
  cells?: CellVerdict[];
  /**
   * how many cells fell in each class (no zeros)
   */
  classes?: {
    [k: string]: number;
  };
  compared: number;
  matched: number;
  /**
   * labels of cells whose outputs differ
   */
  mismatched: string[];
  /**
   * every compared cell identical, same values or within tolerance
   */
  verified?: boolean | null;
}
/**
 * One cell the promotion will run, as plain text.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "PlanCell".
 */
export interface PlanCell {
  /**
   * control or invisible characters shown as escapes
   */
  hidden_chars: number;
  /**
   * where it comes from: "seq 7 (cell abc)", "added by promote"
   */
  label: string;
  /**
   * characters past the cap, not shown
   */
  omitted_chars: number;
  /**
   * the parameters cell papermill injects values after
   */
  parameters: boolean;
  /**
   * its code; hidden characters as escapes; capped
   */
  source: string;
}
/**
 * The cells one order runs, in order (capped), and the digest of all of them.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "PlanCode".
 */
export interface PlanCode {
  cells: PlanCell[];
  /**
   * cells past the cap, not shown
   */
  omitted_cells: number;
  /**
   * names exactly this code: send it as code_sha256
   */
  sha256: string;
  total_cells: number;
}
/**
 * ``env: recorded``: every package pin it would install (all of them), and the digests.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "PlanEnvironment".
 */
export interface PlanEnvironment {
  lock: LockDiff | null;
  /**
   * name==version, each one pip would install (from wheels)
   */
  pins: string[];
  /**
   * per order: the digest of its code and these pins; send it as code_sha256 with env recorded
   */
  sha256: {
    [k: string]: string;
  };
}
/**
 * Where the promotion ran and, for an overlay, what it pinned and how it was built.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "PromoteEnvironment".
 */
export interface PromoteEnvironment {
  build_seconds?: number | null;
  /**
   * when the overlay was built (epoch seconds)
   */
  built?: number | null;
  /**
   * the overlay existed: nothing was installed
   */
  cached?: boolean | null;
  /**
   * pip check's complaints naming an overlay package
   */
  conflicts?: string[];
  /**
   * the overlay's folder in $XP_HOME/envs
   */
  hash?: string | null;
  /**
   * the pip command that built it
   */
  how?: string | null;
  /**
   * the overlay's own packages (name==version)
   */
  installed?: string[];
  /**
   * today: nothing installed; recorded / overlay: pins
   */
  kind: 'today' | 'recorded' | 'overlay';
  lock?: LockDiff | null;
  /**
   * pins installed without their dependencies
   */
  no_deps?: boolean | null;
  path?: string | null;
  /**
   * what the overlay installs
   */
  pins?: string[];
  /**
   * the Python the kernels ran
   */
  python?: string | null;
  /**
   * the --with specs
   */
  with?: string[];
}
/**
 * ``GET promote-plan?run_id=...|notebook=...``: what the Promote dialog pre-fills.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "PromotePlan".
 */
export interface PromotePlan {
  /**
   * code cells to run, per order
   */
  cells: {
    [k: string]: number;
  };
  /**
   * the code each order runs, as text
   */
  code: {
    [k: string]: PlanCode;
  };
  default_order: 'recorded' | 'auto' | 'execution-count' | 'notebook';
  /**
   * the bundle name the server will use
   */
  name: string;
  notebook: string | null;
  /**
   * values read from the store and not used, and why
   */
  notes: string[];
  /**
   * linear and reasons (xp/order.json) when the source is a recorded run
   */
  order_verdict: {
    [k: string]: unknown;
  } | null;
  /**
   * the orders this source supports
   */
  orders: ('recorded' | 'auto' | 'execution-count' | 'notebook')[];
  /**
   * the source's parameters, typed
   */
  params: {
    [k: string]: unknown;
  };
  provenance: Provenance;
  /**
   * env recorded: the pins it would install; null without a lock
   */
  recorded_env?: PlanEnvironment | null;
  run_id: string | null;
  /**
   * the source run's root seed
   */
  seed: number | null;
}
/**
 * Who recorded the source run, where and when, as its tags say (the store is not trusted).
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "Provenance".
 */
export interface Provenance {
  /**
   * journal: this machine's exact journal; store: the store's (redacted) copy
   */
  code_from: 'journal' | 'store' | 'notebook';
  experiment: string | null;
  host: string | null;
  /**
   * the notebook path as recorded (text)
   */
  notebook: string | null;
  /**
   * when the run started, ms since the epoch
   */
  recorded: number | null;
  run_id: string | null;
  user: string | null;
}
/**
 * ``POST promotions``: promote a recorded run, or a notebook under the server root.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "PromoteRequest".
 */
export interface PromoteRequest {
  /**
   * seconds per cell (600)
   */
  cell_timeout?: number | null;
  /**
   * the plan's code.sha256 you saw
   */
  code_sha256?: string | null;
  /**
   * recorded: the run's lock
   */
  env?: ('today' | 'recorded') | null;
  /**
   * a .ipynb path relative to the server root (or give run_id)
   */
  notebook?: string | null;
  /**
   * default: recorded for a run, auto for a notebook
   */
  order?: ('recorded' | 'auto' | 'execution-count' | 'notebook') | null;
  /**
   * parameter overrides: parameters-cell names, or keys of the recorded config (model.lr), to literal values
   */
  params?: {
    [k: string]: unknown;
  };
  /**
   * the source run (or give notebook)
   */
  run_id?: string | null;
  /**
   * one run per seed; empty means the source's seed
   */
  seeds?: number[];
  /**
   * relative tolerance for 'within tolerance' (1e-6)
   */
  tolerance?: number | null;
  /**
   * pins: 'pkg<3.8'
   *
   * @maxItems 50
   */
  with?: string[];
}
/**
 * One run of a promotion (one per seed).
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "PromotedRun".
 */
export interface PromotedRun {
  /**
   * the failing cell and its error, when it failed
   */
  error: string | null;
  executed_notebook: string | null;
  /**
   * the failing line and what to try
   */
  failure?: Failure | null;
  run_id: string | null;
  seed: number;
  /**
   * compatibility shims the run used, each cell's
   */
  shims?: ShimUse[];
  status: ('RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED') | null;
  verification: Verification | null;
}
/**
 * A compatibility shim a promoted run used (promote/shims.py), in one cell.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "ShimUse".
 */
export interface ShimUse {
  /**
   * the execution count of the cell that used it
   */
  cell: number | null;
  /**
   * what it did the first time in this cell
   */
  detail: string;
  /**
   * the shim, e.g. 'matplotlib-seaborn-styles'
   */
  name: string;
  /**
   * how many times in that cell
   */
  uses: number;
  /**
   * the removal or rename it answers, and how
   */
  what: string;
}
/**
 * Did the promoted run reproduce its source?
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "Verification".
 */
export interface Verification {
  /**
   * where the kernel ran
   */
  environment?: PromoteEnvironment | null;
  /**
   * the largest differences first
   */
  largest: MetricDiff[];
  metrics_compared: number;
  /**
   * the order the promotion used
   */
  order?: OrderRepair | null;
  outputs: OutputCheck | null;
  python?: PythonVersions | null;
  /**
   * compatibility shims the run used, each cell's
   */
  shims?: ShimUse[];
  tolerance: number;
  verdict: 'exact' | 'within-tolerance' | 'random' | 'differs' | 'no-metrics';
}
/**
 * The Python of the source run, the one the notebook was saved with, and today's.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "PythonVersions".
 */
export interface PythonVersions {
  recorded: string | null;
  saved_with: string | null;
  today: string;
}
/**
 * A promotion job: its progress, runs, bundle and verdict.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "Promotion".
 */
export interface Promotion {
  /**
   * the bundle folder, when written
   */
  bundle: string | null;
  cells_done: number;
  cells_total: number;
  created: number;
  /**
   * the cell running now (first line)
   */
  current_cell: string | null;
  /**
   * --env / --with
   */
  environment?: PromoteEnvironment | null;
  error: string | null;
  finished: number | null;
  id: string;
  name: string;
  notebook: string | null;
  order: 'recorded' | 'auto' | 'execution-count' | 'notebook';
  /**
   * for order auto: the cells moved, included and left out, and why
   */
  order_repair?: OrderRepair | null;
  params: {
    [k: string]: unknown;
  };
  runs: PromotedRun[];
  seeds: number[];
  source_run_id: string | null;
  state: 'queued' | 'running' | 'finished' | 'failed' | 'cancelled';
  /**
   * the verdict of the source-seed run
   */
  verdict:
    ('exact' | 'within-tolerance' | 'random' | 'differs' | 'no-metrics') | null;
}
/**
 * ``GET promotions[?run_id=...]``: promotions, newest first.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "PromotionList".
 */
export interface PromotionList {
  promotions: Promotion[];
}
/**
 * One place where values were replaced by ``<redacted>`` on their way to the store.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "RedactionPlace".
 */
export interface RedactionPlace {
  /**
   * values redacted there
   */
  count: number;
  /**
   * which part: "source", "error", "outputs", "text", "value", "name", a JSON path or the file of a diff
   */
  field: string;
  /**
   * what recognised them (a detect-secrets plugin or ours)
   */
  kinds: string[];
  /**
   * the names they were assigned to, where known
   */
  names: string[];
  /**
   * what held them: "cell 3", "notebook cell 4", "note 1", "param api_key", "tag k", "environment", "git diff", "before start, In [2]"
   */
  where: string;
}
/**
 * What the one redaction step replaced in this run's store copy (the journal is exact).
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "Redactions".
 */
export interface Redactions {
  /**
   * values redacted (tag xp.redactions)
   */
  count: number;
  /**
   * where (xp/redactions.json, at the end)
   */
  places: RedactionPlace[];
}
/**
 * ``GET runs/{id}``: everything recorded for one run.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "RunDetail".
 */
export interface RunDetail {
  /**
   * archived: MLflow's lifecycle stage 'deleted'
   */
  archived: boolean;
  /**
   * the run's recorded files (xp/...) could not be read: the artifact store's error; the sections they fill are unknown, not empty
   */
  artifacts_error?: string | null;
  cells: number;
  cells_journal: CellExecution[];
  /**
   * xp.checkpoint's checkpoints (xp/checkpoints.json)
   */
  checkpoints?: CheckpointEntry[];
  /**
   * xp.dataset's datasets, as MLflow dataset inputs
   */
  datasets?: DatasetEntry[];
  died_in_cell: string | null;
  /**
   * seconds
   */
  duration: number | null;
  end_time: number | null;
  environment: {
    [k: string]: unknown;
  } | null;
  errors: number;
  experiment: string;
  experiment_id: string;
  git: {
    [k: string]: unknown;
  } | null;
  hardware: {
    [k: string]: unknown;
  } | null;
  kind: string | null;
  metrics: {
    [k: string]: number;
  };
  name: string | null;
  note: string | null;
  notebook: string | null;
  /**
   * the order verdict (xp/order.json): linear, reasons and the cells behind them
   */
  order: {
    [k: string]: unknown;
  } | null;
  params: {
    [k: string]: string;
  };
  /**
   * %xp profile's cells and their top operators
   */
  profiles?: CellProfile[];
  /**
   * for a source run: runs promoted from it
   */
  promoted_runs: string[];
  redactions?: Redactions | null;
  run_id: string;
  seed: string | null;
  seeds: {
    [k: string]: unknown;
  } | null;
  /**
   * for a promoted run: the run it reproduces
   */
  source_run_id: string | null;
  /**
   * ms since the epoch
   */
  start_time: number | null;
  status: 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
  /**
   * records the store refused (tag xp.sync.refused)
   */
  sync_refused?: number;
  tags: {
    [k: string]: string;
  };
  /**
   * where the run's time went (None: no cell of 1 s or more was judged)
   */
  time_verdict?: TimeVerdict | null;
  /**
   * fields of this run that could not be read from the store, and why (e.g. {"cells": "tag xp.cells is not a count"}); they are shown empty
   */
  unreadable?: {
    [k: string]: string;
  };
  /**
   * for a promoted run: did it reproduce its source (xp/verify.json)
   */
  verification: Verification | null;
}
/**
 * Where a run's time went: the verdict that holds for most of its judged cells' time.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "TimeVerdict".
 */
export interface TimeVerdict {
  /**
   * the judged cells' seconds by verdict
   */
  seconds: {
    [k: string]: number;
  };
  /**
   * its share of the judged cells' time, 0 to 1
   */
  share: number;
  verdict: 'data-bound' | 'compute-bound' | 'memory-bound' | 'idle';
}
/**
 * ``GET runs``: a page of runs.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "RunList".
 */
export interface RunList {
  /**
   * pass as page_token for the next page
   */
  next_page_token: string | null;
  /**
   * with params=...: every param key the page's runs hold, sorted
   */
  param_keys?: string[] | null;
  runs: RunSummary[];
}
/**
 * ``GET runs/{id}/models``: the model versions registered from a run (run → versions).
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "RunModels".
 */
export interface RunModels {
  run_id: string;
  /**
   * versions left out: what in them did not parse
   */
  unreadable: string[];
  versions: ModelVersionRow[];
}
/**
 * ``PATCH runs/{id}``: a new name, note (Markdown; "" or null: none), tags (null: delete).
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "RunPatch".
 */
export interface RunPatch {
  name?: string | null;
  note?: string | null;
  /**
   * not xp.* or mlflow.*
   */
  tags?: {
    [k: string]: string | null;
  } | null;
}
/**
 * ``GET sweeps/{id}``: everything the sweep view shows.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "SweepDetail".
 */
export interface SweepDetail {
  best: SweepTrial | null;
  /**
   * the digest of the code every trial runs (checked before each trial)
   */
  code_sha256: string | null;
  /**
   * trials per state
   */
  counts: {
    [k: string]: number;
  };
  direction: 'maximize' | 'minimize';
  /**
   * fANOVA parameter importance (fixed seed); empty below 2 complete trials
   */
  importance: {
    [k: string]: number;
  };
  notebook: string | null;
  objective: string;
  /**
   * the cell order every trial runs
   */
  order: string | null;
  pruner: string;
  run_id: string;
  runner_up: SweepTrial | null;
  sampler: string;
  seed: number;
  series: SweepPoint[];
  source_run_id: string | null;
  space: SweepDimension[];
  state: string | null;
  /**
   * why the sweep stopped, if it did
   */
  stopped: string | null;
  storage: string;
  study: string;
  trials: SweepTrial[];
  trials_target: number;
}
/**
 * One trial: its params, objective, state and run (the panel's table and charts).
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "SweepTrial".
 */
export interface SweepTrial {
  /**
   * seconds
   */
  duration: number | null;
  /**
   * the last step reported (where it was pruned)
   */
  last_step: number | null;
  number: number;
  params: {
    [k: string]: unknown;
  };
  run_id: string | null;
  state: 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAIL' | 'WAITING';
  /**
   * the objective (a pruned trial's last report)
   */
  value: number | null;
  /**
   * host:pid:start of the worker that ran it
   */
  worker: string | null;
}
/**
 * The objective over trials: each complete trial's value and the best so far.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "SweepPoint".
 */
export interface SweepPoint {
  best: number;
  number: number;
  value: number;
}
/**
 * One parameter of the search space.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "SweepDimension".
 */
export interface SweepDimension {
  choices: unknown[];
  high: number | null;
  kind: 'uniform' | 'loguniform' | 'int' | 'choice';
  low: number | null;
  name: string;
}
/**
 * ``GET sweeps``: newest first.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "SweepList".
 */
export interface SweepList {
  sweeps: SweepSummary[];
}
/**
 * A sweep in the list: its parent run's tags (no storage opened).
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "SweepSummary".
 */
export interface SweepSummary {
  best_run: string | null;
  best_trial: string | null;
  best_value: string | null;
  /**
   * why the sweep stopped early
   */
  error: string | null;
  name: string | null;
  /**
   * 'METRIC DIRECTION'
   */
  objective: string | null;
  pruner: string | null;
  run_id: string;
  sampler: string | null;
  source_run_id: string | null;
  space: string | null;
  start_time: number | null;
  /**
   * running | finished | stopped | cancelled
   */
  state: string | null;
  /**
   * the parent run's MLflow status
   */
  status: string;
  /**
   * the Optuna storage, without credentials
   */
  storage: string | null;
  study: string | null;
}
/**
 * ``POST sweeps``: search a recorded run's (or a notebook's) parameters with Optuna.
 *
 * This interface was referenced by `XpApi`'s JSON-Schema
 * via the `definition` "SweepRequest".
 */
export interface SweepRequest {
  cell_timeout?: number | null;
  /**
   * the code you were shown: the promote plan's code[default_order].sha256 (refused when the source's code changed since; every trial runs only this code)
   */
  code_sha256?: string | null;
  direction?: 'maximize' | 'minimize';
  /**
   * a .ipynb path relative to the server root
   */
  notebook?: string | null;
  /**
   * the metric to optimise, e.g. val/loss
   */
  objective: string;
  /**
   * the search space: NAME=uniform:LOW:HIGH | loguniform:LOW:HIGH | int:LOW:HIGH | choice:A,B,... (names from the parameters cell, or keys of the recorded config)
   *
   * @minItems 1
   * @maxItems 200
   */
  params: [string, ...string[]];
  pruner?: 'hyperband' | 'median' | 'none';
  /**
   * the source run
   */
  run_id?: string | null;
  sampler?: 'tpe' | 'random' | 'grid';
  sampler_seed?: number | null;
  /**
   * the seed of every trial (the source's)
   */
  seed?: number | null;
  timeout?: number | null;
  /**
   * trials in all
   */
  trials?: number;
  /**
   * trials at once on the server's machine
   */
  workers?: number | null;
}
