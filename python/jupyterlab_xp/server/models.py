"""Request and response bodies of the REST API, as pydantic models.

These are the single source of the API's shapes: ``python -m jupyterlab_xp.server.schema``
writes their JSON schema, from which ``src/api/types.ts`` is generated (and CI fails when it is
stale).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from jupyterlab_xp.promote.orders import PromoteOrder
from jupyterlab_xp.server.api_model import ApiModel
from jupyterlab_xp.server.checkpoint_models import CheckpointEntry
from jupyterlab_xp.server.curve_models import CompareCurves
from jupyterlab_xp.server.env_models import PromoteEnvironment
from jupyterlab_xp.server.paired_models import PairedTest
from jupyterlab_xp.server.plan_models import PlanCode, PlanEnvironment, Provenance
from jupyterlab_xp.server.run_edit_models import RunPatch
from jupyterlab_xp.server.sweep_models import SWEEP_MODELS
from jupyterlab_xp.server.verify_models import (
    CellVerdict,
    Failure,
    OrderRepair,
    PythonVersions,
    ShimUse,
)

RunStatus = Literal["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]


class ErrorBody(ApiModel):
    """Every error answer: one line that says what went wrong."""

    message: str


class ConfigBody(ApiModel):
    """``GET config``."""

    store: str = Field(description="tracking URI, credentials removed")
    embedded: bool = Field(description="true for the default SQLite store in the xp home")
    home: str = Field(description="the xp home folder (journals, run state)")
    version: str = Field(description="jupyterlab-xp's version")
    mlflow_version: str = Field(description="the MLflow client library's version")


class RunSummary(ApiModel):
    """One run in a list."""

    run_id: str
    name: str | None
    experiment_id: str
    experiment: str
    status: RunStatus
    kind: str | None
    start_time: int | None = Field(description="ms since the epoch")
    end_time: int | None
    duration: float | None = Field(description="seconds")
    seed: str | None
    cells: int
    errors: int
    notebook: str | None
    died_in_cell: str | None
    metrics: dict[str, float]
    archived: bool = Field(description="archived: MLflow's lifecycle stage 'deleted'")
    # Store content is untrusted: a field that did not parse is shown empty and named here.
    # Optional so that bodies made before the field (clients' fixtures) stay valid.
    unreadable: dict[str, str] = Field(
        default_factory=dict,
        description="fields of this run that could not be read from the store, and why "
        '(e.g. {"cells": "tag xp.cells is not a count"}); they are shown empty',
    )
    params: dict[str, str] | None = Field(
        None, description="in a list: only the params asked for (params=a,b), else null"
    )


class RunList(ApiModel):
    """``GET runs``: a page of runs."""

    runs: list[RunSummary]
    next_page_token: str | None = Field(description="pass as page_token for the next page")
    param_keys: list[str] | None = Field(
        None, description="with params=...: every param key the page's runs hold, sorted"
    )


class CellExecution(ApiModel):
    """One entry of the cell journal (``xp/cells.jsonl``)."""

    seq: int
    execution_count: int | None
    cell_id: str | None
    source: str
    sha256: str | None
    start: float
    duration: float | None
    status: Literal["ok", "error", "died", "running"]
    error_name: str | None
    error_value: str | None
    peak_rss_mb: float | None
    loader_wait: float | None = Field(
        None, description="seconds in next() on torch DataLoader iterators (None: not recorded)"
    )
    busy: float | None = Field(
        None,
        description="seconds the kernel thread was on a CPU or waiting for one "
        "(None: not recorded, or not Linux)",
    )
    gpu_utilization_percent: float | None = Field(
        None, description="the busiest GPU's mean utilisation over the cell (None: no GPU reading)"
    )
    gpu_memory_share: float | None = Field(
        None, description="the fullest GPU's peak memory over the cell, 0 to 1 (None: no reading)"
    )
    gpu_memory_busy_percent: float | None = Field(
        None,
        description="the busiest GPU's mean memory-bandwidth use over the cell, percent of the "
        "time its memory was read or written (None: no GPU reading)",
    )
    swap_in_mb_per_s: float | None = Field(
        None, description="the machine's swap-in rate over the cell, MiB/s (None: no reading)"
    )
    verdict: Literal["data-bound", "compute-bound", "memory-bound", "idle"] | None = Field(
        None, description="where the cell's time went (None: under 1 s, or not judged)"
    )
    verdict_because: str | None = Field(None, description="the figure that decided the verdict")


class ProfileOperator(ApiModel):
    """One of a profiled cell's top operators (times in microseconds)."""

    name: str = Field(description="the operator, as torch.profiler names it (aten::mm)")
    self_cpu_us: float = Field(description="CPU time in the operator itself, not its callees")
    calls: int
    self_cuda_us: float | None = Field(None, description="its own CUDA time (None: CPU only)")


