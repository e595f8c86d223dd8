"""Every MLflow tag key, param key and artifact path that jupyterlab-xp writes, in one place.

Readers (the server, the CLI, the panel through the REST API) and writers (the recorder, promote)
import these names rather than spelling strings, so a rename is one edit.
"""

from __future__ import annotations

from typing import Final

# MLflow's server-side limits (mlflow.utils.validation), repeated here so that callers can
# validate without importing MLflow.
MAX_PARAM_VALUE: Final = 6000
MAX_TAG_VALUE: Final = 8000
MAX_KEY: Final = 250
RUN_STATUSES: Final = ("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED")

# The environment variable a promotion job sets for its kernel: JSON (seed, kind, name, tags).
PROMOTION_ENV: Final = "XP_PROMOTION"

# Identity and lifecycle of a recorded run.
KIND: Final = "xp.kind"  # "notebook" | "script" | "promoted"
LOCAL_ID: Final = "xp.local_id"  # the id of the run folder in XP_HOME (journal, state)
VERSION: Final = "xp.version"  # jupyterlab-xp version that recorded the run
HOST: Final = "xp.host"
PID: Final = "xp.pid"
PID_START: Final = "xp.pid_start"  # process start time: tells a recycled pid apart
NOTEBOOK_PATH: Final = "xp.notebook.path"
NOTEBOOK_NAME: Final = "xp.notebook.name"
CELLS: Final = "xp.cells"  # number of cell executions journaled
ERRORS: Final = "xp.errors"  # number of cell executions that raised
SYNC_REFUSED: Final = "xp.sync.refused"  # records the store refused for good (refused.jsonl)
DIED_IN_CELL: Final = (
    "xp.died_in_cell"  # set when the kernel died: "seq N, cell <id>: <first line>"
)
END_REASON: Final = "xp.end_reason"  # "stop", "shutdown", "kernel-died", "heartbeat-lost"...
INCOMPLETE: Final = "xp.incomplete"  # background work still running when the run ended
NOTE: Final = "xp.note"  # latest note; all notes are in the journal
LINEAR: Final = "xp.linear"  # "true" | "false" | "unknown": does top-to-bottom replay the run?
REDACTIONS: Final = "xp.redactions"  # values replaced by <redacted> on their way to the store
# Liveness across machines (store/liveness.py): a recording kernel's heartbeat, and what a
# sweep on any machine needs to end a run whose heartbeat stopped.
HEARTBEAT: Final = "xp.heartbeat"  # epoch seconds of the recorder's last heartbeat
HEARTBEAT_TIMEOUT: Final = "xp.heartbeat.timeout"  # seconds the recorder asks sweeps to wait
RUNNING_CELL: Final = "xp.running_cell"  # the cell running at the last sync ("" between cells)
HEARTBEAT_LOST: Final = "heartbeat-lost"  # xp.end_reason of a run ended by a heartbeat sweep

# Seeds and determinism.
SEED_PARAM: Final = "seed"
PYTHONHASHSEED: Final = "xp.pythonhashseed"
DETERMINISTIC: Final = "xp.deterministic"
CUDNN_DETERMINISTIC: Final = "xp.cudnn.deterministic"
CUDNN_BENCHMARK: Final = "xp.cudnn.benchmark"
CUBLAS_WORKSPACE_CONFIG: Final = "xp.cublas_workspace_config"
SEED_CALLS: Final = "xp.seed_calls"  # number of seed calls the user made after start
NAMED_SEED_PREFIX: Final = "seed."  # params seed.data, seed.model: xp.seed(NAME), from the root
DATALOADER_WORKERS: Final = "xp.dataloader.num_workers"  # every value the run's loaders used: "0,4"
DATALOADER_PERSISTENT: Final = "xp.dataloader.persistent_workers"
HYDRA_CONFIG_NAME: Final = "xp.hydra.config_name"  # hydra.compose(config_name, ...) in the run
HYDRA_OVERRIDES: Final = "xp.hydra.overrides"  # its overrides, a JSON list

# Hardware and environment summaries (details are artifacts).
PYTHON: Final = "xp.python"
PLATFORM: Final = "xp.platform"
CONTAINER: Final = "xp.container"
CPU: Final = "xp.cpu"
GPU: Final = "xp.gpu"  # "2 x NVIDIA A100-SXM4-40GB" or "none"
DEVICE: Final = "xp.device"  # device chosen through xp.device()
TORCH: Final = "xp.torch"
PACKAGES: Final = "xp.packages"  # number of installed distributions in the lock
PROJECT_LOCK: Final = "xp.project_lock"  # "uv.lock sha256:..." the project's own lock file

