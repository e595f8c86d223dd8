"""Differences between recorded runs, and statistics across seeds (no Jupyter imports).

The REST API, ``jupyter xp compare`` and the notebook widget all call :func:`compare_runs`.
"""

from __future__ import annotations

import difflib
import itertools
import math
import random
import statistics
from collections.abc import Callable, Sequence
from typing import Any

from . import tags
from .errors import XpError
from .runview import run_detail

MAX_RUNS = 20
BOOTSTRAP_SAMPLES = 2000
PERMUTATIONS = 5000
ALPHA = 0.05


def _rows(keys: Sequence[str], values_of: Callable[[str], list[Any]]) -> list[dict[str, Any]]:
    rows = []
    for key in keys:
        values = values_of(key)
        rows.append({"key": key, "values": values, "differs": len({repr(v) for v in values}) > 1})
    return rows


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _hardware_fields(detail: dict[str, Any]) -> dict[str, str | None]:
    hw = detail.get("hardware") or {}
    cpu, torch_info = hw.get("cpu") or {}, hw.get("torch") or {}
    gpus = hw.get("gpus") or []
    memory = (hw.get("memory") or {}).get("total")
    return {
        "cpu": _text(cpu.get("model")),
        "cpu cores": _text(cpu.get("logical_cores")),
        "memory GiB": f"{memory / 2**30:.1f}" if isinstance(memory, int | float) else None,
        "gpus": ", ".join(str(g.get("name")) for g in gpus) or "none",
        "gpu driver": _text(gpus[0].get("driver_version")) if gpus else None,
        "torch": _text(torch_info.get("version")),
        "torch cuda build": _text(torch_info.get("cuda_build")),
        "device": _text(detail["tags"].get(tags.DEVICE)),
    }


def _git_fields(detail: dict[str, Any]) -> dict[str, str | None]:
    repo = (detail.get("git") or {}).get("repository") or {}
    return {
        "commit": _text(repo.get("commit")),
        "branch": _text(repo.get("branch")),
        "remote": _text(repo.get("remote_url")),
        "dirty": _text(repo.get("dirty")),
    }


def _environment_fields(detail: dict[str, Any]) -> dict[str, str | None]:
    env = detail.get("environment") or {}
    python, plat = env.get("python") or {}, env.get("platform") or {}
    fields: dict[str, str | None] = {
        "python": _text(python.get("version")),
        "platform": " ".join(str(plat.get(k, "")) for k in ("system", "release", "machine")).strip()
        or None,
        "container": _text(env.get("container")),
    }
    for name, value in sorted((env.get("env") or {}).items()):
        fields[f"env {name}"] = _text(value)
    return fields


def _packages(details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    maps = [
        {p["name"].lower(): p["version"] for p in (d.get("environment") or {}).get("packages", [])}
        for d in details
    ]
    rows = []
    for name in sorted(set().union(*maps)):
        versions = [m.get(name) for m in maps]
        first, others = versions[0], versions[1:]
        if first is None:
            change = "added"
        elif any(v is None for v in others):
            change = "removed"
        elif any(v != first for v in others):
            change = "changed"
        else:
            change = "same"
        rows.append({"name": name, "versions": versions, "change": change})
    return rows


def executed_code(detail: dict[str, Any]) -> list[str]:
    """The code a run executed successfully, in order: what produced its result."""
    lines: list[str] = []
    for cell in detail["cells_journal"]:
        if cell.get("status") == "ok":
            lines.append(f"# --- [{cell.get('execution_count') or ' '}] cell {cell.get('cell_id')}")
            lines.extend(cell.get("source", "").splitlines())
    return lines


def _cell_diffs(details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    base = executed_code(details[0])
    out = []
    for detail in details[1:]:
        other = executed_code(detail)
        diff = "\n".join(
            difflib.unified_diff(
                base, other, fromfile=details[0]["run_id"], tofile=detail["run_id"], lineterm=""
            )
        )
        out.append({"run_id": detail["run_id"], "diff": diff, "identical": base == other})
    return out


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


def _seed_groups(
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


def compare_runs(store: Any, run_ids: Sequence[str]) -> dict[str, Any]:
    """Everything that differs between ``run_ids`` (2 to 20 runs), as a CompareBody dict.

    Raises:
        XpError: too few or too many ids, a malformed id, or an unknown run.
    """
    ids = list(dict.fromkeys(run_ids))
    if not 2 <= len(ids) <= MAX_RUNS:
        raise XpError(f"compare takes 2 to {MAX_RUNS} distinct run ids, got {len(ids)}")
    for run_id in ids:
        if not (run_id.isalnum() and len(run_id) <= 64):
            raise XpError(f"not a run id: {run_id[:80]!r}")
    details = []
    for run_id in ids:
        run = store.get_run(run_id)
        if run is None:
            raise LookupError(f"no run {run_id}")
        details.append(run_detail(store, run))
    param_keys = sorted(set().union(*(d["params"] for d in details)))
    metric_keys = sorted(set().union(*(d["metrics"] for d in details)))
    hardware = [_hardware_fields(d) for d in details]
    git = [_git_fields(d) for d in details]
    environment = [_environment_fields(d) for d in details]
    seed_groups, group_tests = _seed_groups(details, metric_keys)
    summary_keys = (
        "run_id",
        "name",
        "experiment_id",
        "experiment",
        "status",
        "kind",
        "start_time",
        "end_time",
        "duration",
        "seed",
        "cells",
        "errors",
        "notebook",
        "died_in_cell",
        "metrics",
    )
    return {
        "runs": [{k: d[k] for k in summary_keys} for d in details],
        "params": _rows(param_keys, lambda k: [d["params"].get(k) for d in details]),
        "metrics": _rows(metric_keys, lambda k: [d["metrics"].get(k) for d in details]),
        "packages": _packages(details),
        "hardware": _rows(list(hardware[0]), lambda k: [h.get(k) for h in hardware]),
        "git": _rows(list(git[0]), lambda k: [g.get(k) for g in git]),
        "environment": _rows(
            sorted(set().union(*environment)), lambda k: [e.get(k) for e in environment]
        ),
        "cells": _cell_diffs(details),
        "seed_groups": seed_groups,
        "group_tests": group_tests,
    }
