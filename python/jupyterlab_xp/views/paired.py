"""Paired tests: two runs (or seed groups) with predictions on the same examples, compared per id.

Where runs logged predictions (``xp.log_predictions``) on the same split with the same ids,
differences between them can be tested example by example, which is far more sensitive than
comparing one number per run: a paired bootstrap of the metric difference (accuracy for
classifiers, MSE and MAE for regression), McNemar's test for two classifiers, and the paired
effect size d_z (mean difference / SD of the differences). A seed group's per-example value is
the mean over its runs (a classifier's correctness becomes the share of its runs that got the
example right). Every random step uses a fixed seed.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.prediction_files import SUFFIXES, read_columns
from jupyterlab_xp.views.stats import ADJUST, ALPHA, RANDOM_SEED, RESAMPLES, verdict_warning

if TYPE_CHECKING:
    import numpy as np

CONFIDENCE = 0.95
PREDICTIONS_FILE = re.compile(rf"{tags.PREDICTIONS_DIR}/[A-Za-z0-9_-]{{1,64}}\.(parquet|npz)")
EXACT_BELOW = 25  # McNemar: the exact binomial test below this many discordant pairs
CELLS_PER_CHUNK = 2_000_000  # bootstrap indices drawn per chunk (bounded memory)
ONE_RUN_WARNING = (
    "one run a side: this says the two models differ on these examples, not that the "
    "configurations differ beyond seed noise"
)
METRICS = {"classification": ("accuracy",), "regression": ("mse", "mae")}


def paired_bootstrap(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    resamples: int = RESAMPLES,
    seed: int = RANDOM_SEED,
) -> dict[str, Any]:
    """Mean of b - a over examples, its 95 % percentile interval and a two-sided p-value.

    The examples are resampled with replacement ``resamples`` times from
    ``numpy.random.default_rng(seed)``, ``rng.integers(0, n, size=(rows, n))`` per chunk of
    rows. p = (1 + #{|mean* - mean| >= |mean|}) / (resamples + 1): the bootstrap
    distribution shifted to the null of no difference.
    """
    import numpy as np

    left, right = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if left.ndim != 1 or left.shape != right.shape:
        raise XpError("paired values must be two one-dimensional arrays of the same length")
    d = right - left
    n = len(d)
    observed = float(d.mean()) if n else math.nan
    if n < 2 or not math.isfinite(observed):
        return {"difference": observed if n else None, "ci_low": None, "ci_high": None, "p": None}
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    rows = max(1, CELLS_PER_CHUNK // n)
    for start in range(0, resamples, rows):
        count = min(rows, resamples - start)
        means[start : start + count] = d[rng.integers(0, n, size=(count, n))].mean(axis=1)
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    # The tolerance keeps float noise in the resampled means from deciding a tie.
    extreme = np.abs(means - observed) >= abs(observed) - 1e-12 * max(1.0, abs(observed))
    p = (1 + int(extreme.sum())) / (resamples + 1)
    return {"difference": observed, "ci_low": float(low), "ci_high": float(high), "p": p}


def paired_effect_size(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Cohen's d_z: mean of b - a over the SD of b - a (None when the SD is 0 or n < 2)."""
    import numpy as np

    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    if len(d) < 2:
        return None
    sd = float(d.std(ddof=1))
    return float(d.mean()) / sd if sd > 0 else None


def mcnemar_test(a_correct: Sequence[bool], b_correct: Sequence[bool]) -> dict[str, Any]:
    """McNemar's test on two classifiers' per-example correctness (statsmodels).

    Exact (binomial) below 25 discordant pairs, else the chi-square with continuity correction.
    ``a_only``: examples only a got right; ``b_only``: only b.
    """
    import numpy as np

    a, b = np.asarray(a_correct, dtype=bool), np.asarray(b_correct, dtype=bool)
    if a.shape != b.shape:
        raise XpError("McNemar needs both classifiers' results on the same examples")
    both, a_only = int((a & b).sum()), int((a & ~b).sum())
    b_only, neither = int((~a & b).sum()), int((~a & ~b).sum())
    discordant = a_only + b_only
    exact = discordant < EXACT_BELOW
    if discordant == 0:  # nothing to tell them apart: no evidence of a difference
        return {"statistic": 0.0, "p": 1.0, "exact": True, "a_only": 0, "b_only": 0}
    from statsmodels.stats.contingency_tables import mcnemar

    result = mcnemar([[both, a_only], [b_only, neither]], exact=exact, correction=True)
    return {
        "statistic": float(result.statistic),
        "p": float(result.pvalue),
        "exact": exact,
        "a_only": a_only,
        "b_only": b_only,
    }


def per_example(columns: dict[str, np.ndarray], task: str, metric: str) -> np.ndarray:
    """One run's per-example value of ``metric`` (correct as 0/1, squared or absolute error)."""
    import numpy as np

    y_true, y_pred = columns["y_true"], columns["y_pred"]
    if metric == "accuracy":
        numeric = y_true.dtype.kind in "biuf" and y_pred.dtype.kind in "biuf"
        same = y_true == y_pred if numeric else y_true.astype(str) == y_pred.astype(str)
        return np.asarray(same, dtype=float)  # (labels 3 and 3.0 are the same class)
    error = y_pred.astype(float) - y_true.astype(float)
    return np.asarray(error**2 if metric == "mse" else np.abs(error), dtype=float)


def aligned(sides: Sequence[Sequence[dict[str, np.ndarray]]]) -> list[list[np.ndarray]]:
    """Each run's columns reordered by id (sorted as text), checking every run has the same ids.

    Raises:
        XpError: two runs' ids differ (names how many are not shared).
    """
    import numpy as np

    reference: np.ndarray | None = None
    out = []
    for runs in sides:
        side = []
        for columns in runs:
            ids = columns["id"].astype(str)
            order = np.argsort(ids, kind="stable")
            if reference is None:
                reference = ids[order]
            elif len(ids) != len(reference) or not np.array_equal(ids[order], reference):
                unshared = len(set(ids.tolist()) ^ set(reference.tolist()))
                raise XpError(
                    f"the runs' predictions are not on the same ids ({unshared} ids not "
                    f"shared, {len(ids)} vs {len(reference)} examples): no paired test"
                )
            side.append(order)
        out.append(side)
    return out


def paired_rows(
    split: str,
    task: str,
    label_a: str,
    label_b: str,
    runs_a: Sequence[dict[str, np.ndarray]],
    runs_b: Sequence[dict[str, np.ndarray]],
) -> list[dict[str, Any]]:
    """The paired tests of two sides (lists of runs' prediction columns) on one split."""
    import numpy as np

    orders = aligned([runs_a, runs_b])
    rows = []
    for metric in METRICS[task]:
        sides = [
            np.mean([per_example(c, task, metric)[o] for c, o in zip(runs, order, strict=True)], 0)
            for runs, order in zip((runs_a, runs_b), orders, strict=True)
        ]
        keep = np.isfinite(sides[0]) & np.isfinite(sides[1])
        a, b = sides[0][keep], sides[1][keep]
        boot = paired_bootstrap(a, b)
        row: dict[str, Any] = {
            "key": f"{split}/{metric}",
            "split": split,
            "metric": metric,
            "group_a": label_a,
            "group_b": label_b,
            "runs_a": len(runs_a),
            "runs_b": len(runs_b),
            "n_examples": int(keep.sum()),
            "non_finite": int((~keep).sum()),
            "value_a": float(a.mean()) if len(a) else None,
            "value_b": float(b.mean()) if len(b) else None,
            "difference": boot["difference"],
            "ci_low": boot["ci_low"],
            "ci_high": boot["ci_high"],
            "bootstrap_p": boot["p"],
            "effect_size": paired_effect_size(a, b) if len(a) else None,
            "mcnemar_statistic": None,
            "mcnemar_p": None,
            "mcnemar_exact": None,
            "a_only": None,
            "b_only": None,
            "test": "paired bootstrap",
            "p_value": boot["p"],
            "warning": ONE_RUN_WARNING if min(len(runs_a), len(runs_b)) == 1 else None,
        }
        if metric == "accuracy" and len(runs_a) == len(runs_b) == 1 and len(a):
            mc = mcnemar_test(a > 0.5, b > 0.5)
            row.update(
                mcnemar_statistic=mc["statistic"],
                mcnemar_p=mc["p"],
                mcnemar_exact=mc["exact"],
                a_only=mc["a_only"],
                b_only=mc["b_only"],
                test="McNemar (exact binomial)" if mc["exact"] else "McNemar (chi-square)",
                p_value=mc["p"],
            )
        rows.append(row)
    return rows


def prediction_sets(detail: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The splits a run logged predictions on: split -> sha256, task, file (from its tags)."""
    found: dict[str, dict[str, str]] = {}
    for key, value in detail.get("tags", {}).items():
        if key.startswith(tags.PREDICTIONS_PREFIX):
            split, _, field = key.removeprefix(tags.PREDICTIONS_PREFIX).rpartition(".")
            found.setdefault(split, {})[field] = value
    return {
        s: f
        for s, f in found.items()
        if {tags.SHA256_FIELD, tags.TASK_FIELD, tags.FILE_FIELD} <= f.keys()
        and f[tags.TASK_FIELD] in METRICS
    }


def load_predictions(store: Any, run_id: str, info: dict[str, str]) -> dict[str, np.ndarray]:
    """One run's predictions on a split, checked against the sha256 its journal recorded."""
    name = info[tags.FILE_FIELD]  # read back from the store: only our own names are fetched
    suffix = "." + name.rpartition(".")[2]
    if suffix not in SUFFIXES or not PREDICTIONS_FILE.fullmatch(name):
        raise XpError(f"run {run_id[:8]}: not a predictions file: {name[:80]!r}")
    data = store.read_artifact_bytes(run_id, f"{tags.ARTIFACT_DIR}/{name}")
    if data is None:
        raise XpError(f"run {run_id[:8]}: {name} is not in the store (yet)")
    if hashlib.sha256(data).hexdigest() != info[tags.SHA256_FIELD]:
        raise XpError(f"run {run_id[:8]}: {name} does not match its recorded sha256")
    return read_columns(data, suffix)


def paired_tests(
    store: Any, details: list[dict[str, Any]], groups: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Paired tests between every two seed groups (or the two runs, when they form one group)
    on each split both sides logged predictions for; and notes on the pairs left out."""
    sides = [(g["label"], g["run_ids"]) for g in groups]
    if len(groups) == 1 and len(details) == 2:  # same params: two runs of changed code
        sides = [(f"run {d['name'] or d['run_id'][:8]}", [d["run_id"]]) for d in details]
    sets = {d["run_id"]: prediction_sets(d) for d in details}
    rows: list[dict[str, Any]] = []
    notes: list[str] = []
    cache: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    for (label_a, ids_a), (label_b, ids_b) in itertools.combinations(sides, 2):
        shared = set.intersection(*(set(sets[r]) for r in ids_a + ids_b))
        for split in sorted(shared):
            tasks = {sets[r][split][tags.TASK_FIELD] for r in ids_a + ids_b}
            if len(tasks) > 1:
                notes.append(f"{split}: {label_a} vs {label_b} mix classification and regression")
                continue
            try:
                loaded = []
                for run_ids in (ids_a, ids_b):
                    for run_id in run_ids:
                        if (run_id, split) not in cache:
                            info = sets[run_id][split]
                            cache[run_id, split] = load_predictions(store, run_id, info)
                    loaded.append([cache[r, split] for r in run_ids])
                rows += paired_rows(split, tasks.pop(), label_a, label_b, *loaded)
            except XpError as exc:
                notes.append(f"{split}: {label_a} vs {label_b}: {exc}")
    return rows, notes


def correct_with_paired(
    group_tests: list[dict[str, Any]],
    paired: list[dict[str, Any]],
    correction: str,
    alpha: float = ALPHA,
) -> None:
    """Adjust the group tests' and the paired tests' p-values as one family (in place).

    The paired tests' p-values (McNemar where it applies, else the bootstrap) join each of the
    group tests' families (Welch, permutation); a paired test is distinguishable when its
    adjusted p-value is below ``alpha``.
    """
    adjust = ADJUST[correction]
    tested = [p for p in paired if p["p_value"] is not None]
    for name in ("welch_p", "permutation_p"):
        joint = adjust([t[name] for t in group_tests] + [p["p_value"] for p in tested])
        for test, value in zip(group_tests, joint, strict=False):
            test[f"{name}_adjusted"] = value
        if name == "welch_p":
            for row, value in zip(tested, joint[len(group_tests) :], strict=True):
                row["p_adjusted"] = value
    for test in group_tests:
        test["distinguishable"] = test["welch_p_adjusted"] < alpha
        test["warning"] = verdict_warning(test["n_a"], test["n_b"], test["distinguishable"])
    for row in paired:
        row.setdefault("p_adjusted", None)
        row["distinguishable"] = row["p_adjusted"] is not None and row["p_adjusted"] < alpha
