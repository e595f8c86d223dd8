"""A compared metric's curves per seed group: mean, std and a t interval at every step.

Runs of a group seldom log the same steps (one stopped early, another logged every other
epoch), so a group's curve is taken over the union of its runs' steps: at each step the mean,
std and interval are over the runs that logged that step, and ``n`` says how many did. A run
that logged a step twice counts with its last value there. NaN and infinite values are left
out, as in the seed statistics. The interval is Student's t at every step (the bootstrap of the
seed table would cost seconds per curve); a step with one run has a mean and no spread.
"""

from __future__ import annotations

import functools
import math
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from jupyterlab_xp.core.validation import validate_key
from jupyterlab_xp.views.compare import check_held_seed, compared_ids, json_number
from jupyterlab_xp.views.stats import CONFIDENCE, seed_groups


@functools.lru_cache(maxsize=64)
def t_quantile(df: int, confidence: float = CONFIDENCE) -> float:
    """Student's t quantile for a two-sided interval (cached: a curve asks for few ``df``)."""
    from scipy import stats

    return float(stats.t.ppf((1 + confidence) / 2, df))


def last_per_step(points: Iterable[tuple[int, float, int]]) -> dict[int, float]:
    """Each step's value from ``(step, value, timestamp)`` points: the last logged one."""
    latest: dict[int, tuple[int, float]] = {}
    for step, value, timestamp in points:
        if step not in latest or timestamp >= latest[step][0]:
            latest[step] = (timestamp, value)
    return {step: value for step, (_, value) in latest.items()}


def band(
    histories: Sequence[dict[int, float]], confidence: float = CONFIDENCE
) -> list[dict[str, Any]]:
    """The mean curve of ``histories`` (step to value, one per run) with std and t interval.

    One point per step any run logged, in step order; steps where no run has a finite value
    are left out.
    """
    steps = sorted(set().union(*histories)) if histories else []
    points = []
    for step in steps:
        values = [h[step] for h in histories if step in h and math.isfinite(h[step])]
        n = len(values)
        if n == 0:
            continue
        mean = statistics.fmean(values)
        std = statistics.stdev(values) if n > 1 else None
        low = high = None
        if std is not None:
            half = t_quantile(n - 1, confidence) * std / math.sqrt(n)
            low, high = mean - half, mean + half
        points.append(
            {"step": step, "n": n, "mean": mean, "std": std, "ci_low": low, "ci_high": high}
        )
    return points


def group_curves(
    store: Any, run_ids: Sequence[str], key: str, hold_seed: str | None = None
) -> dict[str, Any]:
    """The curves of metric ``key`` over ``run_ids`` (2 to 20), per seed group, as a
    CompareCurves dict: each group's band and its runs' own curves (a value per step).

    Groups are the comparison's seed groups (same labels, same order), holding the seed
    component ``hold_seed`` when the comparison holds it.

    Raises:
        XpError: too few or too many ids, a malformed id or metric name, a seed component
            no run records.
        LookupError: an unknown run.
    """
    ids = compared_ids(run_ids)
    validate_key(key, "metric name")
    runs, params = [], []
    for run_id in ids:
        run = store.get_run(run_id)
        if run is None:
            raise LookupError(f"no run {run_id}")
        points = store.metric_history(run_id, key) if key in run.data.metrics else []
        params.append(dict(run.data.params))
        runs.append({"run_id": run_id, "params": params[-1], "points": points})
    check_held_seed(hold_seed, params)
    groups = []
    for label, _params, members in seed_groups(runs, hold_seed):
        histories = [last_per_step(m["points"]) for m in members]
        groups.append(
            {
                "label": label,
                "run_ids": [m["run_id"] for m in members],
                "points": band([h for h in histories if h], CONFIDENCE),
                "runs": [
                    {
                        "run_id": m["run_id"],
                        "points": [
                            {"step": s, "value": json_number(v)} for s, v in sorted(h.items())
                        ],
                    }
                    for m, h in zip(members, histories, strict=True)
                ],
            }
        )
    return {"key": key, "confidence": CONFIDENCE, "groups": groups}
