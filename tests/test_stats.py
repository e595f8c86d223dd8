"""Seed statistics against independent references: published examples, formulas, scipy itself."""

from __future__ import annotations

import itertools
import json
import math
import statistics
import warnings
from typing import Any

import numpy as np
import pytest
from scipy import stats as sps

from jupyterlab_xp.frontends.render import p_text, render_seed_stats, sig
from jupyterlab_xp.kernel.values import MetricNameWarning, metric_name_problem
from jupyterlab_xp.views import stats

# R's `sleep` data (Cushny & Peebles): extra hours of sleep under two drugs, 10 patients each.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def _run(run_id: str, metrics: dict[str, float], **params: str) -> dict[str, Any]:
    return {"run_id": run_id, "params": params, "metrics": metrics}


def _groups(*sides: tuple[str, list[float]], key: str = "val/acc") -> list[dict[str, Any]]:
    """Runs in groups by lr, seeds 0, 1, ..., each logging ``key``."""
    return [
        _run(f"{lr}-{i}", {key: v}, lr=lr, seed=str(i))
        for lr, values in sides
        for i, v in enumerate(values)
    ]


# --- intervals ---------------------------------------------------------------------------


def test_t_interval_matches_the_formula_with_a_printed_t_table_value() -> None:
    # Given 1, 2, 3: mean 2, s = 1; a printed t table gives t(0.975, 2) = 4.303
    low, high = stats.t_interval([1.0, 2.0, 3.0])
    # Then the interval is 2 ± 4.303 / sqrt(3)
    half = 4.302653 / math.sqrt(3)
    assert low == pytest.approx(2 - half, abs=1e-5) and high == pytest.approx(2 + half, abs=1e-5)
    # And it is scipy's own t interval of the mean
    ref = sps.t.interval(0.95, 2, loc=2.0, scale=1 / math.sqrt(3))
    assert (low, high) == pytest.approx(ref, rel=1e-12)


def test_t_interval_for_five_values_by_hand() -> None:
    # Given five values (mean 11, s^2 = 2.5) and t(0.975, 4) = 2.776 from a table
    low, high = stats.t_interval([10.0, 12.0, 9.0, 11.0, 13.0])
    half = 2.776445 * math.sqrt(2.5) / math.sqrt(5)
    assert (low, high) == pytest.approx((11 - half, 11 + half), abs=1e-5)


# README: "the same runs always give the same interval"
# README: "the same runs always give the same interval"
def test_describe_uses_the_t_interval_at_every_size() -> None:
    nine = [0.80, 0.82, 0.79, 0.85, 0.81, 0.83, 0.78, 0.84, 0.80]
    twelve = [*nine, 0.86, 0.77, 0.83]
    # When nine and twelve values are described
    for values in (nine, twelve):
        row = stats.describe("val/acc", values)
        # Then both get scipy's t interval of the mean (BCa from 10 under-covered: 89 %)
        n = len(values)
        ref = sps.t.interval(0.95, n - 1, loc=np.mean(values), scale=sps.sem(values))
        assert row["interval"] == "t"
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(ref, rel=1e-12)
        assert row["mean"] == pytest.approx(statistics.fmean(values))
        assert row["std"] == pytest.approx(statistics.stdev(values))
        assert stats.describe("val/acc", values) == row  # the same runs, the same interval


def test_huge_values_never_overflow() -> None:
    # Given two diverged losses of 1e308 (statistics.fmean raises OverflowError on them)
    with pytest.raises(OverflowError):
        statistics.fmean([1e308, 1e308])
    row = stats.describe("train/loss", [1e308, 1e308])
    # Then the mean is 1e308 and the interval a point, no crash, no infinity
    assert row["mean"] == 1e308 and row["std"] == 0.0
    assert (row["ci_low"], row["ci_high"]) == (1e308, 1e308)
    # And a test between such groups runs: an overflowing difference is null, p is finite
    a, b = [-1e308, -1e308, -0.9e308], [1e308, 1e308, 0.9e308]
    test = stats.compare_groups("train/loss", a, b)
    stats.correct([test], "holm")
    assert test["mean_difference"] is None and 0 < test["p_value"] <= 1
    # ...and Welch's p there is scipy's on the same values scaled by 1e-308 (t is scale-free)
    ref = sps.ttest_ind([1.0, 1.0, 0.9], [-1.0, -1.0, -0.9], equal_var=False).pvalue
    assert test["welch_p"] == pytest.approx(ref)
    json.dumps(test, allow_nan=False)
    # Spreads as wide as floats go: the pooled SD overflows, is null, and nothing fails
    wide = stats.compare_groups("train/loss", [-1.7e308, 1.7e308], [1.7e308, -1.7e308])
    stats.correct([wide], "holm", others=[0.5])
    assert wide["pooled_sd"] is None and wide["decision"] == "no decision"
    assert wide["detectable_difference"] is None


