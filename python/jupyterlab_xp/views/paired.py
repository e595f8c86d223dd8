"""Paired tests: two runs (or seed groups) with predictions on the same examples, compared per id.

Where runs logged predictions (``xp.log_predictions``) on the same split with the same ids,
the metric (accuracy for classifiers, MSE and MAE for regression) is compared on exactly the
same examples. Two single runs are compared example by example: an exact sign-flip
permutation test of the mean difference (exact under the null that each example's two values
are exchangeable, at any number of examples: on 3 examples it is the sign test), McNemar's test
for two classifiers, a Student's t interval of the mean difference and d_z with its interval.
That says the two models differ on these examples. Two seed groups are compared with the runs
as the units — each run's metric on the shared examples, by the group test of
:mod:`jupyterlab_xp.views.stats` — so run-to-run variation counts (averaging the runs per
example and resampling examples ignored it: 8-32 % false positives with 5 runs a side), and
the interval of the difference adds the examples' variance to the runs'. Every random step
uses a fixed seed.
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
from jupyterlab_xp.core.prediction_files import SUFFIXES
from jupyterlab_xp.store.prediction_reads import predictions
from jupyterlab_xp.views.stats import (
    ALPHA,
    CONFIDENCE,
    DISTINGUISHABLE,
    NO_DECISION,
    NOT_DISTINGUISHABLE,
    RANDOM_SEED,
    RESAMPLES,
    RESOLUTION,
    compare_groups,
    correct,
    decide,
    detectable_effect,
    noncentral_interval,
    not_distinguishable,
)

if TYPE_CHECKING:
    import numpy as np

PREDICTIONS_FILE = re.compile(rf"{tags.PREDICTIONS_DIR}/[A-Za-z0-9_-]{{1,64}}\.(parquet|npz)")
EXACT_BELOW = 25  # McNemar: the exact binomial test below this many discordant pairs
EXACT_FLIPS = 16  # sign-flip test: every sign pattern up to this many nonzero differences
CELLS_PER_CHUNK = 2_000_000  # random signs drawn per chunk (bounded memory)
ONE_RUN_WARNING = (
    "one run a side: this says the two models differ on these examples, not that the "
    "configurations differ beyond seed noise"
)
ONE_SIDE_ALONE = (
    "one run on one side and several on the other: the lone run's seed noise cannot be "
    "measured; record more seeds of it"
)
METRICS = {"classification": ("accuracy",), "regression": ("mse", "mae")}


def sign_flip_p(
    differences: Sequence[float] | np.ndarray, resamples: int = RESAMPLES, seed: int = RANDOM_SEED
) -> tuple[float | None, float | None]:
    """Two-sided sign-flip permutation p of the mean of paired differences, and the smallest p
    these many nonzero differences could give.

    Differences are compared at the data's resolution (zeros drop out, ties are ties).
    Exact over every sign pattern up to :data:`EXACT_FLIPS` nonzero differences, else
    ``resamples`` random patterns from ``numpy.random.default_rng(seed)`` plus the observed
    one: p = #{|sum*| >= |sum|} / patterns.
    """
    import numpy as np

    d = np.asarray(differences, dtype=float)
    if d.ndim != 1:
        raise XpError("paired differences must be one-dimensional")
    if len(d) == 0 or not np.isfinite(d).all():
        return None, None
    q = nonzero_differences(d)
    k = len(q)
    if k == 0:
        return 1.0, 1.0
    observed = abs(float(q.sum()))
    smallest = min(1.0, 2 * 0.5**k)
    if k <= EXACT_FLIPS:
        patterns = np.array(list(itertools.product((1.0, -1.0), repeat=k)))
        sums = np.abs(patterns @ q)
        return float((sums >= observed).sum() / len(patterns)), smallest
    rng = np.random.default_rng(seed)
    extreme = 0
    rows = max(1, CELLS_PER_CHUNK // k)
    for start in range(0, resamples, rows):
        count = min(rows, resamples - start)
        signs = rng.integers(0, 2, size=(count, k)).astype(float) * 2 - 1
        extreme += int((np.abs(signs @ q) >= observed).sum())
    return (1 + extreme) / (resamples + 1), max(smallest, 1 / (resamples + 1))


def nonzero_differences(d: np.ndarray) -> np.ndarray:
    """The differences that are not 0 at the data's resolution, as exact integers (floats)."""
    import numpy as np

    scale = float(np.abs(d).max()) or 1.0
    steps = min(1 / RESOLUTION, 2.0**52 / len(d))  # sums of these integers stay exact
    q = np.rint(d / scale * steps)
    nonzero: np.ndarray = q[q != 0]
    return nonzero