# git (MLflow's own tag is set too so the MLflow UI shows the commit).
GIT_COMMIT: Final = "xp.git.commit"
GIT_BRANCH: Final = "xp.git.branch"
GIT_REMOTE: Final = "xp.git.remote"
GIT_DIRTY: Final = "xp.git.dirty"
MLFLOW_GIT_COMMIT: Final = "mlflow.source.git.commit"
MLFLOW_SOURCE_NAME: Final = "mlflow.source.name"
MLFLOW_SOURCE_TYPE: Final = "mlflow.source.type"
MLFLOW_RUN_NAME: Final = "mlflow.runName"
MLFLOW_NOTE: Final = "mlflow.note.content"
MLFLOW_USER: Final = "mlflow.user"  # who recorded the run (MLflow's own tag)

# Artifacts, all under ARTIFACT_DIR in the run.
ARTIFACT_DIR: Final = "xp"
CELLS_ARTIFACT: Final = "cells.jsonl"
JOURNAL_ARTIFACT: Final = "journal.jsonl"
SEEDS_ARTIFACT: Final = "seeds.json"
CONFIG_ARTIFACT: Final = "config.json"  # xp.param(cfg): the config, resolved
CONFIG_SCHEMA_ARTIFACT: Final = "config.schema.json"  # its type's schema (pydantic, dataclass)
ENVIRONMENT_ARTIFACT: Final = "environment.json"
LOCK_ARTIFACT: Final = "requirements.lock"
PROJECT_LOCK_PREFIX: Final = "project-"  # + the file's name: project-uv.lock, as it was
HARDWARE_ARTIFACT: Final = "hardware.json"
GIT_ARTIFACT: Final = "git.json"
GIT_DIFF_ARTIFACT: Final = "git.diff"
NOTEBOOK_ARTIFACT: Final = "notebook.ipynb"
ORDER_ARTIFACT: Final = "order.json"
PRELUDE_ARTIFACT: Final = "prelude.json"  # inputs the kernel ran before %xp start, in order
REDACTIONS_ARTIFACT: Final = "redactions.json"  # where values were redacted (no values)
VERIFY_ARTIFACT: Final = "verify.json"  # a promoted run: did it reproduce its source?
BUNDLE_DIR: Final = "bundle"  # a promoted run: the bundle, under xp/bundle/
# Checkpoints (xp.checkpoint): each one under CHECKPOINTS_DIR/{name}/{version}/{timestamp}/ at
# the run's artifact root (and in its run folder), listed in xp/checkpoints.json.
CHECKPOINTS_DIR: Final = "checkpoints"
CHECKPOINTS_ARTIFACT: Final = "checkpoints.json"
CHECKPOINT_METADATA: Final = "metadata.json"
RESUMED_FROM: Final = "xp.resumed_from"  # "<run id>:<name>:<version>" a run resumed from
CHECKPOINTS: Final = "xp.checkpoints"  # how many checkpoints the run saved
# Each checkpoint is also an MLflow logged model (MlflowStore.log_checkpoint_model) with tags:
CHECKPOINT_PATH: Final = "xp.checkpoint.path"  # its artifact folder in its run
CHECKPOINT_URI: Final = "xp.checkpoint.uri"  # runs:/<run id>/<that folder>
CHECKPOINT_SHA256: Final = "xp.checkpoint.sha256"  # of its metadata.json (every file's sha256)

# Splits and predictions (kernel/splits.py, kernel/predictions.py): tag keys are
# f"{SPLIT_PREFIX}{split}.{SHA256_FIELD}" and so on; the predictions are files under
# xp/{PREDICTIONS_DIR}/{split}.parquet (or .npz without pyarrow).
SPLIT_PREFIX: Final = "xp.split."  # xp.split.<name>.size / .sha256 / xp.split.seed
PREDICTIONS_PREFIX: Final = "xp.predictions."  # xp.predictions.<split>.sha256 / .task / .n / .file
SHA256_FIELD: Final = "sha256"
SIZE_FIELD: Final = "size"
TASK_FIELD: Final = "task"
FILE_FIELD: Final = "file"
SPLIT_SEED: Final = "xp.split.seed"
TEST_SPLIT: Final = "test"  # the split whose change between runs is warned about
PREDICTIONS_DIR: Final = "predictions"
# %xp profile (kernel/profile.py): each profiled cell's trace under xp/{PROFILES_DIR}/, and its
# top operators in xp/{PROFILES_ARTIFACT}; the tag counts the profiled cells.
PROFILES_DIR: Final = "profiles"
PROFILES_ARTIFACT: Final = "profiles.json"
PROFILES: Final = "xp.profiles"

