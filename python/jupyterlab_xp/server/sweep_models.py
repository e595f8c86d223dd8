"""The bodies of ``POST/GET sweeps`` and ``GET/DELETE sweeps/{id}``: a sweep, its trials, results.

Listed with every other body in :mod:`jupyterlab_xp.server.models` (``API_MODELS``), from which
the TypeScript types are generated.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from jupyterlab_xp.server.api_model import ApiModel


class SweepRequest(ApiModel):
    """``POST sweeps``: search a recorded run's (or a notebook's) parameters with Optuna."""

    run_id: str | None = Field(default=None, max_length=64, description="the source run")
    notebook: str | None = Field(
        default=None, max_length=4096, description="a .ipynb path relative to the server root"
    )
    params: list[str] = Field(
        min_length=1,
        max_length=200,
        description="the search space: NAME=uniform:LOW:HIGH | loguniform:LOW:HIGH | int:LOW:HIGH"
        " | choice:A,B,... (names from the parameters cell, or keys of the recorded config)",
    )
    objective: str = Field(max_length=250, description="the metric to optimise, e.g. val/loss")
    direction: Literal["maximize", "minimize"] = "maximize"
    trials: int = Field(default=20, ge=1, le=10_000, description="trials in all")
    seed: int | None = Field(
        default=None, ge=0, lt=2**32, description="the seed of every trial (the source's)"
    )
    sampler: Literal["tpe", "random", "grid"] = "tpe"
    sampler_seed: int | None = Field(default=None, ge=0, lt=2**32)
    pruner: Literal["hyperband", "median", "none"] = "hyperband"
    workers: int | None = Field(
        default=None, ge=1, le=64, description="trials at once on the server's machine"
    )
    timeout: float | None = Field(default=None, ge=1, le=30 * 86_400)
    cell_timeout: float | None = Field(default=None, ge=1, le=86_400)
    code_sha256: str | None = Field(
        default=None,
        pattern="^[0-9a-f]{64}$",
        description="the code you were shown: the promote plan's code[default_order].sha256 "
        "(refused when the source's code changed since; every trial runs only this code)",
    )


class SweepSummary(ApiModel):
    """A sweep in the list: its parent run's tags (no storage opened)."""

    run_id: str
    name: str | None
    study: str | None
    status: str = Field(description="the parent run's MLflow status")
    state: str | None = Field(description="running | finished | stopped | cancelled")
    objective: str | None = Field(description="'METRIC DIRECTION'")
    sampler: str | None
    pruner: str | None
    space: str | None
    storage: str | None = Field(description="the Optuna storage, without credentials")
    best_trial: str | None
    best_value: str | None
    best_run: str | None
    source_run_id: str | None
    start_time: int | None
    error: str | None = Field(description="why the sweep stopped early")


class SweepList(ApiModel):
    """``GET sweeps``: newest first."""

    sweeps: list[SweepSummary]


class SweepDimension(ApiModel):
    """One parameter of the search space."""

    name: str
    kind: Literal["uniform", "loguniform", "int", "choice"]
    low: float | None
    high: float | None
    choices: list[Any]


class SweepTrial(ApiModel):
    """One trial: its params, objective, state and run (the panel's table and charts)."""

    number: int
    state: Literal["RUNNING", "COMPLETE", "PRUNED", "FAIL", "WAITING"]
    params: dict[str, Any]
    value: float | None = Field(description="the objective (a pruned trial's last report)")
    duration: float | None = Field(description="seconds")
    run_id: str | None
    last_step: int | None = Field(description="the last step reported (where it was pruned)")
    worker: str | None = Field(description="host:pid:start of the worker that ran it")


class SweepPoint(ApiModel):
    """The objective over trials: each complete trial's value and the best so far."""

    number: int
    value: float
    best: float


class SweepDetail(ApiModel):
    """``GET sweeps/{id}``: everything the sweep view shows."""

    run_id: str
    study: str
    storage: str
    objective: str
    direction: Literal["maximize", "minimize"]
    sampler: str
    pruner: str
    seed: int
    source_run_id: str | None
    notebook: str | None
    order: str | None = Field(description="the cell order every trial runs")
    code_sha256: str | None = Field(
        description="the digest of the code every trial runs (checked before each trial)"
    )
    trials_target: int
    space: list[SweepDimension]
    trials: list[SweepTrial]
    counts: dict[str, int] = Field(description="trials per state")
    best: SweepTrial | None
    runner_up: SweepTrial | None
    series: list[SweepPoint]
    importance: dict[str, float] = Field(
        description="fANOVA parameter importance (fixed seed); empty below 2 complete trials"
    )
    stopped: str | None = Field(description="why the sweep stopped, if it did")
    state: str | None


SWEEP_MODELS = (
    SweepRequest,
    SweepSummary,
    SweepList,
    SweepDimension,
    SweepTrial,
    SweepPoint,
    SweepDetail,
)