def paired_interval(
    differences: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE
) -> tuple[float | None, float | None]:
    """Student's t interval of the mean of paired differences (n >= 2)."""
    import numpy as np
    from scipy import stats

    d = np.asarray(differences, dtype=float)
    if len(d) < 2:
        return None, None
    half = float(stats.t.ppf((1 + confidence) / 2, len(d) - 1)) * d.std(ddof=1) / math.sqrt(len(d))
    return float(d.mean() - half), float(d.mean() + half)


def paired_effect_size(
    a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray
) -> float | None:
    """Cohen's d_z: mean of b - a over the SD of b - a (None when the SD is 0 or n < 2)."""
    import numpy as np

    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    if len(d) < 2:
        return None
    sd = float(d.std(ddof=1))
    return float(d.mean()) / sd if sd > 0 else None


def paired_effect_interval(
    d_z: float | None, n: int, confidence: float = CONFIDENCE
) -> tuple[float | None, float | None]:
    """The 95 % interval of the population d_z (noncentral t with n - 1 df, normal data)."""
    if d_z is None or n < 2:
        return None, None
    interval = noncentral_interval(d_z * math.sqrt(n), n - 1, math.sqrt(n), confidence)
    return interval if interval else (None, None)


def mcnemar_test(
    a_correct: Sequence[bool] | np.ndarray, b_correct: Sequence[bool] | np.ndarray
) -> dict[str, Any]:
    """McNemar's test on two classifiers' per-example correctness (statsmodels).

    Exact (binomial) below 25 discordant pairs, else the chi-square with continuity correction;
    equal discordant counts are no evidence of a difference (p = 1: the corrected chi-square
    would give 1/(b + c) as its statistic). ``a_only``: examples only a got right; ``b_only``:
    only b.
    """
    import numpy as np

    a, b = np.asarray(a_correct, dtype=bool), np.asarray(b_correct, dtype=bool)
    if a.shape != b.shape:
        raise XpError("McNemar needs both classifiers' results on the same examples")
    both, a_only = int((a & b).sum()), int((a & ~b).sum())
    b_only, neither = int((~a & b).sum()), int((~a & ~b).sum())
    discordant = a_only + b_only
    exact = discordant < EXACT_BELOW
    if a_only == b_only:  # nothing, or as much, on either side: no evidence of a difference
        return {"statistic": 0.0, "p": 1.0, "exact": exact, "a_only": a_only, "b_only": b_only}
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
        # one row per run: its per-example values in the shared id order
        values = [
            np.array([per_example(c, task, metric)[o] for c, o in zip(runs, order, strict=True)])
            for runs, order in zip((runs_a, runs_b), orders, strict=True)
        ]
        keep = np.isfinite(values[0]).all(axis=0) & np.isfinite(values[1]).all(axis=0)
        per_run = [v[:, keep] for v in values]
        a, b = (v.mean(axis=0) for v in per_run)  # each side's per-example mean over its runs
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
            "difference": float((b - a).mean()) if len(a) else None,
            "ci_low": None,
            "ci_high": None,
            "effect_size": None,
            "effect_ci_low": None,
            "effect_ci_high": None,
            "mcnemar_statistic": None,
            "mcnemar_p": None,
            "mcnemar_exact": None,
            "a_only": None,
            "b_only": None,
            "test": "none",
            "p_value": None,
            "warning": None,
        }
        if min(len(runs_a), len(runs_b)) == 1 and max(len(runs_a), len(runs_b)) > 1:
            row["_decide"] = {"reason": ONE_SIDE_ALONE}
        elif len(runs_a) == 1:
            row.update(_example_test(task, metric, a, b))
        else:
            row.update(_run_test(per_run[0], per_run[1]))
        rows.append(row)
    return rows