# Promotion: a promoted run names its source and job; the source names its promoted runs.
SOURCE_RUN: Final = "xp.source_run"
PROMOTION_ID: Final = "xp.promotion.id"  # "<job id>:<seed>" (one run per seed)
PROMOTION_ORDER: Final = "xp.promotion.order"
FAILED_CELL: Final = "xp.failed_cell"  # "cell N (id ...): ErrorName: message"
VERDICT: Final = "xp.verdict"  # promoted run: exact | within-tolerance | differs | no-metrics
PROMOTED_RUNS: Final = "xp.promoted.runs"  # source run: comma-separated promoted run ids
LINEAGE_PREFIX: Final = "xp.lineage."  # a registered model version's lineage tags
LINEAGE_FORCED: Final = "xp.lineage.forced"  # the production alias was set with --force
LINEAGE_GATE: Final = "xp.lineage.gate"  # the gate that let it become production
PROMOTED_VERDICT: Final = "xp.promoted.verdict"  # source run: the latest promotion's verdict
ENV_KIND: Final = "xp.promotion.env"  # today | recorded | overlay: where the kernel ran
ENV_OVERLAY: Final = "xp.promotion.overlay"  # the overlay's sha256 ($XP_HOME/envs/<it>)

# Kinds of run.
KIND_NOTEBOOK: Final = "notebook"
KIND_SCRIPT: Final = "script"
KIND_PROMOTED: Final = "promoted"
KIND_TRIAL: Final = "trial"  # one trial of a sweep (a promotion with the trial's params)
KIND_SWEEP: Final = "sweep"  # a sweep's parent run

# Sweeps (sweep/): an Optuna study whose trials are promotions, under a parent run.
TRIAL_ENV: Final = "XP_TRIAL"  # JSON the trial's kernel reads to report to its Optuna trial
# The study's storage URL (credentials included) for a worker and its kernels: the environment
# only, never a file or a tag.
SWEEP_STORAGE_ENV: Final = "XP_SWEEP_STORAGE"
MLFLOW_PARENT_RUN: Final = "mlflow.parentRunId"  # MLflow's own nesting tag, on each trial
SWEEP_RUN: Final = "xp.sweep.run"  # a trial: its sweep's parent run id
SWEEP_STUDY: Final = "xp.sweep.study"  # the Optuna study name (parent and trials)
SWEEP_STORAGE: Final = "xp.sweep.storage"  # the study's storage URL, credentials stripped
SWEEP_SAMPLER: Final = "xp.sweep.sampler"
SWEEP_PRUNER: Final = "xp.sweep.pruner"
SWEEP_OBJECTIVE: Final = "xp.sweep.objective"  # "val/accuracy maximize"
SWEEP_SPACE: Final = "xp.sweep.space"  # the search space as given: "lr=loguniform:1e-4:1e-1; ..."
SWEEP_STATE: Final = "xp.sweep.state"  # running | finished | stopped | cancelled | failed
SWEEP_BEST_TRIAL: Final = "xp.sweep.best_trial"  # number of the best trial
SWEEP_BEST_RUN: Final = "xp.sweep.best_run"  # the best trial's run id
SWEEP_BEST_VALUE: Final = "xp.sweep.best_value"
SWEEP_ERROR: Final = "xp.sweep.error"  # why the sweep stopped early
TRIAL_NUMBER: Final = "xp.trial.number"  # a trial run: its Optuna trial number
PRUNED: Final = "xp.pruned"  # a pruned trial run: the step at which the pruner stopped it

# MLflow's run statuses, as strings (no mlflow import needed to name them).
RUNNING: Final = "RUNNING"
FINISHED: Final = "FINISHED"
FAILED: Final = "FAILED"
KILLED: Final = "KILLED"