class CellProfile(ApiModel):
    """A cell run under ``%xp profile`` (``xp/profiles.json``)."""

    cell: int = Field(description="the cell's seq in the cell journal")
    steps: int | None = Field(description="profiled only its first N DataLoader batches")
    cuda: bool
    trace: str | None = Field(description="its Chrome/Perfetto trace, under the run's xp/")
    operators: list[ProfileOperator] = Field(description="the top operators by self CPU time")


class TimeVerdict(ApiModel):
    """Where a run's time went: the verdict that holds for most of its judged cells' time."""

    verdict: Literal["data-bound", "compute-bound", "memory-bound", "idle"]
    share: float = Field(description="its share of the judged cells' time, 0 to 1")
    seconds: dict[str, float] = Field(description="the judged cells' seconds by verdict")


class RedactionPlace(ApiModel):
    """One place where values were replaced by ``<redacted>`` on their way to the store."""

    where: str = Field(
        description='what held them: "cell 3", "notebook cell 4", "note 1", "param api_key", '
        '"tag k", "environment", "git diff", "before start, In [2]"'
    )
    field: str = Field(
        description='which part: "source", "error", "outputs", "text", "value", "name", a JSON '
        "path or the file of a diff"
    )
    count: int = Field(description="values redacted there")
    kinds: list[str] = Field(description="what recognised them (a detect-secrets plugin or ours)")
    names: list[str] = Field(description="the names they were assigned to, where known")


class Redactions(ApiModel):
    """What the one redaction step replaced in this run's store copy (the journal is exact)."""

    count: int = Field(description="values redacted (tag xp.redactions)")
    places: list[RedactionPlace] = Field(description="where (xp/redactions.json, at the end)")


class DatasetGitRevision(ApiModel):
    """The git revision of a dataset's DVC pointer file."""

    commit: str | None = Field(description="the last commit that changed the pointer file")
    status: str | None = Field(description="committed, modified, untracked, ignored or missing")
    error: str | None = None


class DatasetDvc(ApiModel):
    """What the DVC pointer tracking a dataset says (its ``.dvc`` file or ``dvc.lock`` stage)."""

    pointer: str | None = Field(
        description="the .dvc, dvc.lock or dvc.yaml file, from the DVC root"
    )
    stage: str | None = Field(description="the pipeline stage whose output it is")
    out: str | None = Field(description="the tracked output's path, as the pointer names it")
    hash: str | None = Field(description="the output's md5 (a folder's ends in .dir) or etag")
    hash_name: str | None
    size: int | None
    nfiles: int | None
    remote: str | None = Field(description="the DVC remote's name")
    remote_url: str | None = Field(description="its URL, without user, password or secrets")
    git: DatasetGitRevision | None
    note: str | None = Field(
        None, description="a dvc.yaml stage's output with no dvc.lock entry: not locked: no hash"
    )
    error: str | None = None


class DatasetHub(ApiModel):
    """A Hugging Face ``datasets`` object the run declared."""

    repo: str | None = Field(description="the Hub repository it was loaded from")
    revision: str | None = Field(description="the Hub commit its files were read at")
    pinned: bool | None = Field(
        description="whether load_dataset was given that commit (None: the call was not seen)"
    )
    config_name: str | None
    dataset_name: str | None
    splits: dict[str, int] = Field(description="rows per split")
    fingerprints: dict[str, str] = Field(description="datasets' fingerprint per split")


