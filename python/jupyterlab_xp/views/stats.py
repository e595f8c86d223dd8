"""Statistics across seeds: intervals, effect sizes, tests between groups and their correction.

A seed group is the runs whose params are equal except the seed. Each metric of a group gets
mean ± std and a 95 % interval of the mean that is honest for the group's size: Student's t
below :data:`BOOTSTRAP_MIN_N` runs, the BCa bootstrap from there. Two groups are compared on
every metric except ``system/*`` (machine load, not results) by Welch's t-test and a permutation
test, with Cohen's d; the p-values of all those tests are corrected together (Holm, or
Benjamini-Hochberg) and only the corrected Welch p-value decides ``distinguishable``.
Every random step uses a fixed seed, so the same runs always give the same numbers.
"""

from __future__ import annotations

import itertools
import math
import statistics
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from jupyterlab_xp.core import tags

ALPHA = 0.05
CONFIDENCE = 0.95
BOOTSTRAP_MIN_N = 10  # below this a bootstrap interval is little more than [min, max]
FEW_SEEDS = 5  # below this a group gets a warning
RESAMPLES = 9999
RANDOM_SEED = 0
CORRECTIONS = ("holm", "bh")
SYSTEM_PREFIX = "system/"


def finite(values: Sequence[float]) -> tuple[list[float], int]:
    """The finite values, and how many were NaN or infinite (left out of every statistic)."""
    kept = [float(v) for v in values if isinstance(v, int | float) and math.isfinite(v)]
    return kept, len(values) - len(kept)


def t_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Student's t interval of the mean: mean ± t(1 - alpha/2, n - 1) · s / √n (n >= 2)."""
    from scipy import stats

    n = len(values)
    mean = statistics.fmean(values)
    half = float(stats.t.ppf((1 + confidence) / 2, n - 1)) * statistics.stdev(values) / math.sqrt(n)
    return mean - half, mean + half


