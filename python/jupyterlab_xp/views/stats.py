"""Statistics across seeds: intervals, effect sizes, tests between groups and their correction.

A seed group is the runs whose params are equal except the seed and the seeds derived from it
(``seed.data``; one of them may be held, see :func:`seed_groups`). Each metric of a group gets
mean ± std and a 95 % Student's t interval of the mean at every group size (a bootstrap from 10
runs under-covered: 89 % at n = 10, `make calibrate`). Two groups are compared on every metric
except ``system/*`` (machine load, not results) by an exact permutation test of the difference
of means and by Welch's t-test; a test's p-value is the larger of the two, so it is valid where
either is (the permutation test at tiny and unequal sizes and with ties, Welch where the groups'
spreads differ). Values are compared at the data's resolution (:data:`RESOLUTION` of the
largest value), so rounding noise never counts as a difference or as spread. The p-values of
all tests are corrected together (Holm, or Benjamini-Hochberg) and each test gets a decision:
*distinguishable*, *not distinguishable* at this power (with the smallest difference these
seeds detect 80 % of the time), or *no decision* (with the reason: too few runs for any p below
alpha, a metric missing from a group, non-finite values). Every random step uses a fixed seed,
so the same runs always give the same numbers.
"""

from __future__ import annotations

import functools
import itertools
import math
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.validation import is_seed_param

if TYPE_CHECKING:
    import numpy as np

ALPHA = 0.05
CONFIDENCE = 0.95
POWER = 0.8  # the power the smallest detectable difference is quoted at
FEW_SEEDS = 5  # below this a group gets a warning
RESAMPLES = 9999
RANDOM_SEED = 0
CORRECTIONS = ("holm", "bh")
SYSTEM_PREFIX = "system/"
# Values closer than this share of the largest magnitude are equal: means of accuracies round
# differently (0.1 + 0.2 vs 0.3), and that must neither decide a test nor make spread.
RESOLUTION = 1e-9
# Enumerate every split of the runs up to this many (20 runs, 10 a side: 184,756); integers at
# RESOLUTION stay below 2**53 when summed, so float sums of them are exact and ties are ties.
EXACT_SPLITS = 200_000
CELLS_PER_CHUNK = 4_000_000  # split sums held at once (bounded memory)
DISTINGUISHABLE = "distinguishable"
NOT_DISTINGUISHABLE = "not distinguishable"
NO_DECISION = "no decision"


# --- numbers that never overflow --------------------------------------------------------


def finite(values: Sequence[float]) -> tuple[list[float], int]:
    """The finite values, and how many were NaN or infinite (left out of every statistic)."""
    kept = [float(v) for v in values if isinstance(v, int | float) and math.isfinite(v)]
    return kept, len(values) - len(kept)


def magnitude(*groups: Sequence[float]) -> float:
    """The largest absolute value (1 when all are 0): values are scaled by it before summing."""
    return max((abs(v) for g in groups for v in g), default=0.0) or 1.0


def safe_mean(values: Sequence[float]) -> float:
    """The mean, computed on values scaled to [-1, 1] (two losses of 1e308 do not overflow)."""
    scale = magnitude(values)
    return math.fsum(v / scale for v in values) / len(values) * scale


def safe_std(values: Sequence[float]) -> float:
    """The sample standard deviation (n - 1), computed on scaled values."""
    scale = magnitude(values)
    scaled = [v / scale for v in values]
    mean = math.fsum(scaled) / len(scaled)
    return math.sqrt(math.fsum((v - mean) ** 2 for v in scaled) / (len(scaled) - 1)) * scale


def quantised(values: Sequence[float], scale: float) -> np.ndarray:
    """``values`` as integers (in a float array) at :data:`RESOLUTION` of ``scale``."""
    import numpy as np

    return np.rint(np.asarray(values, dtype=float) / scale / RESOLUTION)


# --- intervals and effect sizes ---------------------------------------------------------