def test_describe_edge_cases_one_run_no_spread_and_nan() -> None:
    # One run: a mean, no std and no interval
    one = stats.describe("val/acc", [0.5])
    assert (one["n"], one["mean"], one["std"], one["ci_low"], one["interval"]) == (
        1,
        0.5,
        None,
        None,
        "none",
    )
    # No spread: the interval is the point (t with s = 0), at every size
    flat = stats.describe("val/acc", [0.5] * 3)
    assert (flat["std"], flat["ci_low"], flat["ci_high"], flat["interval"]) == (0, 0.5, 0.5, "t")
    flat_ten = stats.describe("val/acc", [0.5] * 12)
    assert (flat_ten["ci_low"], flat_ten["ci_high"], flat_ten["interval"]) == (0.5, 0.5, "t")
    # NaN and infinite values are left out and counted
    nan = stats.describe("val/acc", [0.5, math.nan, 0.7, math.inf])
    assert (nan["n"], nan["non_finite"], nan["mean"]) == (2, 2, pytest.approx(0.6))
    only_nan = stats.describe("val/acc", [math.nan, math.nan])
    assert (only_nan["n"], only_nan["mean"], only_nan["std"]) == (0, None, None)
    json.dumps([one, flat, nan, only_nan], allow_nan=False)  # no NaN reaches JSON


# --- tests between groups ----------------------------------------------------------------


def test_welch_matches_the_published_sleep_example() -> None:
    # R: t.test(extra ~ group, data = sleep) -> t = -1.8608, df = 17.776, p-value = 0.07939
    t, df, p = stats.welch(SLEEP_1, SLEEP_2)  # group 2 minus group 1: the sign flips
    assert t == pytest.approx(1.8608, abs=1e-4)
    assert df == pytest.approx(17.776, abs=1e-3)
    assert p == pytest.approx(0.07939, abs=1e-5)


def test_welch_with_unequal_sizes_matches_the_formula_and_scipy() -> None:
    a, b = [0.51, 0.55, 0.49], [0.60, 0.58, 0.66, 0.61, 0.63]
    t, df, p = stats.welch(a, b)
    # By hand: t = (mb - ma) / sqrt(va/na + vb/nb), Welch-Satterthwaite degrees of freedom
    va, vb = statistics.variance(a) / 3, statistics.variance(b) / 5
    t_ref = (statistics.fmean(b) - statistics.fmean(a)) / math.sqrt(va + vb)
    df_ref = (va + vb) ** 2 / (va**2 / 2 + vb**2 / 4)
    assert t == pytest.approx(t_ref, rel=1e-12) and df == pytest.approx(df_ref, rel=1e-12)
    assert p == pytest.approx(2 * sps.t.sf(abs(t_ref), df_ref), rel=1e-9)
    assert p == pytest.approx(sps.ttest_ind(b, a, equal_var=False).pvalue, rel=1e-12)