class DatasetCard(ApiModel):
    """The data card found beside a dataset (or one folder up)."""

    path: str
    kind: str = Field(
        description="data_card (data_card.md), dataset_readme, croissant, or hub_readme (a Hub "
        "dataset's README.md in the local hub cache)"
    )
    sha256: str | None
    bytes: int | None
    license: str | None = Field(None, description="the license its header or Croissant names")


class DatasetEntry(ApiModel):
    """A dataset the run declared (``xp.dataset``): one MLflow dataset input and its provenance."""

    name: str
    digest: str = Field(description="MLflow's digest: the first 36 characters of the checksum")
    context: str | None = Field(description="training, evaluation, ...")
    source_type: str
    uri: str | None = Field(description="where the data was read, as a file:// URI")
    sha256: str | None = Field(description="the content checksum of the file or folder")
    dvc: DatasetDvc | None = Field(description="its DVC pointer, when DVC tracks it")
    hf: DatasetHub | None = Field(None, description="a Hugging Face datasets object's record")
    card: DatasetCard | None = Field(None, description="its data card, when one was found")
    card_note: str | None = Field(
        None, description="why there is no card when one may exist: not in the local cache"
    )
    card_checked: bool = Field(
        False, description="a card was looked for (False: a run recorded before cards were)"
    )


class RunDetail(RunSummary):
    """``GET runs/{id}``: everything recorded for one run."""

    params: dict[str, str]
    tags: dict[str, str]
    note: str | None
    seeds: dict[str, Any] | None
    environment: dict[str, Any] | None
    hardware: dict[str, Any] | None
    git: dict[str, Any] | None
    order: dict[str, Any] | None = Field(
        description="the order verdict (xp/order.json): linear, reasons and the cells behind them"
    )
    cells_journal: list[CellExecution]
    source_run_id: str | None = Field(description="for a promoted run: the run it reproduces")
    verification: Verification | None = Field(
        description="for a promoted run: did it reproduce its source (xp/verify.json)"
    )
    promoted_runs: list[str] = Field(description="for a source run: runs promoted from it")
    # Values replaced by <redacted> on their way to the store, and where. The server always
    # sends it; optional so that bodies made before the field (clients' fixtures) stay valid.
    redactions: Redactions | None = None
    sync_refused: int = Field(0, description="records the store refused (tag xp.sync.refused)")
    artifacts_error: str | None = Field(
        None,
        description="the run's recorded files (xp/...) could not be read: the artifact store's "
        "error; the sections they fill are unknown, not empty",
    )
    checkpoints: list[CheckpointEntry] = Field(
        default_factory=list, description="xp.checkpoint's checkpoints (xp/checkpoints.json)"
    )
    profiles: list[CellProfile] = Field(
        default_factory=list, description="%xp profile's cells and their top operators"
    )
    time_verdict: TimeVerdict | None = Field(
        None, description="where the run's time went (None: no cell of 1 s or more was judged)"
    )
    datasets: list[DatasetEntry] = Field(
        default_factory=list, description="xp.dataset's datasets, as MLflow dataset inputs"
    )


class MetricPoint(ApiModel):
    """One logged value of a metric."""

    step: int
    value: float
    timestamp: int


class MetricHistory(ApiModel):
    """``GET runs/{id}/metrics/{key}``."""

    run_id: str
    key: str
    points: list[MetricPoint]


class ValueRow(ApiModel):
    """One compared field: its value in each run (in the order of ``CompareBody.runs``)."""

    key: str
    values: list[str | None]
    differs: bool


class MetricRow(ApiModel):
    """A metric's latest value in each run."""

    key: str
    values: list[float | None]
    differs: bool


class PackageRow(ApiModel):
    """A package whose presence or version differs between the first run and another."""

    name: str
    versions: list[str | None]
    change: Literal["added", "removed", "changed", "same"]


class CellDiff(ApiModel):
    """Executed code that differs: a unified diff of each run's cell journal against the first."""

    run_id: str
    diff: str
    identical: bool