def bca_interval(
    values: Sequence[float], confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """The BCa bootstrap interval of the mean (fixed seed), or None where BCa is undefined."""
    import numpy as np
    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate samples: NaN bounds, handled below
        ci = stats.bootstrap(
            (np.asarray(values, dtype=float),),
            np.mean,
            method="BCa",
            confidence_level=confidence,
            n_resamples=RESAMPLES,
            rng=np.random.default_rng(RANDOM_SEED),
        ).confidence_interval
    low, high = float(ci.low), float(ci.high)
    return (low, high) if math.isfinite(low) and math.isfinite(high) else None


def describe(key: str, raw: Sequence[float]) -> dict[str, Any]:
    """One metric over a group: n, mean, std, the interval and which method made it."""
    values, dropped = finite(raw)
    n = len(values)
    row: dict[str, Any] = {
        "key": key,
        "n": n,
        "non_finite": dropped,
        "mean": statistics.fmean(values) if values else None,
        "std": statistics.stdev(values) if n > 1 else None,
        "ci_low": None,
        "ci_high": None,
        "interval": "none",
        "tested": not key.startswith(SYSTEM_PREFIX),
    }
    if n < 2:
        return row
    interval = bca_interval(values) if n >= BOOTSTRAP_MIN_N else None
    row["interval"] = "bca" if interval else "t"  # BCa undefined (no spread): t, a point
    row["ci_low"], row["ci_high"] = interval or t_interval(values)
    return row


def cohens_d(a: Sequence[float], b: Sequence[float]) -> float | None:
    """(mean b - mean a) / pooled SD, the pooled SD weighting each variance by n - 1."""
    if len(a) < 2 or len(b) < 2:
        return None
    pooled = math.sqrt(
        ((len(a) - 1) * statistics.variance(a) + (len(b) - 1) * statistics.variance(b))
        / (len(a) + len(b) - 2)
    )
    return (statistics.fmean(b) - statistics.fmean(a)) / pooled if pooled > 0 else None


def welch(a: Sequence[float], b: Sequence[float]) -> tuple[float | None, float | None, float]:
    """Welch's t-test of b against a: (t, df, two-sided p); n >= 2 on each side.

    With no spread in either group t is undefined (None, None) and p is 1 when the means are
    equal, 0 when they differ: the metric does not move with the seed at all.
    """
    from scipy import stats

    if statistics.variance(a) == 0 and statistics.variance(b) == 0:
        return None, None, 1.0 if statistics.fmean(a) == statistics.fmean(b) else 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nearly identical values: scipy warns, result stands
        result = stats.ttest_ind(b, a, equal_var=False)
    t, p = float(result.statistic), float(result.pvalue)
    return t, float(result.df), p if math.isfinite(p) else 1.0


def permutations_needed(a: Sequence[float], b: Sequence[float]) -> int:
    """How many ways the pooled runs split into groups of these sizes."""
    return math.comb(len(a) + len(b), len(a))


def permutation_p(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided permutation test of the difference of means (exact when the splits are few)."""
    import numpy as np
    from scipy import stats

    def diff(x: Any, y: Any, axis: int) -> Any:
        return np.mean(y, axis=axis) - np.mean(x, axis=axis)

    result = stats.permutation_test(
        (np.asarray(a, dtype=float), np.asarray(b, dtype=float)),
        diff,
        vectorized=True,
        n_resamples=RESAMPLES,
        alternative="two-sided",
        permutation_type="independent",
        rng=np.random.default_rng(RANDOM_SEED),
    )
    return min(1.0, float(result.pvalue))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (family-wise error), in the order given."""
    m = len(p_values)
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(sorted(range(m), key=lambda i: p_values[i])):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg step-up adjusted p-values (false discovery rate), in the order given."""
    m = len(p_values)
    adjusted = [0.0] * m
    running = 1.0
    for k, i in enumerate(sorted(range(m), key=lambda i: p_values[i], reverse=True)):
        running = min(running, p_values[i] * m / (m - k))
        adjusted[i] = running
    return adjusted


ADJUST: dict[str, Callable[[Sequence[float]], list[float]]] = {
    "holm": holm,
    "bh": benjamini_hochberg,
}


def group_warning(n: int) -> str | None:
    """What a group of ``n`` seeds cannot tell you."""
    if n == 1:
        return "1 seed: seed noise cannot be measured; record at least 5"
    if n < FEW_SEEDS:
        return f"{n} seeds: too few to measure seed noise well; record at least {FEW_SEEDS}"
    return None


def verdict_warning(n_a: int, n_b: int, distinguishable: bool) -> str | None:
    """What a test between groups of these sizes cannot tell you."""
    if min(n_a, n_b) >= FEW_SEEDS:
        return None
    seeds = f"{n_a} seeds" if n_a == n_b else f"{n_a} and {n_b} seeds"
    if distinguishable:
        return f"only {seeds}: the seed noise behind this verdict is a rough estimate"
    return f"{seeds} cannot separate a difference of this size from seed noise"


def compare_groups(key: str, a: Sequence[float], b: Sequence[float]) -> dict[str, Any]:
    """One metric between two groups (finite values, n >= 2 each), before correction."""
    t, df, p = welch(a, b)
    return {
        "key": key,
        "n_a": len(a),
        "n_b": len(b),
        "mean_difference": statistics.fmean(b) - statistics.fmean(a),
        "cohens_d": cohens_d(a, b),
        "welch_t": t,
        "welch_df": df,
        "welch_p": p,
        "permutation_p": permutation_p(a, b),
        "permutation_exact": permutations_needed(a, b) <= RESAMPLES,
    }


def correct(tests: list[dict[str, Any]], correction: str, alpha: float = ALPHA) -> None:
    """Add adjusted p-values (over every test together), the verdict and its warning."""
    if correction not in ADJUST:
        raise ValueError(f"correction must be one of {', '.join(CORRECTIONS)}")
    adjust = ADJUST[correction]
    for name in ("welch_p", "permutation_p"):
        for test, adjusted in zip(tests, adjust([t[name] for t in tests]), strict=True):
            test[f"{name}_adjusted"] = adjusted
    for test in tests:
        test["distinguishable"] = test["welch_p_adjusted"] < alpha
        test["warning"] = verdict_warning(test["n_a"], test["n_b"], test["distinguishable"])


def seed_groups(
    details: Sequence[dict[str, Any]],
) -> list[tuple[str, dict[str, str], list[dict[str, Any]]]]:
    """Runs (dicts with ``params``) grouped by their params except the seed, in first-seen order:
    each group's label (the params that vary between groups), its params and its runs."""
    grouped: dict[tuple[tuple[str, str], ...], list[dict[str, Any]]] = {}
    for d in details:
        key = tuple(sorted((k, v) for k, v in d["params"].items() if k != tags.SEED_PARAM))
        grouped.setdefault(key, []).append(d)
    varying = {
        k
        for k in {k for key in grouped for k, _ in key}
        if len({dict(key).get(k) for key in grouped}) > 1
    }
    return [
        (", ".join(f"{k}={v}" for k, v in key if k in varying) or "all runs", dict(key), members)
        for key, members in grouped.items()
    ]


def seed_group_stats(
    details: list[dict[str, Any]], metric_keys: list[str], correction: str = "holm"
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Seed groups with each metric's statistics, and the corrected tests between groups."""
    if correction not in ADJUST:
        raise ValueError(f"correction must be one of {', '.join(CORRECTIONS)}")
    groups = []
    samples: list[dict[str, list[float]]] = []
    for label, params, members in seed_groups(details):
        values = {
            metric: [m["metrics"][metric] for m in members if metric in m["metrics"]]
            for metric in metric_keys
        }
        groups.append(
            {
                "label": label,
                "run_ids": [m["run_id"] for m in members],
                "params": params,
                "metrics": [describe(k, v) for k, v in values.items() if v],
                "warning": group_warning(len(members)),
            }
        )
        samples.append({k: finite(v)[0] for k, v in values.items()})
    tests = []
    for (left, a), (right, b) in itertools.combinations(zip(groups, samples, strict=True), 2):
        for metric in metric_keys:
            if metric.startswith(SYSTEM_PREFIX) or len(a[metric]) < 2 or len(b[metric]) < 2:
                continue
            test = compare_groups(metric, a[metric], b[metric])
            tests.append({"group_a": left["label"], "group_b": right["label"], **test})
    correct(tests, correction)
    return groups, tests