def test_welch_without_spread() -> None:
    # Neither group varies: t, df and p are undefined (never p = 0, which no correction lifts)
    assert stats.welch([0.5, 0.5], [0.5, 0.5, 0.5]) == (None, None, None)
    assert stats.welch([0.5, 0.5], [0.7, 0.7]) == (None, None, None)
    # Rounding noise is no spread: 0.1 + 0.2 and 0.3 are the same value
    assert stats.welch([0.1 + 0.2, 0.3, 0.3], [0.7, 0.7, 0.7]) == (None, None, None)
    # One group varies: Welch's df is the other's n - 1 and scipy agrees
    t, df, p = stats.welch([0.5, 0.5, 0.5], [0.6, 0.7, 0.8])
    assert t is not None and t > 0
    assert df == pytest.approx(2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy: "nearly identical" data in the flat group
        ref = sps.ttest_ind([0.6, 0.7, 0.8], [0.5] * 3, equal_var=False)
    assert p == pytest.approx(ref.pvalue)


def test_cohens_d_matches_the_published_sleep_value_and_the_formula() -> None:
    # effectsize::cohens_d(extra ~ group, data = sleep) reports d = -0.83 (group 1 - group 2)
    d = stats.cohens_d(SLEEP_1, SLEEP_2)
    assert d == pytest.approx(0.83, abs=0.005)
    # By hand with unequal sizes: pooled variance weights each by n - 1
    a, b = [1.0, 2.0, 3.0, 4.0], [3.0, 5.0]
    pooled = math.sqrt((3 * statistics.variance(a) + 1 * statistics.variance(b)) / 4)
    assert stats.cohens_d(a, b) == pytest.approx((4 - 2.5) / pooled)
    # Undefined below two a side and without spread
    assert stats.cohens_d([1.0], [2.0, 3.0]) is None
    assert stats.cohens_d([1.0, 1.0], [2.0, 2.0]) is None


def _exact_permutation_p(a: list[float], b: list[float]) -> float:
    """Every split enumerated: twice the smaller one-sided p (scipy's two-sided definition)."""
    pooled, observed = a + b, statistics.fmean(b) - statistics.fmean(a)
    diffs = []
    for idx in itertools.combinations(range(len(pooled)), len(a)):
        left = [pooled[i] for i in idx]
        right = [pooled[i] for i in range(len(pooled)) if i not in idx]
        diffs.append(statistics.fmean(right) - statistics.fmean(left))
    less = sum(d <= observed + 1e-12 for d in diffs) / len(diffs)
    greater = sum(d >= observed - 1e-12 for d in diffs) / len(diffs)
    return min(1.0, 2 * min(less, greater))


# README: "exact when the splits number at most 200,000"
def test_permutation_p_is_exact_for_small_groups() -> None:
    # 1, 2, 3 against 4, 5, 6: 2 of the 20 splits are as extreme, p = 0.1 (by hand)
    assert stats.permutation_p([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]) == pytest.approx(0.1)
    assert stats.permutations_needed([1.0] * 3, [1.0] * 3) == 20
    # Unequal sizes: equal to every split enumerated
    a, b = [0.51, 0.55, 0.49], [0.60, 0.58, 0.66, 0.61, 0.63]
    assert stats.permutation_p(a, b) == pytest.approx(_exact_permutation_p(a, b))


# README: "9,999 resamples"
# README: "exact when the splits number at most 200,000"
def test_permutation_p_resamples_reproducibly_for_large_groups() -> None:
    rng = np.random.default_rng(42)
    a, b = list(rng.normal(0.80, 0.02, 11)), list(rng.normal(0.81, 0.02, 11))
    assert stats.permutations_needed(a, b) > stats.EXACT_SPLITS  # 705,432 splits: resampled
    p = stats.permutation_p(a, b)
    assert stats.permutation_p(a, b) == p  # fixed seed
    # Every split enumerated here, in chunks: the resampled p is within 4 standard errors
    pooled = np.array(a + b)
    total, observed = pooled.sum(), sum(a)
    less = greater = count = 0
    members = np.array(list(itertools.combinations(range(22), 11)), dtype=np.int8)
    for chunk in np.array_split(members, 20):
        sums = pooled[chunk].sum(axis=1)
        less += int((sums <= observed + 1e-12).sum())
        greater += int((sums >= observed - 1e-12).sum())
        count += len(chunk)
    exact = min(1.0, 2 * min(less, greater) / count)
    assert total > 0 and p == pytest.approx(exact, abs=4 * math.sqrt(exact * (1 - exact) / 9999))
    # 10 and 10 (184,756 splits) are enumerated
    assert stats.permutations_needed(a[:10], b[:10]) <= stats.EXACT_SPLITS


# --- the cases a calibration study found (issue 18) ------------------------------------


def _fraction_permutation_p(a: list[str], b: list[str]) -> float:
    """Every split enumerated in exact rational arithmetic: 2 · min one-sided tail, capped."""
    from fractions import Fraction

    pooled = [Fraction(v) for v in a + b]
    observed = sum(pooled[: len(a)])
    sums = [sum(pooled[i] for i in s) for s in itertools.combinations(range(len(pooled)), len(a))]
    less = sum(s <= observed for s in sums)
    greater = sum(s >= observed for s in sums)
    return float(min(1, Fraction(2 * min(less, greater), len(sums))))


def test_ties_are_exact_at_the_datas_resolution() -> None:
    # Given accuracies 0.96, 0.97 against 289/300, 290/300, 291/300 (scipy's permutation test
    # said 0.6: its tie tolerance is below the rounding error of these means)
    a, b = [0.96, 0.97], [289 / 300, 290 / 300, 291 / 300]
    # Then the permutation p is the exact one, every split summed in fractions: 1.0
    exact = _fraction_permutation_p(["0.96", "0.97"], ["289/300", "290/300", "291/300"])
    assert exact == 1.0
    assert stats.permutation_p(a, b) == exact


def test_no_spread_never_gives_p_0() -> None:
    # Given [0.99, 0.99] against [1.0, 1.0] (Welch's p was set to 0: "distinguishable")
    test = stats.compare_groups("val/acc", [0.99, 0.99], [1.0, 1.0])
    stats.correct([test], "holm")
    # Then the exact permutation p is 2 of 6 splits, by hand, and no decision is made
    assert test["permutation_p"] == pytest.approx(2 / 6)
    assert test["p_value"] == pytest.approx(1 / 3) and test["welch_p"] is None
    assert test["decision"] == "no decision" and test["distinguishable"] is False
    assert "smallest possible is 0.333" in test["reason"]


def test_a_rounding_difference_is_not_a_difference() -> None:
    # Given [0.1 + 0.2] * 3 against [0.3] * 3: they differ by 5.6e-17 in floating point
    assert 0.1 + 0.2 != 0.3
    test = stats.compare_groups("val/acc", [0.1 + 0.2] * 3, [0.3] * 3)
    stats.correct([test], "holm")
    # Then they are the same values: p = 1, not distinguishable, and the row says why
    assert test["permutation_p"] == 1.0 and test["identical"] is True
    assert test["mean_difference"] == 0.0  # not -5.6e-17
    assert test["decision"] == "not distinguishable" and "same value" in test["reason"]


def test_tiny_group_against_a_large_one_is_decided_by_the_exact_test() -> None:
    # Given 2 runs against 10 (Welch alone: 9.5 % false positives at alpha 0.05)
    a = [0.80, 0.81]
    b = [0.70, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76, 0.77, 0.78, 0.79]
    test = stats.compare_groups("val/acc", a, b)
    stats.correct([test], "holm")
    # Then Welch's p (scipy) is small, but the exact permutation p over the 66 splits is not:
    # the larger decides
    welch = sps.ttest_ind(b, a, equal_var=False).pvalue
    exact = _fraction_permutation_p(["0.80", "0.81"], [f"0.{v}" for v in range(70, 80)])
    assert test["welch_p"] == pytest.approx(welch) and welch < 0.01
    assert test["permutation_p"] == pytest.approx(exact) and exact == pytest.approx(2 / 66)
    assert test["p_value"] == pytest.approx(max(welch, exact))


def test_not_distinguishable_quotes_the_detectable_difference() -> None:
    # Given 5 seeds a side with a difference within their noise
    a, b = [1.0, 2.0, 3.0, 4.0, 5.0], [1.5, 2.5, 3.5, 4.5, 5.5]
    test = stats.compare_groups("val/x", a, b)
    stats.correct([test], "holm")
    # Then the row says the difference 5 seeds detect 80 % of the time: the t-test's power,
    # checked here against statsmodels' power solver, times the pooled SD
    from statsmodels.stats.power import TTestIndPower

    effect = TTestIndPower().solve_power(nobs1=5, alpha=0.05, power=0.8, ratio=1.0)
    assert test["decision"] == "not distinguishable"
    assert test["detectable_difference"] == pytest.approx(effect * statistics.stdev(a), rel=1e-4)
    assert (
        "not distinguishable at this power: these seeds detect a difference of" in (test["reason"])
    )
    # ...and in a family of 4 the level is 0.05 / 4: a larger difference is needed
    stats.correct([test], "holm", others=[0.5, 0.5, 0.5])
    larger = TTestIndPower().solve_power(nobs1=5, alpha=0.0125, power=0.8, ratio=1.0)
    assert test["detectable_difference"] == pytest.approx(larger * statistics.stdev(a), rel=1e-4)


def test_hedges_g_and_its_interval() -> None:
    # Given the sleep data (10 a side)
    test = stats.compare_groups("x", SLEEP_1, SLEEP_2)
    d = stats.cohens_d(SLEEP_1, SLEEP_2)
    # Then g is d times Hedges' J(18), which the approximation 1 - 3 / (4 · 18 - 1) matches
    assert test["hedges_g"] == pytest.approx(d * stats.hedges_correction(18))
    assert stats.hedges_correction(18) == pytest.approx(1 - 3 / 71, abs=2e-4)
    # And the interval inverts the noncentral t at the observed pooled t (scipy's Student t)
    t = sps.ttest_ind(SLEEP_2, SLEEP_1).statistic
    factor = math.sqrt(10 * 10 / 20)
    low, high = test["effect_ci_low"], test["effect_ci_high"]
    assert sps.nct.cdf(t, 18, low * factor) == pytest.approx(0.975, abs=1e-7)
    assert sps.nct.cdf(t, 18, high * factor) == pytest.approx(0.025, abs=1e-7)
    # ...which is close to the large-sample interval d ± 1.96 · √(1/5 + d²/40)
    se = math.sqrt(2 / 10 + d**2 / 40)
    assert (low, high) == pytest.approx((d - 1.96 * se, d + 1.96 * se), abs=0.06)


def test_metrics_left_out_are_listed_with_why() -> None:
    details = _groups(("0.1", [0.5, 0.6, 0.7]), ("0.2", [0.6, 0.7, 0.8]))
    details[0]["metrics"]["val/only_a"] = 1.0
    details[1]["metrics"]["val/only_a"] = 1.0
    for d in details[3:]:
        d["metrics"]["val/nan"] = math.nan
    for d in details[:3]:
        d["metrics"]["val/nan"] = 0.5
    _, tests, left_out = stats.seed_group_tests(details, ["val/acc", "val/nan", "val/only_a"])
    reasons = {row["key"]: row["reason"] for row in left_out}
    assert reasons == {
        "val/nan": "fewer than 2 finite values on a side (0, 3 NaN or infinite)",
        "val/only_a": "only one group logged it",
    }
    assert [t["key"] for t in tests] == ["val/acc"]
    body = {"group_tests": tests, "left_out": left_out}
    assert [(r["key"], r["decision"]) for r in stats.decisions(body)] == [
        ("val/acc", "no decision"),
        ("val/nan", "no decision"),
        ("val/only_a", "no decision"),
    ]


# --- correction --------------------------------------------------------------------------


def test_holm_matches_the_textbook_example() -> None:
    # Holm (1979), as in Wikipedia's example: p = .01, .04, .03, .005 -> reject H4 and H1
    adjusted = stats.holm([0.01, 0.04, 0.03, 0.005])
    # By hand: sorted .005*4, .01*3, .03*2, .04*1 -> .02, .03, .06, max(.06, .04)
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert [p < 0.05 for p in adjusted] == [True, False, False, True]
    assert stats.holm([0.3, 0.9]) == pytest.approx([0.6, 0.9])  # capped, monotone
    assert stats.holm([]) == []


def test_benjamini_hochberg_matches_hand_values_and_scipy() -> None:
    ps = [0.01, 0.04, 0.03, 0.005]
    # By hand: .005*4/1, .01*4/2, .03*4/3, .04*4/4 = .02, .02, .04, .04 (already monotone)
    assert stats.benjamini_hochberg(ps) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    rng = np.random.default_rng(7)
    many = list(rng.uniform(0, 0.2, 25))
    assert stats.benjamini_hochberg(many) == pytest.approx(
        list(sps.false_discovery_control(many, method="bh"))
    )


# --- groups and the body they make ---------------------------------------------------------


# README: "that few cannot measure seed noise well"
# README: "`system/*` metrics are shown in the groups but never tested"
# docs/design.md: "`system/*` metrics are shown and not tested."
# README: "A group of fewer than 5 seeds is flagged"
def test_groups_tests_and_corrections_across_metrics_and_pairs() -> None:
    # Given three configurations with three seeds, two metrics and a system metric
    details = []
    for lr, base in (("0.1", 0.50), ("0.2", 0.80), ("0.3", 0.51)):
        for seed in range(3):
            metrics = {
                "val/acc": base + seed / 100,
                "val/loss": 1 - base + (seed % 2) / 50,
                "system/rss_mb": 100.0 + 50 * seed,
            }
            details.append(_run(f"{lr}-{seed}", metrics, lr=lr, seed=str(seed)))
    keys = ["system/rss_mb", "val/acc", "val/loss"]
    groups, tests = stats.seed_group_stats(details, keys)
    # Then every metric is described in every group, system/* shown but not tested
    assert [g["label"] for g in groups] == ["lr=0.1", "lr=0.2", "lr=0.3"]
    assert [m["key"] for m in groups[0]["metrics"]] == keys
    assert groups[0]["metrics"][0]["tested"] is False
    assert groups[0]["warning"] == "3 seeds: too few to measure seed noise well; record at least 5"
    # And 3 pairs x 2 metrics are tested, Holm-adjusted over all six together
    assert len(tests) == 6 and {t["key"] for t in tests} == {"val/acc", "val/loss"}
    raw = [t["welch_p"] for t in tests]
    assert [t["welch_p_adjusted"] for t in tests] == pytest.approx(stats.holm(raw))
    assert [t["permutation_p_adjusted"] for t in tests] == pytest.approx(
        stats.holm([t["permutation_p"] for t in tests])
    )
    # And the decision follows the adjusted p: the larger of Welch's and the permutation p
    assert [t["p_adjusted"] for t in tests] == pytest.approx(
        stats.holm([max(t["welch_p"], t["permutation_p"]) for t in tests])
    )
    assert all(t["distinguishable"] == (t["p_adjusted"] < 0.05) for t in tests)
    # Each test equals scipy's Welch test on the same values, called directly
    first = tests[0]
    a = [d["metrics"][first["key"]] for d in details[:3]]
    b = [d["metrics"][first["key"]] for d in details[3:6]]
    assert first["welch_p"] == pytest.approx(sps.ttest_ind(b, a, equal_var=False).pvalue)
    assert first["permutation_exact"] is True
    # BH is the option
    _, bh = stats.seed_group_stats(details, keys, "bh")
    assert [t["welch_p_adjusted"] for t in bh] == pytest.approx(stats.benjamini_hochberg(raw))
    json.dumps([groups, tests], allow_nan=False)


def test_adjustment_can_turn_a_raw_difference_into_seed_noise() -> None:
    # A raw Welch p just under 0.05 on one of two metrics: Holm doubles it
    details = [
        _run(f"{lr}-{i}", {"val/a": v, "val/b": w}, lr=lr, seed=str(i))
        for lr, vals in (
            ("1", [(1.0, 5.0), (2.0, 6.0), (3.0, 7.0)]),
            ("2", [(3.4, 5.1), (4.4, 6.1), (5.4, 7.1)]),
        )
        for i, (v, w) in enumerate(vals)
    ]
    _, tests = stats.seed_group_stats(details, ["val/a", "val/b"])
    first = tests[0]
    assert first["welch_p"] < 0.05 <= first["welch_p_adjusted"]
    assert first["distinguishable"] is False and first["decision"] == "no decision"
    assert first["warning"] == "3 seeds cannot separate a difference of this size from seed noise"


def test_edge_cases_single_group_one_run_unequal_sizes_and_nan() -> None:
    # A single group: statistics, no tests
    groups, tests = stats.seed_group_stats(_groups(("0.1", [0.5, 0.6, 0.7])), ["val/acc"])
    assert len(groups) == 1 and groups[0]["label"] == "all runs" and tests == []
    # One run against three: described, not tested
    groups, tests = stats.seed_group_stats(
        _groups(("0.1", [0.5]), ("0.2", [0.6, 0.7, 0.8])), ["val/acc"]
    )
    assert groups[0]["warning"].startswith("1 seed") and tests == []
    # Unequal sizes (2 and 6), a NaN among them: tested on finite values
    groups, tests = stats.seed_group_stats(
        _groups(("0.1", [0.5, 0.52, math.nan]), ("0.2", [0.6, 0.61, 0.63, 0.6, 0.62, 0.64])),
        ["val/acc"],
    )
    assert groups[0]["metrics"][0]["non_finite"] == 1
    (test,) = tests
    assert (test["n_a"], test["n_b"]) == (2, 6)
    ref = sps.ttest_ind([0.6, 0.61, 0.63, 0.6, 0.62, 0.64], [0.5, 0.52], equal_var=False)
    assert test["welch_p"] == pytest.approx(ref.pvalue)
    assert test["warning"] is not None and "2 and 6 seeds" in test["warning"]
    # No spread anywhere: no NaN, no infinity
    groups, tests = stats.seed_group_stats(
        _groups(("0.1", [0.5, 0.5]), ("0.2", [0.7, 0.7])), ["val/acc"]
    )
    assert tests[0]["cohens_d"] is None and tests[0]["welch_t"] is None
    json.dumps([groups, tests], allow_nan=False)


def test_unknown_correction_is_refused() -> None:
    with pytest.raises(ValueError, match="holm, bh"):
        stats.seed_group_stats(_groups(("0.1", [0.5, 0.6])), ["val/acc"], "bonferroni")


# --- rendering and naming ----------------------------------------------------------------


def test_numbers_are_shown_to_four_significant_digits() -> None:
    assert sig(0.00639548) == "0.006395"
    assert sig(12.3456) == "12.35" and sig(None) == "-" and sig(2.0) == "2"
    assert p_text(0.0004) == "<0.001" and p_text(0.07939) == "0.0794" and p_text(None) == "-"


def test_text_rendering_says_method_correction_and_warnings() -> None:
    details = _groups(("0.1", [0.5011, 0.5123, 0.5234]), ("0.2", [0.8012, 0.8111, 0.8239]))
    details[0]["metrics"]["system/rss_mb"] = 101.0
    groups, tests = stats.seed_group_stats(details, ["system/rss_mb", "val/acc"])
    body = {
        "seed_groups": groups,
        "group_tests": tests,
        "correction": "holm",
        "alpha": 0.05,
        "untested_metrics": ["system/rss_mb"],
        "family_size": 3,  # two paired tests joined the family
    }
    text = "\n".join(render_seed_stats(body))
    assert "val/acc: 0.5123 ± 0.01115 [0.4846, 0.54] t (n=3)" in text
    assert "system/rss_mb: 101 ± - no interval (n=1, not tested)" in text
    assert "adjusted by Holm over 3 tests" in text
    assert "exact permutation p=0.1; p=0.1 (adj 0.1): no decision" in text
    assert "3 and 3 runs: no split of these values gives p below 0.05" in text
    assert "not tested (system metrics): system/rss_mb" in text


def test_metric_names_that_break_the_convention() -> None:
    assert metric_name_problem("val/accuracy") is None
    assert metric_name_problem("system/rss_mb") is None
    assert metric_name_problem("val/f1/macro") is None
    assert "e.g. 'val/loss'" in (metric_name_problem("loss") or "")
    assert "empty part" in (metric_name_problem("/loss") or "")
    assert "empty part" in (metric_name_problem("val//loss") or "")
    assert "empty part" in (metric_name_problem("val/") or "")


def test_xp_log_warns_once_per_key(store: Any) -> None:
    import jupyterlab_xp as xp

    with xp.start("names", experiment="stats"):
        with pytest.warns(MetricNameWarning, match="'accuracy_x' has no split"):
            xp.log({"accuracy_x": 0.5, "val/accuracy": 0.5})
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            xp.log({"accuracy_x": 0.6, "val/accuracy": 0.6}, step=1)  # said once: silent
