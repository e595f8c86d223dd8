"""The paired tests in ``GET compare``'s body: runs compared example by example.

Part of :class:`jupyterlab_xp.server.models.CompareBody` (``paired_tests``), from which the
TypeScript types are generated.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from jupyterlab_xp.server.api_model import ApiModel


class PairedTest(ApiModel):
    """Two runs (or seed groups) with predictions on the same ids, compared per example."""

    key: str = Field(description="{split}/{metric}: accuracy, or mse and mae for regression")
    split: str
    metric: str
    group_a: str
    group_b: str
    runs_a: int = Field(description="runs on side a (a group's per-example value: their mean)")
    runs_b: int
    n_examples: int = Field(description="examples compared (finite on both sides)")
    non_finite: int = Field(description="examples left out: NaN or infinite on a side")
    value_a: float | None = Field(description="the metric of side a over the examples")
    value_b: float | None
    difference: float | None = Field(description="value_b - value_a")
    ci_low: float | None = Field(
        description="95% interval of the difference: t over examples (one run a side), or "
        "over runs with the examples' variance added (seed groups)"
    )
    ci_high: float | None
    effect_size: float | None = Field(
        description="d_z over examples (one run a side) or Hedges' g over runs (seed groups)"
    )
    effect_ci_low: float | None = Field(description="95% interval of the effect size")
    effect_ci_high: float | None
    mcnemar_statistic: float | None = Field(description="classifiers, one run a side")
    mcnemar_p: float | None
    mcnemar_exact: bool | None = Field(description="exact binomial (below 25 discordant pairs)")
    a_only: int | None = Field(description="examples only side a got right")
    b_only: int | None = Field(description="examples only side b got right")
    test: str = Field(description="the test p_value comes from")
    p_value: float | None
    p_adjusted: float | None = Field(description="adjusted with the group tests, one family")
    decision: Literal["distinguishable", "not distinguishable", "no decision"]
    reason: str = Field(description="why this decision, in words")
    detectable_difference: float | None = Field(
        description="not distinguishable: the difference this test detects 80% of the time "
        "(over the examples for two runs, over the runs for seed groups)"
    )
    distinguishable: bool = Field(description="decision == distinguishable")
    warning: str | None = Field(description="what the test cannot tell")