def _example_test(task: str, metric: str, a: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    """Two single runs, example by example: the sign-flip test (McNemar for classifiers)."""
    d = b - a
    p, smallest = sign_flip_p(d)
    d_z = paired_effect_size(a, b)
    out: dict[str, Any] = {
        "test": "sign-flip permutation",
        "p_value": p,
        "warning": ONE_RUN_WARNING,
        "effect_size": d_z,
    }
    out["ci_low"], out["ci_high"] = paired_interval(d)
    out["effect_ci_low"], out["effect_ci_high"] = paired_effect_interval(d_z, len(d))
    if metric == "accuracy" and len(a):
        mc = mcnemar_test(a > 0.5, b > 0.5)
        out.update(
            mcnemar_statistic=mc["statistic"],
            mcnemar_p=mc["p"],
            mcnemar_exact=mc["exact"],
            a_only=mc["a_only"],
            b_only=mc["b_only"],
            test="McNemar (exact binomial)" if mc["exact"] else "McNemar (chi-square)",
            p_value=mc["p"],
        )
    sd = float(d.std(ddof=1)) if len(d) > 1 else 0.0
    differ = len(nonzero_differences(d)) if len(d) else 0
    out["_decide"] = {"smallest_p": smallest, "n": len(d), "sd": sd, "differ": differ}
    if p is None:
        out["_decide"]["reason"] = "no example with finite values on both sides"
    return out


def _run_test(runs_a: np.ndarray, runs_b: np.ndarray) -> dict[str, Any]:
    """Two seed groups with the runs as the units: each run's metric on the shared examples,
    tested by the group test; the interval adds the examples' variance to the runs'."""
    if runs_a.shape[1] == 0:
        return {"_decide": {"reason": "no example with finite values in every run"}}
    values_a, values_b = runs_a.mean(axis=1), runs_b.mean(axis=1)
    test = compare_groups("", values_a.tolist(), values_b.tolist())
    low, high = run_interval(values_a[None, :], values_b[None, :], example_variance(runs_a, runs_b))
    return {
        "test": "runs as units: permutation and Welch over each run's metric",
        "p_value": test["p_value"],
        "ci_low": float(low[0]),
        "ci_high": float(high[0]),
        "effect_size": test["hedges_g"],
        "effect_ci_low": test["effect_ci_low"],
        "effect_ci_high": test["effect_ci_high"],
        "_decide": {"group_test": test},
    }


def example_variance(runs_a: np.ndarray, runs_b: np.ndarray) -> float:
    """The variance the sample of examples adds to the difference of the groups' means.

    ``runs_a`` (n_a, N) and ``runs_b`` (n_b, N) are per-example values. The per-example
    difference of the groups' means varies over examples with the true per-example effect and
    with the runs' own noise; that noise is already in the runs' variance, so its share
    (the mean over examples of each side's variance across runs / n) is taken out, leaving
    the effect's variance over the examples / N (0 at the least).
    """
    n_examples = runs_a.shape[1]
    if n_examples < 2:
        return 0.0
    d = runs_b.mean(axis=0) - runs_a.mean(axis=0)
    noise = sum(float(r.var(axis=0, ddof=1).mean()) / len(r) for r in (runs_a, runs_b))
    return float(max(0.0, float(d.var(ddof=1)) - noise) / n_examples)


def run_interval(
    values_a: np.ndarray,
    values_b: np.ndarray,
    example_var: float | np.ndarray,
    confidence: float = CONFIDENCE,
) -> tuple[np.ndarray, np.ndarray]:
    """The interval of mean b - mean a for rows of per-run values (S, n), n >= 2 a side:
    Welch's standard error over the runs plus ``example_var`` (:func:`example_variance`),
    Welch-Satterthwaite's df over the runs (a normal quantile when the runs do not vary)."""
    import numpy as np
    from scipy import stats

    va = values_a.var(axis=1, ddof=1) / values_a.shape[1]
    vb = values_b.var(axis=1, ddof=1) / values_b.shape[1]
    runs = va + vb
    with np.errstate(invalid="ignore", divide="ignore"):
        df = runs**2 / (va**2 / (values_a.shape[1] - 1) + vb**2 / (values_b.shape[1] - 1))
    df = np.where(runs > 0, df, 1e6)
    half = stats.t.ppf((1 + confidence) / 2, df) * np.sqrt(runs + example_var)
    d = values_b.mean(axis=1) - values_a.mean(axis=1)
    return d - half, d + half


def decide_paired(row: dict[str, Any], family: int, alpha: float = ALPHA) -> None:
    """A paired row's decision and reason from its adjusted p (in place)."""
    facts = row.pop("_decide", {})
    row.setdefault("p_adjusted", None)
    if "group_test" in facts:
        test = {**facts["group_test"], "p_adjusted": row["p_adjusted"]}
        decide(test, family, alpha)
        decided = ("decision", "reason", "detectable_difference", "distinguishable", "warning")
        row.update({k: test[k] for k in decided})
        return
    row["detectable_difference"] = None
    if row["p_value"] is None or "reason" in facts:
        row["decision"], row["reason"] = NO_DECISION, facts.get("reason", "no test")
    elif facts["differ"] == 0:
        row["decision"] = NOT_DISTINGUISHABLE
        row["reason"] = "the two runs agree on every example (at the data's resolution)"
    elif facts["smallest_p"] >= alpha:
        row["decision"] = NO_DECISION
        row["reason"] = (
            f"{facts['differ']} of {row['n_examples']} examples differ: no p below {alpha:g} "
            f"is possible (the smallest is {facts['smallest_p']:.3g})"
        )
    elif row["p_adjusted"] < alpha:
        row["decision"], row["reason"] = DISTINGUISHABLE, f"{row['test']}, adjusted"
    else:
        row["decision"] = NOT_DISTINGUISHABLE
        n = facts["n"]
        effect = detectable_effect(n - 1, math.sqrt(n), alpha / family)
        row["detectable_difference"], row["reason"] = not_distinguishable(
            effect, facts["sd"], "these examples"
        )
    row["distinguishable"] = row["decision"] == DISTINGUISHABLE


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
    data = store.artifacts.read_bytes(run_id, f"{tags.ARTIFACT_DIR}/{name}")
    if data is None:
        raise XpError(f"run {run_id[:8]}: {name} is not in the store (yet)")
    if hashlib.sha256(data).hexdigest() != info[tags.SHA256_FIELD]:
        raise XpError(f"run {run_id[:8]}: {name} does not match its recorded sha256")
    return predictions(data, suffix, info[tags.TASK_FIELD], f"run {run_id[:8]}: {name}")


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
) -> int:
    """Adjust the group tests' and the paired tests' p-values as one family and decide each
    (in place); returns the family's size (the "over N tests" every frontend shows).

    A paired test's p-value (McNemar where it applies, else the sign-flip test; for seed
    groups the group test over runs) joins the group tests' family; each is decided by its
    adjusted p-value. A seed-group row whose runs' values are the logged metric's (the same
    test as a group test of that key) is counted once: it takes the group test's adjusted p.
    """
    twins = {id(row): twin for row in paired if (twin := _group_twin(row, group_tests))}
    tested = [p for p in paired if p["p_value"] is not None and id(p) not in twins]
    adjusted = correct(group_tests, correction, alpha, [p["p_value"] for p in tested])
    for row, value in zip(tested, adjusted, strict=True):
        row["p_adjusted"] = value
    family = len(group_tests) + len(tested)
    for row in paired:
        if id(row) in twins:
            row["p_adjusted"] = twins[id(row)]["p_adjusted"]
        decide_paired(row, family, alpha)
        if id(row) in twins:
            row["reason"] += " (the same test as the group test of this metric: counted once)"
    return family


def _group_twin(row: dict[str, Any], group_tests: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The group test that is the same test as this seed-group row (same metric, groups and
    p-value: the logged metric is each run's value on these examples), or None."""
    test = row.get("_decide", {}).get("group_test")
    if test is None:
        return None
    for group in group_tests:
        same = (group["key"], group["group_a"], group["group_b"]) == (
            row["key"],
            row["group_a"],
            row["group_b"],
        )
        if same and (group["n_a"], group["n_b"], group["p_value"]) == (
            test["n_a"],
            test["n_b"],
            test["p_value"],
        ):
            return group
    return None