class MetricStats(ApiModel):
    """A metric over the runs of one seed group (NaN and infinite values left out)."""

    key: str
    n: int = Field(description="runs with a finite value")
    non_finite: int = Field(description="runs whose value is NaN or infinite (left out)")
    mean: float | None
    std: float | None = Field(description="sample standard deviation (n - 1); null for n < 2")
    ci_low: float | None = Field(description="95% interval of the mean; null for n < 2")
    ci_high: float | None
    interval: Literal["t", "none"] = Field(
        description="t: Student's t at every n >= 2 (it covers; BCa did not); none: n < 2"
    )
    tested: bool = Field(description="false for system/* metrics: shown, never tested")


class SeedGroup(ApiModel):
    """Runs with the same params except the seed."""

    label: str
    run_ids: list[str]
    params: dict[str, str]
    metrics: list[MetricStats]
    warning: str | None = Field(description="set below 5 seeds: what they cannot tell")


Decision = Literal["distinguishable", "not distinguishable", "no decision"]


class GroupTest(ApiModel):
    """Whether two seed groups differ on a metric by more than seed noise."""

    key: str
    group_a: str
    group_b: str
    n_a: int
    n_b: int
    mean_difference: float | None = Field(
        description="mean of group_b minus mean of group_a; null when it overflows"
    )
    cohens_d: float | None = Field(description="mean difference / pooled SD; null if SD is 0")
    hedges_g: float | None = Field(description="Cohen's d with Hedges' small-sample correction")
    effect_ci_low: float | None = Field(
        description="95% interval of the standardised difference (noncentral t)"
    )
    effect_ci_high: float | None
    welch_t: float | None = Field(description="null when neither group varies")
    welch_df: float | None
    welch_p: float | None = Field(description="null when neither group varies")
    welch_p_adjusted: float | None
    permutation_p: float | None = Field(description="exact, ties counted (2 · min tail)")
    permutation_p_adjusted: float | None
    permutation_exact: bool = Field(description="every split enumerated")
    p_value: float = Field(description="the larger of the permutation and Welch p: decides")
    p_adjusted: float = Field(description="p_value adjusted over the whole family")
    smallest_p: float = Field(description="the smallest p any split of these values gives")
    no_spread: bool = Field(description="neither group varies (at the data's resolution)")
    identical: bool = Field(description="every run has the same value")
    pooled_sd: float | None = Field(
        description="pooled SD of the runs, in the metric's units; null when it overflows"
    )
    decision: Decision
    reason: str = Field(description="why this decision, in words")
    detectable_difference: float | None = Field(
        description="not distinguishable: the difference these seeds detect 80% of the time"
    )
    distinguishable: bool = Field(description="decision == distinguishable")
    warning: str | None = Field(description="set below 5 seeds a side")


class LeftOut(ApiModel):
    """A metric not tested between two groups, and why."""

    key: str
    group_a: str
    group_b: str
    reason: str


class CompareBody(ApiModel):
    """``GET compare?ids=...[&correction=holm|bh]``: the differences between runs."""

    runs: list[RunSummary]
    params: list[ValueRow]
    metrics: list[MetricRow]
    packages: list[PackageRow]
    hardware: list[ValueRow]
    git: list[ValueRow]
    environment: list[ValueRow]
    cells: list[CellDiff]
    seed_groups: list[SeedGroup]
    group_tests: list[GroupTest]
    correction: Literal["holm", "bh"] = Field(
        description="how p-values are adjusted over all group tests"
    )
    alpha: float = Field(description="distinguishable: adjusted p below this")
    untested_metrics: list[str] = Field(
        description="system/* metrics: shown in the groups, never tested"
    )
    paired_tests: list[PairedTest] = Field(
        default_factory=list, description="runs with predictions on the same ids, per example"
    )
    paired_notes: list[str] = Field(
        default_factory=list, description="why a pair with predictions was not tested"
    )
    left_out: list[LeftOut] = Field(
        default_factory=list, description="metrics not tested between two groups, and why"
    )
    family_size: int = Field(
        default=0, description="p-values adjusted together: group tests and paired tests"
    )


PromotionState = Literal["queued", "running", "finished", "failed", "cancelled"]
VerdictName = Literal["exact", "within-tolerance", "random", "differs", "no-metrics"]


