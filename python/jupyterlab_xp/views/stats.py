"""Statistics across seeds: intervals, effect sizes and tests of whether groups differ."""

from __future__ import annotations

import itertools
import math
import random
import statistics
from collections.abc import Sequence
from typing import Any

from jupyterlab_xp.core import tags

BOOTSTRAP_SAMPLES = 2000


PERMUTATIONS = 5000


ALPHA = 0.05


def bootstrap_ci(values: Sequence[float], samples: int = BOOTSTRAP_SAMPLES) -> tuple[float, float]:
    """95 % percentile-bootstrap confidence interval of the mean (fixed RNG: reproducible)."""
    if len(values) < 2:
        return (values[0], values[0]) if values else (math.nan, math.nan)
    rng = random.Random(0)  # noqa: S311 - resampling for statistics, not secrecy
    means = sorted(statistics.fmean(rng.choices(values, k=len(values))) for _ in range(samples))
    return means[int(0.025 * samples)], means[int(0.975 * samples) - 1]


def cohens_d(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Effect size: difference of means over the pooled standard deviation."""
    if len(a) < 2 or len(b) < 2:
        return None
    pooled = math.sqrt(
        ((len(a) - 1) * statistics.variance(a) + (len(b) - 1) * statistics.variance(b))
        / (len(a) + len(b) - 2)
    )
    diff = statistics.fmean(b) - statistics.fmean(a)
    if pooled == 0:
        return None if diff == 0 else math.copysign(math.inf, diff)
    return diff / pooled


def welch_p(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Two-sided p-value of Welch's t-test (None with fewer than two values a side)."""
    if len(a) < 2 or len(b) < 2:
        return None
    from scipy import stats

    if statistics.variance(a) == 0 and statistics.variance(b) == 0:
        return 1.0 if statistics.fmean(a) == statistics.fmean(b) else 0.0
    return float(stats.ttest_ind(a, b, equal_var=False).pvalue)


def permutation_p(
    a: Sequence[float], b: Sequence[float], rounds: int = PERMUTATIONS
) -> float | None:
    """Two-sided permutation test of the difference of means (exact for small groups)."""
    if not a or not b:
        return None
    observed = abs(statistics.fmean(a) - statistics.fmean(b))
    pooled = list(a) + list(b)
    n = len(a)
    splits: Any
    if math.comb(len(pooled), n) <= rounds:
        splits = (
            ([pooled[i] for i in idx], [pooled[i] for i in range(len(pooled)) if i not in idx])
            for idx in map(set, itertools.combinations(range(len(pooled)), n))
        )
    else:
        rng = random.Random(0)  # noqa: S311 - resampling for statistics, not secrecy

        def shuffled() -> Any:
            for _ in range(rounds):
                order = pooled[:]
                rng.shuffle(order)
                yield order[:n], order[n:]

        splits = shuffled()
    total = extreme = 0
    for left, right in splits:
        total += 1
        if abs(statistics.fmean(left) - statistics.fmean(right)) >= observed - 1e-12:
            extreme += 1
    return extreme / total


def seed_group_stats(
    details: list[dict[str, Any]], metric_keys: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    groups: dict[tuple[tuple[str, str], ...], list[dict[str, Any]]] = {}
    for d in details:
        key = tuple(sorted((k, v) for k, v in d["params"].items() if k != tags.SEED_PARAM))
        groups.setdefault(key, []).append(d)
    varying = {
        k
        for k in {k for key in groups for k, _ in key}
        if len({dict(key).get(k) for key in groups}) > 1
    }
    out = []
    for key, members in groups.items():
        label = ", ".join(f"{k}={v}" for k, v in key if k in varying) or "all runs"
        stats_rows = []
        for metric in metric_keys:
            values = [m["metrics"][metric] for m in members if metric in m["metrics"]]
            if not values:
                continue
            low, high = bootstrap_ci(values)
            stats_rows.append(
                {
                    "key": metric,
                    "n": len(values),
                    "mean": statistics.fmean(values),
                    "std": statistics.stdev(values) if len(values) > 1 else 0.0,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
        out.append(
            {
                "label": label,
                "run_ids": [m["run_id"] for m in members],
                "params": dict(key),
                "metrics": stats_rows,
                "_values": members,
            }
        )
    tests = []
    for left, right in itertools.combinations(out, 2):
        for metric in metric_keys:
            a = [m["metrics"][metric] for m in left["_values"] if metric in m["metrics"]]
            b = [m["metrics"][metric] for m in right["_values"] if metric in m["metrics"]]
            if len(a) < 2 or len(b) < 2:
                continue
            p = welch_p(a, b)
            tests.append(
                {
                    "key": metric,
                    "group_a": left["label"],
                    "group_b": right["label"],
                    "mean_difference": statistics.fmean(b) - statistics.fmean(a),
                    "cohens_d": _finite(cohens_d(a, b)),
                    "welch_p": p,
                    "permutation_p": permutation_p(a, b),
                    "distinguishable": p is not None and p < ALPHA,
                }
            )
    for group in out:
        del group["_values"]
    return out, tests


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
