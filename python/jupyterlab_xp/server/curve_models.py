"""The body of ``GET compare/curves``: a compared metric's curves per seed group.

Listed with every other body in :mod:`jupyterlab_xp.server.models` (``API_MODELS``), from which
the TypeScript types are generated.
"""

from __future__ import annotations

from pydantic import Field

from jupyterlab_xp.server.api_model import ApiModel


class BandPoint(ApiModel):
    """A seed group's curve at one step, over the runs that logged that step."""

    step: int
    n: int = Field(description="runs with a finite value at this step")
    mean: float
    std: float | None = Field(description="sample standard deviation (n - 1); null for n < 2")
    ci_low: float | None = Field(description="Student's t interval of the mean; null for n < 2")
    ci_high: float | None


class StepValue(ApiModel):
    """One run's value at one step (its last value there); null for NaN or infinity."""

    step: int
    value: float | None


class RunCurve(ApiModel):
    """One run's own curve, for "show individual runs"."""

    run_id: str
    points: list[StepValue]


class GroupCurve(ApiModel):
    """A seed group's mean curve with its band, and its runs' own curves."""

    label: str = Field(description="the seed group's label, as in CompareBody.seed_groups")
    run_ids: list[str]
    points: list[BandPoint] = Field(description="one per step any run of the group logged")
    runs: list[RunCurve]


class CompareCurves(ApiModel):
    """``GET compare/curves?ids=...&metric=...``: one metric's curves, per seed group."""

    key: str
    confidence: float = Field(description="the level of ci_low/ci_high (0.95)")
    groups: list[GroupCurve]