class PromoteRequest(ApiModel):
    """``POST promotions``: promote a recorded run, or a notebook under the server root."""

    run_id: str | None = Field(default=None, description="the source run (or give notebook)")
    notebook: str | None = Field(
        default=None, description="a .ipynb path relative to the server root (or give run_id)"
    )
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="parameter overrides: parameters-cell names, or keys of the recorded config "
        "(model.lr), to literal values",
    )
    seeds: list[int] = Field(
        default_factory=list, description="one run per seed; empty means the source's seed"
    )
    order: PromoteOrder | None = Field(
        default=None, description="default: recorded for a run, auto for a notebook"
    )
    cell_timeout: float | None = Field(default=None, description="seconds per cell (600)")
    tolerance: float | None = Field(
        default=None, description="relative tolerance for 'within tolerance' (1e-6)"
    )
    code_sha256: str | None = Field(
        default=None, pattern="^[0-9a-f]{64}$", description="the plan's code.sha256 you saw"
    )
    env: Literal["today", "recorded"] | None = Field(None, description="recorded: the run's lock")
    with_: list[str] = Field([], alias="with", max_length=50, description="pins: 'pkg<3.8'")


class PromotePlan(ApiModel):
    """``GET promote-plan?run_id=...|notebook=...``: what the Promote dialog pre-fills."""

    run_id: str | None
    notebook: str | None
    name: str = Field(description="the bundle name the server will use")
    params: dict[str, Any] = Field(description="the source's parameters, typed")
    seed: int | None = Field(description="the source run's root seed")
    orders: list[PromoteOrder] = Field(description="the orders this source supports")
    default_order: PromoteOrder
    cells: dict[str, int] = Field(description="code cells to run, per order")
    order_verdict: dict[str, Any] | None = Field(
        description="linear and reasons (xp/order.json) when the source is a recorded run"
    )
    code: dict[str, PlanCode] = Field(description="the code each order runs, as text")
    recorded_env: PlanEnvironment | None = Field(
        None, description="env recorded: the pins it would install; null without a lock"
    )
    provenance: Provenance
    notes: list[str] = Field(description="values read from the store and not used, and why")


class MetricDiff(ApiModel):
    """One metric of the source run next to the promoted run's."""

    key: str
    source: float | None
    promoted: float | None
    abs_diff: float | None
    rel_diff: float | None


class OutputCheck(ApiModel):
    """Stored text outputs of the source notebook against the executed notebook's."""

    compared: int
    matched: int
    mismatched: list[str] = Field(description="labels of cells whose outputs differ")
    classes: dict[str, int] = Field(
        default_factory=dict, description="how many cells fell in each class (no zeros)"
    )
    verified: bool | None = Field(
        None, description="every compared cell identical, same values or within tolerance"
    )
    cells: list[CellVerdict] = Field(default_factory=list, description="one verdict per cell")


class Verification(ApiModel):
    """Did the promoted run reproduce its source?"""

    verdict: VerdictName
    tolerance: float
    metrics_compared: int
    largest: list[MetricDiff] = Field(description="the largest differences first")
    outputs: OutputCheck | None
    order: OrderRepair | None = Field(None, description="the order the promotion used")
    python: PythonVersions | None = None
    environment: PromoteEnvironment | None = Field(None, description="where the kernel ran")
    shims: list[ShimUse] = Field(
        default_factory=list, description="compatibility shims the run used, each cell's"
    )


class PromotedRun(ApiModel):
    """One run of a promotion (one per seed)."""

    seed: int
    run_id: str | None
    status: RunStatus | None
    executed_notebook: str | None
    error: str | None = Field(description="the failing cell and its error, when it failed")
    verification: Verification | None
    failure: Failure | None = Field(None, description="the failing line and what to try")
    shims: list[ShimUse] = Field(
        default_factory=list, description="compatibility shims the run used, each cell's"
    )