def t_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Student's t interval of the mean: mean ± t(1 - alpha/2, n - 1) · s / √n (n >= 2)."""
    from scipy import stats

    n = len(values)
    scale = magnitude(values)
    scaled = [v / scale for v in values]
    mean = safe_mean(scaled)
    half = float(stats.t.ppf((1 + confidence) / 2, n - 1)) * safe_std(scaled) / math.sqrt(n)
    return (mean - half) * scale, (mean + half) * scale


def describe(key: str, raw: Sequence[float]) -> dict[str, Any]:
    """One metric over a group: n, mean, std, the interval and which method made it."""
    values, dropped = finite(raw)
    n = len(values)
    row: dict[str, Any] = {
        "key": key,
        "n": n,
        "non_finite": dropped,
        "mean": safe_mean(values) if values else None,
        "std": safe_std(values) if n > 1 else None,
        "ci_low": None,
        "ci_high": None,
        "interval": "none",
        "tested": not key.startswith(SYSTEM_PREFIX),
    }
    if n >= 2:
        row["interval"] = "t"
        row["ci_low"], row["ci_high"] = t_interval(values)
    return row


def cohens_d(a: Sequence[float], b: Sequence[float]) -> float | None:
    """(mean b - mean a) / pooled SD, the pooled SD weighting each variance by n - 1."""
    if len(a) < 2 or len(b) < 2:
        return None
    scale = magnitude(a, b)
    a, b = [v / scale for v in a], [v / scale for v in b]
    pooled = math.sqrt(
        ((len(a) - 1) * safe_std(a) ** 2 + (len(b) - 1) * safe_std(b) ** 2) / (len(a) + len(b) - 2)
    )
    return (safe_mean(b) - safe_mean(a)) / pooled if pooled > 0 else None


def hedges_correction(df: float) -> float:
    """Hedges' J(df) = Γ(df/2) / (√(df/2) Γ((df-1)/2)): d · J is unbiased for the population d."""
    return math.exp(math.lgamma(df / 2) - 0.5 * math.log(df / 2) - math.lgamma((df - 1) / 2))


def noncentral_interval(
    t: float, df: float, factor: float, confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """The interval of a standardised difference δ from an observed t whose distribution is
    noncentral t(df, δ · factor): the δ at which t sits at each tail (normal data)."""
    from scipy import optimize, stats

    if not math.isfinite(t):
        return None
    tail = (1 - confidence) / 2

    def root(target: float) -> float:
        def gap(delta: float) -> float:
            cdf = float(stats.nct.cdf(t, df, delta * factor))
            if math.isnan(cdf):  # far in a tail scipy cannot evaluate: the cdf's limit there
                cdf = 1.0 if delta < t / factor else 0.0
            return cdf - target

        width = abs(t) / factor + 2.0
        low, high = -width, width
        while gap(low) < 0:  # the cdf falls as δ grows: widen until the root is bracketed
            low *= 2
        while gap(high) > 0:
            high *= 2
        return float(optimize.brentq(gap, low, high, xtol=1e-10))

    return root(1 - tail), root(tail)


def hedges_g(a: Sequence[float], b: Sequence[float]) -> dict[str, float | None]:
    """Hedges' g (Cohen's d with the small-sample correction) and its 95 % interval."""
    d = cohens_d(a, b)
    if d is None:
        return {"hedges_g": None, "effect_ci_low": None, "effect_ci_high": None}
    df = len(a) + len(b) - 2
    factor = math.sqrt(len(a) * len(b) / (len(a) + len(b)))
    interval = noncentral_interval(d * factor, df, factor)
    low, high = interval if interval else (None, None)
    return {"hedges_g": d * hedges_correction(df), "effect_ci_low": low, "effect_ci_high": high}


def detectable_effect(df: float, factor: float, alpha: float, power: float = POWER) -> float | None:
    """The smallest standardised difference δ a two-sided t-test at ``alpha`` detects with
    ``power`` when t is noncentral t(df, δ · factor): two groups of n_a and n_b (df
    n_a + n_b - 2, factor √(n_a n_b / (n_a + n_b))), or n paired values (n - 1, √n)."""
    from scipy import optimize, stats

    if df < 1:
        return None
    critical = float(stats.t.ppf(1 - alpha / 2, df))

    def gap(delta: float) -> float:
        ncp = delta * factor
        return float(stats.nct.sf(critical, df, ncp) + stats.nct.cdf(-critical, df, ncp)) - power

    high = 1.0
    while gap(high) < 0 and high < 1e6:
        high *= 2
    return float(optimize.brentq(gap, 0.0, high, xtol=1e-8)) if gap(high) >= 0 else None


def not_distinguishable(
    effect: float | None, sd: float | None, sample: str = "these seeds"
) -> tuple[float | None, str]:
    """The detectable difference in the metric's units (δ · SD), and the words for it."""
    smallest = effect * sd if effect is not None and sd is not None else None
    if not smallest or not math.isfinite(smallest):
        return None, "not distinguishable at this power"
    return smallest, (
        f"not distinguishable at this power: {sample} detect a difference of "
        f"{smallest:.3g} or more {POWER:.0%} of the time"
    )


# --- tests ------------------------------------------------------------------------------


def group_tests_many(a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """The tests between many pairs of groups at once: rows of ``a`` (S, n_a) against rows of
    ``b`` (S, n_b), finite values. What :func:`compare_groups` and the calibration use.

    Each row is scaled by its largest magnitude (nothing overflows; t is scale-free) and
    compared at :data:`RESOLUTION` of it. Welch's t, df and p are NaN where neither group
    varies; a group flat at the data's resolution counts as flat (rounding noise is no
    spread). ``p_value`` is the larger of Welch's and the permutation p (the permutation p
    alone without spread); ``smallest_p`` the smallest p any split of the values gives.
    """
    import numpy as np
    from scipy import stats

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.maximum(np.abs(a).max(axis=1), np.abs(b).max(axis=1))
    scale = np.where(scale > 0, scale, 1.0)[:, None]
    qa, qb = np.rint(a / scale / RESOLUTION), np.rint(b / scale / RESOLUTION)
    flat_a, flat_b = np.ptp(qa, axis=1) == 0, np.ptp(qb, axis=1) == 0
    sa = np.where(flat_a[:, None], a[:, :1], a) / scale
    sb = np.where(flat_b[:, None], b[:, :1], b) / scale
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no spread: NaN, handled below
        welch = stats.ttest_ind(sb, sa, axis=1, equal_var=False)
    no_spread = flat_a & flat_b
    nan = np.full(len(a), np.nan)
    welch_p = np.where(no_spread, nan, np.nan_to_num(welch.pvalue, nan=1.0))
    perm, smallest = permutation_p_many(qa, qb)
    pooled = np.concatenate([qa, qb], axis=1)
    return {
        "welch_t": np.where(no_spread, nan, welch.statistic),
        "welch_df": np.where(no_spread, nan, welch.df),
        "welch_p": welch_p,
        "permutation_p": perm,
        "p_value": np.where(no_spread, perm, np.fmax(welch_p, perm)),
        "smallest_p": smallest,
        "no_spread": no_spread,
        "identical": np.ptp(pooled, axis=1) == 0,
        "quantised_a": qa,
        "quantised_b": qb,
    }


def _number(value: Any) -> float | None:
    return float(value) if math.isfinite(value) else None


def welch(
    a: Sequence[float], b: Sequence[float]
) -> tuple[float | None, float | None, float | None]:
    """Welch's t-test of b against a: (t, df, two-sided p); n >= 2 on each side.

    Computed at the data's resolution: with no spread in either group t, df and p are
    undefined (None) — Welch has nothing to say and the permutation test decides alone.
    """
    import numpy as np

    many = group_tests_many(np.asarray([a], dtype=float), np.asarray([b], dtype=float))
    return tuple(_number(many[k][0]) for k in ("welch_t", "welch_df", "welch_p"))  # type: ignore[return-value]


def permutations_needed(a: Sequence[float], b: Sequence[float]) -> int:
    """How many ways the pooled runs split into groups of these sizes."""
    return math.comb(len(a) + len(b), len(a))


@functools.lru_cache(maxsize=8)
def split_matrix(n_a: int, n_b: int) -> np.ndarray | None:
    """Every split of n_a + n_b runs as rows of 0/1 (1: in group a), or None when too many."""
    import numpy as np

    n = n_a + n_b
    count = math.comb(n, n_a)
    if count > EXACT_SPLITS:
        return None
    members = np.array(list(itertools.combinations(range(n), n_a)), dtype=np.intp)
    rows = np.zeros((count, n), dtype=np.uint8)  # 3.7 MB at 10 and 10, not 30
    rows[np.arange(count)[:, None], members.reshape(count, n_a)] = 1
    rows.setflags(write=False)
    return rows


def permutation_p_many(
    qa: np.ndarray, qb: np.ndarray, resamples: int = RESAMPLES, seed: int = RANDOM_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided permutation p of the difference of means for many pairs of groups at once.

    ``qa`` (S, n_a) and ``qb`` (S, n_b) hold integers (:func:`quantised`). The statistic is
    group a's sum (the difference of means falls as it grows); p = 2 · min(P(T >= t),
    P(T <= t)), capped at 1, with ties counted on both sides — exact over every split, or over
    ``resamples`` random splits (fixed seed) plus the observed one. Also returns the smallest
    p any split of the same values could give (above alpha: no decision is possible).
    """
    import numpy as np

    pooled = np.concatenate([qa, qb], axis=1)
    observed = qa.sum(axis=1)
    n_a = qa.shape[1]
    splits = split_matrix(n_a, qb.shape[1])
    if splits is None:
        rng = np.random.default_rng(seed)
        keys = rng.random((resamples, pooled.shape[1]))
        members = np.argsort(keys, axis=1)[:, :n_a]
        splits = np.zeros((resamples, pooled.shape[1]))
        np.put_along_axis(splits, members, 1.0, axis=1)
        extra = 1  # the observed split counts once more (a valid Monte-Carlo p)
    else:
        extra = 0
    splits = splits.astype(float)  # float sums of integers below 2**53 are exact
    total = len(splits) + extra
    p = np.empty(len(pooled))
    smallest = np.empty(len(pooled))
    rows = max(1, CELLS_PER_CHUNK // len(splits))
    for start in range(0, len(pooled), rows):
        sums = pooled[start : start + rows] @ splits.T
        t = observed[start : start + rows, None]
        greater = (sums >= t).sum(axis=1) + extra
        less = (sums <= t).sum(axis=1) + extra
        p[start : start + rows] = np.minimum(1.0, 2 * np.minimum(greater, less) / total)
        low = (sums == sums.min(axis=1, keepdims=True)).sum(axis=1) + extra
        high = (sums == sums.max(axis=1, keepdims=True)).sum(axis=1) + extra
        smallest[start : start + rows] = np.minimum(1.0, 2 * np.minimum(low, high) / total)
    return p, smallest


def permutation_p(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided permutation test of the difference of means (exact when the splits are few)."""
    scale = magnitude(a, b)
    p, _ = permutation_p_many(quantised(a, scale)[None, :], quantised(b, scale)[None, :])
    return float(p[0])


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
    import numpy as np

    many = group_tests_many(np.asarray([a], dtype=float), np.asarray([b], dtype=float))
    qa, qb = many["quantised_a"][0].tolist(), many["quantised_b"][0].tolist()
    difference = safe_mean(b) - safe_mean(a)
    if abs(difference) <= RESOLUTION * magnitude(a, b):
        difference = 0.0  # rounding noise (0.1 + 0.2 - 0.3) is no difference
    return {
        "key": key,
        "n_a": len(a),
        "n_b": len(b),
        "mean_difference": _number(difference),
        "cohens_d": cohens_d(qa, qb),
        **hedges_g(qa, qb),
        "welch_t": _number(many["welch_t"][0]),
        "welch_df": _number(many["welch_df"][0]),
        "welch_p": _number(many["welch_p"][0]),
        "permutation_p": float(many["permutation_p"][0]),
        "permutation_exact": permutations_needed(a, b) <= EXACT_SPLITS,
        # Valid where either test is: the permutation test at tiny and unequal sizes and
        # with ties, Welch where the spreads differ. No spread: the permutation test alone.
        "p_value": float(many["p_value"][0]),
        "smallest_p": float(many["smallest_p"][0]),
        "no_spread": bool(many["no_spread"][0]),
        "identical": bool(many["identical"][0]),
        # the pooled SD in the metric's units: the detectable difference is quoted in them
        "pooled_sd": _pooled_sd(a, b),
    }


def _pooled_sd(a: Sequence[float], b: Sequence[float]) -> float | None:
    """The pooled SD in the metric's units; None where it overflows (spreads near 1e308)."""
    scale = magnitude(a, b)
    sa, sb = safe_std([v / scale for v in a]), safe_std([v / scale for v in b])
    df = len(a) + len(b) - 2
    return _number(math.sqrt(((len(a) - 1) * sa**2 + (len(b) - 1) * sb**2) / df) * scale)


def decide(test: dict[str, Any], family: int, alpha: float = ALPHA) -> None:
    """The test's decision and its reason, from its adjusted p (in place).

    ``family`` is how many tests were corrected together: the detectable difference is quoted
    at alpha / family, the level the smallest p of a Holm or BH family has to beat.
    """
    n_a, n_b = test["n_a"], test["n_b"]
    if test["identical"]:
        decision = NOT_DISTINGUISHABLE
        reason = "every run has the same value (at the data's resolution)"
    elif test["smallest_p"] >= alpha:
        decision = NO_DECISION
        reason = (
            f"{n_a} and {n_b} runs: no split of these values gives p below {alpha:g} "
            f"(the smallest possible is {test['smallest_p']:.3g}); record more seeds"
        )
    elif test["p_adjusted"] < alpha:
        decision = DISTINGUISHABLE
        reason = (
            "neither group varies: decided by the exact permutation test alone"
            if test["no_spread"]
            else "both the permutation test and Welch's test, adjusted"
        )
    else:
        decision = NOT_DISTINGUISHABLE
        factor = math.sqrt(n_a * n_b / (n_a + n_b))
        effect = detectable_effect(n_a + n_b - 2, factor, alpha / family)
        test["detectable_difference"], reason = not_distinguishable(effect, test["pooled_sd"])
    test.setdefault("detectable_difference", None)
    test["decision"] = decision
    test["reason"] = reason
    test["distinguishable"] = decision == DISTINGUISHABLE
    test["warning"] = verdict_warning(n_a, n_b, test["distinguishable"])


def correct(
    tests: list[dict[str, Any]],
    correction: str,
    alpha: float = ALPHA,
    others: Sequence[float] = (),
) -> list[float]:
    """Adjust the tests' p-values as one family with ``others`` (the paired tests' p-values),
    and decide each test; returns the adjusted ``others``."""
    if correction not in ADJUST:
        raise ValueError(f"correction must be one of {', '.join(CORRECTIONS)}")
    adjust = ADJUST[correction]
    family = len(tests) + len(others)
    for name in ("welch_p", "permutation_p"):  # shown beside the decision's p
        joint = adjust([1.0 if t[name] is None else t[name] for t in tests] + list(others))
        for test, adjusted in zip(tests, joint, strict=False):
            test[f"{name}_adjusted"] = None if test[name] is None else adjusted
    joint = adjust([t["p_value"] for t in tests] + list(others))
    for test, adjusted in zip(tests, joint, strict=False):
        test["p_adjusted"] = adjusted
        decide(test, family, alpha)
    return joint[len(tests) :]


def seed_groups(
    details: Sequence[dict[str, Any]], held_seed: str | None = None
) -> list[tuple[str, dict[str, str], list[dict[str, Any]]]]:
    """Runs (dicts with ``params``) grouped by their params except the seeds, in first-seen
    order: each group's label (the params that vary between groups), its params and its runs.

    ``held_seed`` (``data``) keeps that component's seed (``seed.data``) in the grouping, so
    each group holds it fixed while the other components vary (initialisation noise alone).
    """
    held = f"{tags.NAMED_SEED_PREFIX}{held_seed}" if held_seed else None
    grouped: dict[tuple[tuple[str, str], ...], list[dict[str, Any]]] = {}
    for d in details:
        key = tuple(
            sorted((k, v) for k, v in d["params"].items() if k == held or not is_seed_param(k))
        )
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


LOADER_TAGS = {tags.DATALOADER_WORKERS: "num_workers", tags.DATALOADER_PERSISTENT: "persistent"}


def data_order_note(members: Sequence[dict[str, Any]]) -> str | None:
    """A note when a group's runs made their DataLoaders with other worker settings: worker
    processes draw their own randomness, so the data may have come in another order or with
    other augmentations, and the group's spread is then more than seed noise."""
    found = [(m.get("tags") or {}) for m in members]
    differ = [name for tag, name in LOADER_TAGS.items() if len({t.get(tag) for t in found}) > 1]
    if not differ:
        return None
    return f"runs differ in DataLoader {' and '.join(differ)}: data order may differ"


def left_out_reason(metric: str, a: dict[str, Any] | None, b: dict[str, Any] | None) -> str | None:
    """Why a metric is not tested between two groups (described by :func:`describe`), or None."""
    if metric.startswith(SYSTEM_PREFIX):
        return None  # listed once, as untested_metrics
    if a is None or b is None:
        return "only one group logged it"
    for side in (a, b):
        if side["n"] < 2:
            finite_note = f", {side['non_finite']} NaN or infinite" if side["non_finite"] else ""
            return f"fewer than 2 finite values on a side ({side['n']}{finite_note})"
    return None


def seed_group_stats(
    details: list[dict[str, Any]], metric_keys: list[str], correction: str = "holm"
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Seed groups with each metric's statistics, and the corrected tests between groups."""
    groups, tests, _ = seed_group_tests(details, metric_keys, correction)
    return groups, tests


def seed_group_tests(
    details: list[dict[str, Any]],
    metric_keys: list[str],
    correction: str = "holm",
    held_seed: str | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Seed groups (``held_seed``: see :func:`seed_groups`), the corrected tests between them,
    and the metrics left out of a test between two groups with the reason (present in one
    group only, too few finite values)."""
    if correction not in ADJUST:
        raise ValueError(f"correction must be one of {', '.join(CORRECTIONS)}")
    groups: list[dict[str, Any]] = []
    samples: list[dict[str, list[float]]] = []
    for label, params, members in seed_groups(details, held_seed):
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
                "warning": "; ".join(
                    w for w in (group_warning(len(members)), data_order_note(members)) if w
                )
                or None,
            }
        )
        samples.append({k: finite(v)[0] for k, v in values.items()})
    tests = []
    left_out = []
    for (left, a), (right, b) in itertools.combinations(zip(groups, samples, strict=True), 2):
        described = [{m["key"]: m for m in g["metrics"]} for g in (left, right)]
        for metric in metric_keys:
            sides = [d.get(metric) for d in described]
            if sides[0] is None and sides[1] is None:
                continue
            reason = left_out_reason(metric, *sides)
            pair = {"key": metric, "group_a": left["label"], "group_b": right["label"]}
            if reason:
                left_out.append({**pair, "reason": reason})
            elif not metric.startswith(SYSTEM_PREFIX):
                tests.append({**pair, **compare_groups(metric, a[metric], b[metric])})
    correct(tests, correction)
    return groups, tests, left_out


def decisions(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Every decision in a compare body, one per metric and pair of sides: the group tests,
    the paired tests, and the metrics left out (``no decision``, with the reason).

    What a gate reads: ``decision`` is ``distinguishable``, ``not distinguishable`` (at this
    power) or ``no decision``; ``reason`` says why; ``p_adjusted`` is the family's.
    """
    rows = []
    for kind, source in (("group", "group_tests"), ("paired", "paired_tests")):
        for test in body.get(source, []):
            rows.append(
                {
                    "kind": kind,
                    "key": test["key"],
                    "group_a": test["group_a"],
                    "group_b": test["group_b"],
                    "decision": test["decision"],
                    "reason": test["reason"],
                    "difference": test.get("mean_difference", test.get("difference")),
                    "p_adjusted": test.get("p_adjusted"),
                }
            )
    for row in body.get("left_out", []):
        rows.append(
            {
                "kind": "group",
                **row,
                "decision": NO_DECISION,
                "difference": None,
                "p_adjusted": None,
            }
        )
    return rows