class Promotion(ApiModel):
    """A promotion job: its progress, runs, bundle and verdict."""

    id: str
    state: PromotionState
    source_run_id: str | None
    notebook: str | None
    name: str
    order: PromoteOrder
    params: dict[str, Any]
    seeds: list[int]
    cells_done: int
    cells_total: int
    current_cell: str | None = Field(description="the cell running now (first line)")
    runs: list[PromotedRun]
    verdict: VerdictName | None = Field(description="the verdict of the source-seed run")
    order_repair: OrderRepair | None = Field(
        None, description="for order auto: the cells moved, included and left out, and why"
    )
    environment: PromoteEnvironment | None = Field(None, description="--env / --with")
    error: str | None
    bundle: str | None = Field(description="the bundle folder, when written")
    created: float
    finished: float | None


class PromotionList(ApiModel):
    """``GET promotions[?run_id=...]``: promotions, newest first."""

    promotions: list[Promotion]


class GateSide(ApiModel):
    """One side of a gate: the selection as given and the runs it found."""

    selection: str
    run_ids: list[str]
    seeds: list[str | None]
    params: dict[str, str] = Field(description="the side's params but the seeds")


class GateMetric(ApiModel):
    """One gated metric: both sides, the calibrated test, the decision and why."""

    metric: str
    direction: Literal["maximize", "minimize"]
    n_baseline: int
    n_candidate: int
    missing: int = Field(description="runs without a finite value of the metric")
    mean_baseline: float | None
    mean_candidate: float | None
    difference: float | None = Field(description="candidate mean - baseline mean")
    improvement: float | None = Field(description="the difference, positive when better")
    p_value: float | None
    p_adjusted: float | None
    detectable_difference: float | None = Field(
        description="not distinguishable: the difference these seeds detect 80% of the time"
    )
    decision: Literal["pass", "fail", "inconclusive"]
    why: str


class GateBody(ApiModel):
    """``GET gate?baseline=SEL&candidate=SEL&metric=M``: pass, fail or inconclusive."""

    decision: Literal["pass", "fail", "inconclusive"]
    exit_code: int = Field(
        description="jupyter xp gate's exit code: 0 pass, 1 fail, 2 inconclusive"
    )
    correction: Literal["holm", "bh"]
    alpha: float
    min_effect: float
    require_better: bool
    baseline: GateSide
    candidate: GateSide
    metrics: list[GateMetric]
    reasons: list[str] = Field(description="why the two sides cannot be gated at all")
    warnings: list[str]


class ModelVersionRow(ApiModel):
    """A registered model version made from a run (MLflow's registry)."""

    name: str
    version: str
    aliases: list[str]


class RunModels(ApiModel):
    """``GET runs/{id}/models``: the model versions registered from a run (run → versions)."""

    run_id: str
    versions: list[ModelVersionRow]
    unreadable: list[str] = Field(description="versions left out: what in them did not parse")


class ModelLineage(ApiModel):
    """``GET models/{name}/{version}``: a version with its lineage (version → run, data, code,
    environment), read through the parsing boundary."""

    name: str
    version: str
    aliases: list[str]
    run_id: str | None = Field(description="the run the version was made from")
    source: str | None = Field(description="the artifact URI the version points at")
    lineage: dict[str, str] = Field(
        description="its xp.lineage.* tags without the prefix (notebook, cells_sha256, "
        "git_commit, datasets, params, lock_sha256, verdict, checkpoint...), as text"
    )
    unreadable: list[str] = Field(description="fields left out: what in them did not parse")


API_MODELS: tuple[type[BaseModel], ...] = (
    ErrorBody,
    ConfigBody,
    RunSummary,
    RunList,
    RunPatch,
    CellExecution,
    RunDetail,
    MetricPoint,
    MetricHistory,
    ValueRow,
    MetricRow,
    PackageRow,
    CellDiff,
    MetricStats,
    SeedGroup,
    GroupTest,
    LeftOut,
    CompareBody,
    CompareCurves,
    GateSide,
    GateMetric,
    GateBody,
    ModelVersionRow,
    RunModels,
    ModelLineage,
    PromoteRequest,
    PromotePlan,
    MetricDiff,
    OutputCheck,
    CellVerdict,
    Verification,
    PromotedRun,
    Promotion,
    PromotionList,
    *SWEEP_MODELS,
)
