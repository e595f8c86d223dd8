"""Paired tests (views/paired.py) against independent references: McNemar on Agresti's textbook
table and an exact binomial sum by hand, the sign-flip test against scipy's own permutation
test and the sign test, the t interval and d_z's interval against scipy, seed groups tested
over runs against the group test, and the joint Holm/BH family against statsmodels."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.prediction_files import columns_bytes, read_columns
from jupyterlab_xp.views.paired import (
    correct_with_paired,
    mcnemar_test,
    paired_effect_interval,
    paired_effect_size,
    paired_interval,
    paired_rows,
    sign_flip_p,
)


def _pairs(both: int, a_only: int, b_only: int, neither: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-example correctness of two classifiers with this 2x2 table."""
    a = [True] * both + [True] * a_only + [False] * b_only + [False] * neither
    b = [True] * both + [False] * a_only + [True] * b_only + [False] * neither
    return np.array(a), np.array(b)


def test_mcnemar_matches_agrestis_presidential_approval_table() -> None:
    # Given Agresti's (Categorical Data Analysis, Table 10.1) 2x2 table of approval in two
    # surveys: 794 approve both times, 150 approve then disapprove, 86 the reverse, 570 neither
    a, b = _pairs(794, 150, 86, 570)
    # When McNemar's test compares the two "classifiers"
    result = mcnemar_test(a, b)
    # Then it is the chi-square with continuity correction, (|150 - 86| - 1)^2 / (150 + 86),
    # Agresti's z^2 = 17.36 without the correction; p is the chi-square(1) tail, erfc(sqrt(x/2))
    expected = (abs(150 - 86) - 1) ** 2 / (150 + 86)
    assert result["exact"] is False
    assert result["statistic"] == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(16.818, abs=1e-3)
    assert pytest.approx(17.36, abs=0.01) == (150 - 86) ** 2 / 236  # the book's uncorrected z^2
    assert result["p"] == pytest.approx(math.erfc(math.sqrt(expected / 2)), rel=1e-9)
    assert (result["a_only"], result["b_only"]) == (150, 86)


def test_mcnemar_is_exact_below_25_discordant_pairs() -> None:
    # Given 2 examples only a gets right and 9 only b gets right (11 discordant)
    a, b = _pairs(40, 2, 9, 5)
    # When tested
    result = mcnemar_test(a, b)
    # Then it is the two-sided binomial test: 2 * sum_{k<=2} C(11, k) / 2^11, by hand
    expected = 2 * sum(math.comb(11, k) for k in range(3)) / 2**11
    assert result["exact"] is True
    assert result["p"] == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.0654296875)


def test_mcnemar_with_equal_discordant_counts_gives_p_1() -> None:
    # Given 30 examples only a gets right and 30 only b gets right (chi-square range)
    a, b = _pairs(100, 30, 30, 40)
    # When tested
    result = mcnemar_test(a, b)
    # Then there is no evidence either way: the exact binomial test's p, scipy's, is 1 too
    # (the continuity-corrected chi-square would give 1/60 as its statistic and p = 0.897)
    assert result["p"] == 1.0 == stats.binomtest(30, 60).pvalue
    assert result["statistic"] == 0.0 and result["exact"] is False


def test_mcnemar_and_sign_flip_without_discordant_pairs_find_no_difference() -> None:
    # Given two classifiers right and wrong on exactly the same examples
    a, b = _pairs(30, 0, 0, 10)
    # Then neither test sees a difference, and the effect size is undefined
    assert mcnemar_test(a, b) == {
        "statistic": 0.0,
        "p": 1.0,
        "exact": True,
        "a_only": 0,
        "b_only": 0,
    }
    assert sign_flip_p(b.astype(float) - a.astype(float)) == (1.0, 1.0)
    assert paired_effect_size(a.astype(float), b.astype(float)) is None


def test_sign_flip_on_three_examples_is_the_sign_test() -> None:
    # Given three examples, each better on side b (a paired bootstrap said p = 0.0001 here)
    p, smallest = sign_flip_p([0.4, 1.1, 0.2])
    # Then p is the exact sign test's, by hand 2 * (1/2)^3, and scipy's binomial test
    assert p == pytest.approx(0.25) == stats.binomtest(3, 3).pvalue
    assert smallest == pytest.approx(0.25)  # no three examples can give less


def test_sign_flip_is_exact_and_matches_scipys_permutation_test() -> None:
    # Given 12 paired differences (4,096 sign patterns: all enumerated)
    d = np.random.default_rng(5).normal(0.3, 1.0, 12)
    p, _ = sign_flip_p(d)
    # Then p is scipy's exact paired permutation test of the mean
    ref = stats.permutation_test(
        (d,), np.mean, permutation_type="samples", n_resamples=np.inf, alternative="two-sided"
    )
    assert p == pytest.approx(ref.pvalue, rel=1e-12)


def test_sign_flip_resamples_reproducibly_above_16_differences() -> None:
    # Given 400 differences with a small shift
    rng = np.random.default_rng(3)
    d = rng.normal(0.12, 1.0, 400)
    # When tested with 2000 random sign patterns, seed 7
    p, smallest = sign_flip_p(d, resamples=2000, seed=7)
    # Then it is the documented computation, done here directly
    signs = np.random.default_rng(7).integers(0, 2, size=(2000, 400)).astype(float) * 2 - 1
    q = np.rint(d / np.abs(d).max() * 1e9)
    expected = (1 + np.sum(np.abs(signs @ q) >= abs(q.sum()))) / 2001
    assert p == pytest.approx(expected, rel=1e-12)
    assert smallest == pytest.approx(1 / 2001)
    # ...close to the paired t-test's p at this n, and the same every time
    assert p == pytest.approx(stats.ttest_1samp(d, 0).pvalue, abs=0.02)
    assert sign_flip_p(d, resamples=2000, seed=7) == (p, smallest)


def test_the_paired_interval_is_scipys_t_interval_and_d_z_has_one() -> None:
    # Given 40 paired differences
    rng = np.random.default_rng(11)
    a = rng.normal(0.0, 1.0, 40)
    b = a + rng.normal(0.4, 1.0, 40)
    d = b - a
    # Then the interval is scipy's t interval of the mean difference
    ref = stats.t.interval(0.95, 39, loc=d.mean(), scale=stats.sem(d))
    assert paired_interval(d) == pytest.approx(ref, rel=1e-12)
    # And d_z's interval puts the observed t at the 97.5 % and 2.5 % points of the noncentral
    # t with 39 df (its definition), and contains d_z
    d_z = paired_effect_size(a, b)
    assert d_z == pytest.approx(d.mean() / d.std(ddof=1), rel=1e-12)
    low, high = paired_effect_interval(d_z, 40)
    t = d_z * math.sqrt(40)
    assert stats.nct.cdf(t, 39, low * math.sqrt(40)) == pytest.approx(0.975, abs=1e-7)
    assert stats.nct.cdf(t, 39, high * math.sqrt(40)) == pytest.approx(0.025, abs=1e-7)
    assert low < d_z < high
    # ...close to the large-sample interval d_z ± 1.96 · √(1/n + d_z²/2n)
    se = math.sqrt(1 / 40 + d_z**2 / 80)
    assert (low, high) == pytest.approx((d_z - 1.96 * se, d_z + 1.96 * se), abs=0.03)


def test_one_example_gives_no_interval() -> None:
    assert paired_interval([1.0]) == (None, None)
    assert paired_effect_size([1.0], [0.0]) is None
    assert sign_flip_p([]) == (None, None)


def _run(ids: Any, y_true: Any, y_pred: Any) -> dict[str, np.ndarray]:
    """Columns as a predictions file holds them (written and read back as Parquet)."""
    columns = {"id": np.asarray(ids), "y_true": np.asarray(y_true), "y_pred": np.asarray(y_pred)}
    return read_columns(columns_bytes(columns, ".parquet"), ".parquet")


def test_classifier_rows_pair_examples_by_id_whatever_their_order() -> None:
    # Given two single runs on the same 6 ids, the second written in another order
    a = _run([0, 1, 2, 3, 4, 5], [0, 1, 1, 0, 2, 2], [0, 1, 0, 0, 2, 1])  # 4 of 6 right
    b = _run([5, 4, 3, 2, 1, 0], [2, 2, 0, 1, 1, 0], [2, 2, 0, 1, 1, 1])  # 5 of 6 right
    # When paired
    (row,) = paired_rows("test", "classification", "A", "B", [a], [b])
    # Then accuracy is compared example by example, and McNemar (exact) is the test used
    assert row["key"] == "test/accuracy"
    assert (row["value_a"], row["value_b"]) == pytest.approx((4 / 6, 5 / 6))
    assert row["difference"] == pytest.approx(1 / 6)
    assert (row["a_only"], row["b_only"]) == (1, 2)  # id 0 only a; ids 2 and 5 only b
    assert row["test"] == "McNemar (exact binomial)"
    assert row["p_value"] == row["mcnemar_p"] == pytest.approx(1.0)  # 2 * P(X <= 1 | 3, 1/2)
    assert row["warning"] is not None  # one run a side: models, not configurations


def test_seed_groups_are_tested_over_runs_not_examples() -> None:
    # Given two groups of 3 runs on the same 40 examples
    rng = np.random.default_rng(2)
    ids = list(range(40))
    truth = rng.integers(0, 2, 40)

    def run(accuracy: float) -> dict[str, np.ndarray]:
        wrong = rng.random(40) > accuracy
        return _run(ids, truth, np.where(wrong, 1 - truth, truth))

    group_a = [run(0.7), run(0.75), run(0.8)]
    group_b = [run(0.72), run(0.8), run(0.85)]
    # When paired
    (row,) = paired_rows("val", "classification", "A", "B", group_a, group_b)
    correct_with_paired([], [row], "holm")
    # Then the test is over each run's accuracy on the examples: the group test's p (the
    # larger of scipy's Welch p and the exact permutation p over the 20 splits of 6 runs)
    acc_a = [float(np.mean(r["y_true"] == r["y_pred"])) for r in group_a]
    acc_b = [float(np.mean(r["y_true"] == r["y_pred"])) for r in group_b]
    welch = stats.ttest_ind(acc_b, acc_a, equal_var=False).pvalue
    perm = stats.permutation_test(
        (acc_a, acc_b),
        lambda x, y: np.mean(y) - np.mean(x),
        permutation_type="independent",
        n_resamples=np.inf,
    ).pvalue
    assert row["p_value"] == pytest.approx(max(welch, perm), rel=1e-6)
    assert row["mcnemar_p"] is None and row["test"].startswith("runs as units")
    # 3 runs a side: no split can give p below 0.05 (2/20 = 0.1), and the row says so
    assert row["decision"] == "no decision" and "record more seeds" in row["reason"]
    assert (row["runs_a"], row["runs_b"]) == (3, 3)
    # And the interval is wider than the runs' spread alone: the examples' variance is added
    d = np.mean(acc_b) - np.mean(acc_a)
    runs_only = stats.ttest_ind(acc_b, acc_a, equal_var=False).confidence_interval()
    assert row["difference"] == pytest.approx(d)
    assert row["ci_high"] - row["ci_low"] > runs_only.high - runs_only.low


def test_one_run_against_a_group_is_no_decision() -> None:
    ids = list(range(4))
    truth = [0, 1, 0, 1]
    (row,) = paired_rows(
        "val",
        "classification",
        "A",
        "B",
        [_run(ids, truth, [0, 1, 1, 0])],
        [_run(ids, truth, [0, 1, 0, 1]), _run(ids, truth, [0, 1, 0, 0])],
    )
    correct_with_paired([], [row], "holm")
    assert row["p_value"] is None and row["decision"] == "no decision"
    assert "lone run" in row["reason"]


def test_regression_rows_test_mse_and_mae_and_leave_nan_out() -> None:
    ids = ["a", "b", "c", "d"]
    truth = [1.0, 2.0, 3.0, 4.0]
    a = _run(ids, truth, [1.5, 2.0, 2.0, float("nan")])
    b = _run(ids, truth, [1.0, 2.5, 3.0, 4.0])
    mse, mae = paired_rows("test", "regression", "A", "B", [a], [b])
    assert (mse["key"], mae["key"]) == ("test/mse", "test/mae")
    assert mse["n_examples"] == 3 and mse["non_finite"] == 1
    assert mse["value_a"] == pytest.approx((0.25 + 0 + 1) / 3)
    assert mae["value_b"] == pytest.approx(0.5 / 3)
    assert mse["mcnemar_p"] is None and mse["test"] == "sign-flip permutation"
    assert mse["p_value"] == sign_flip_p([0.0 - 0.25, 0.25 - 0.0, 0.0 - 1.0])[0]


def test_mismatched_ids_are_one_clear_error() -> None:
    a = _run([1, 2, 3], [0, 1, 0], [0, 1, 1])
    b = _run([1, 2, 4], [0, 1, 0], [0, 1, 0])
    with pytest.raises(XpError, match=r"not on the same ids \(2 ids not shared"):
        paired_rows("test", "classification", "A", "B", [a], [b])


@pytest.mark.parametrize("correction,method", [("holm", "holm"), ("bh", "fdr_bh")])
def test_paired_p_values_join_the_group_tests_correction_family(
    correction: str, method: str
) -> None:
    from jupyterlab_xp.views.stats import compare_groups

    # Given two group tests (5 seeds a side) and two paired tests (one without a p-value)
    group = [
        compare_groups("val/a", [1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 4.5, 5.0, 6.0, 7.5]),
        compare_groups("val/b", [1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 2.5, 4.0, 4.5, 6.0]),
    ]
    a = _run([0, 1, 2], [0, 1, 0], [0, 1, 1])
    paired = paired_rows("test", "classification", "A", "B", [a], [a])
    paired += paired_rows("test", "classification", "A", "B", [a], [a, a])
    # When corrected together
    family = correct_with_paired(group, paired, correction)
    # Then the family is the three p-values, as statsmodels adjusts them
    raw = [g["p_value"] for g in group] + [paired[0]["p_value"]]
    adjusted = multipletests(raw, method=method)[1]
    assert family == 3
    assert [g["p_adjusted"] for g in group] == pytest.approx(list(adjusted[:2]))
    assert paired[0]["p_adjusted"] == pytest.approx(adjusted[2])
    assert paired[1]["p_adjusted"] is None and paired[1]["distinguishable"] is False
    assert group[0]["distinguishable"] is bool(adjusted[0] < 0.05)
    # ...and the p that decides a group test is the larger of scipy's Welch and permutation p
    welch = stats.ttest_ind([3.0, 4.5, 5.0, 6.0, 7.5], [1.0, 2.0, 3.0, 4.0, 5.0], equal_var=False)
    assert group[0]["p_value"] == pytest.approx(max(welch.pvalue, group[0]["permutation_p"]))


def test_the_text_form_says_which_test_it_used_and_why_pairs_were_left_out() -> None:
    from jupyterlab_xp.frontends.render import render_paired

    a = _run([0, 1, 2, 3], [0, 1, 0, 1], [0, 1, 1, 1])
    b = _run([0, 1, 2, 3], [0, 1, 0, 1], [0, 1, 0, 1])
    rows = paired_rows("test", "classification", "lr=0.1", "lr=0.01", [a], [b])
    correct_with_paired([], rows, "holm")
    text = "\n".join(
        render_paired({"paired_tests": rows, "paired_notes": ["val: a vs b: not on ids"]})
    )
    assert "test/accuracy: lr=0.01 - lr=0.1 = 0.25" in text
    assert "exact McNemar p=1 (0 only a right, 1 only b right)" in text
    assert "test: McNemar (exact binomial)" in text and ": no decision" in text
    assert "1 of 4 examples differ: no p below 0.05 is possible (the smallest is 1)" in text
    assert "! val: a vs b: not on ids" in text
    assert render_paired({"paired_tests": [], "paired_notes": []}) == []


@pytest.mark.parametrize("suffix", [".parquet", ".npz"])
def test_a_predictions_file_is_redacted_by_value_and_passed_on_unchanged_without_secrets(
    tmp_path: Any, suffix: str
) -> None:
    from jupyterlab_xp.store.redaction import Redactor
    from secret_corpus import FORMS

    key = next(f for f in FORMS if f.name == "openai_api_key")
    # Given a predictions file whose text ids hold a secret, and one whose ids do not
    rng = np.random.default_rng(0)
    scores = rng.random(3)  # binary noise in the file: never scanned as text
    leaky = {"id": np.array(["a", key.text, "c"]), "y_true": np.array([1, 0, 1])}
    clean = {"id": np.array(["a", "b", "c"]), "y_true": np.array([1, 0, 1])}
    for name, columns in (("leaky", leaky), ("clean", clean)):
        data = columns_bytes({**columns, "y_pred": np.array([1, 1, 1]), "y_score": scores}, suffix)
        (tmp_path / f"{name}{suffix}").write_bytes(data)
    redactor = Redactor()
    # When the copies for the store are made
    leaky_copy = redactor.file_bytes(tmp_path / f"leaky{suffix}", f"predictions/leaky{suffix}")
    clean_copy = redactor.file_bytes(tmp_path / f"clean{suffix}", f"predictions/clean{suffix}")
    # Then the secret is gone from a file that still reads, and a clean file is the same bytes
    columns = read_columns(leaky_copy, suffix)
    assert key.text not in columns["id"].astype(str).tolist()
    assert columns["id"][0] == "a" and columns["id"][2] == "c"
    assert columns["y_score"].tolist() == scores.tolist()
    assert clean_copy == (tmp_path / f"clean{suffix}").read_bytes()
    assert redactor.ledger.count >= 1


def test_paired_rows_fit_the_rest_model_field_for_field() -> None:
    from jupyterlab_xp.server.paired_models import PairedTest

    a = _run([0, 1, 2], [0.5, 1.0, 2.0], [0.5, 1.5, 2.0])
    b = _run([0, 1, 2], [0.5, 1.0, 2.0], [0.0, 1.0, 2.0])
    rows = paired_rows("val", "regression", "A", "B", [a], [b])
    rows += paired_rows("val", "classification", "A", "B", [a], [b])
    correct_with_paired([], rows, "bh")
    for row in rows:  # the model forbids unknown fields and requires every one of its own
        assert PairedTest.model_validate(row).model_dump() == row


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.npz", "predictions/../x.parquet", "/abs.npz", "predictions/a.pkl"]
)
def test_a_predictions_file_name_read_back_from_the_store_is_checked(name: str) -> None:
    from jupyterlab_xp.views.paired import load_predictions

    class NoArtifacts:
        def read_bytes(self, run_id: str, path: str) -> bytes:
            raise AssertionError(f"fetched {path}")

    class NoStore:
        artifacts = NoArtifacts()

    info = {"file": name, "sha256": "0" * 64, "task": "classification"}
    with pytest.raises(XpError, match="not a predictions file"):
        load_predictions(NoStore(), "a" * 32, info)


def test_every_view_counts_the_paired_tests_in_the_family() -> None:
    from jupyterlab_xp.frontends.render import render_seed_stats
    from jupyterlab_xp.frontends.widgets import _seed_widgets
    from jupyterlab_xp.kernel.comparing import Comparison
    from jupyterlab_xp.views.stats import decisions, seed_group_tests

    # Given two groups of 5 runs (one group test) and two single-run paired rows with a p
    details = [
        {"run_id": f"{lr}{i}", "params": {"lr": lr, "seed": str(i)}, "metrics": {"val/acc": v}}
        for lr, base in (("0.1", 0.5), ("0.2", 0.6))
        for i, v in enumerate(base + np.arange(5) / 100)
    ]
    groups, tests, left_out = seed_group_tests(details, ["val/acc"])
    a = _run([0, 1, 2], [0.5, 1.0, 2.0], [0.5, 1.5, 2.0])
    b = _run([0, 1, 2], [0.5, 1.0, 2.0], [0.0, 1.0, 2.0])
    paired = paired_rows("val", "regression", "A", "B", [a], [b])
    family = correct_with_paired(tests, paired, "holm")
    body = {
        "seed_groups": groups,
        "group_tests": tests,
        "paired_tests": paired,
        "left_out": left_out,
        "family_size": family,
        "correction": "holm",
        "alpha": 0.05,
        "untested_metrics": [],
    }
    # Then the text and the widget say the same family size: 1 group test + 2 paired tests
    assert family == 3
    assert "adjusted by Holm over 3 tests" in "\n".join(render_seed_stats(body))
    labels = [c.value for c in _seed_widgets(body).children if hasattr(c, "value")]
    assert any("over 3 tests (paired tests included)" in label for label in labels)
    # And the notebook's comparison returns one decision per test, as views/stats.py does
    rows = Comparison(body).decisions()
    assert rows == decisions(body) and [r["kind"] for r in rows] == ["group", "paired", "paired"]
    assert rows[0]["decision"] == "distinguishable"  # 0.50-0.54 vs 0.60-0.64: every split apart


def test_a_seed_group_row_that_is_the_group_test_is_counted_once() -> None:
    from jupyterlab_xp.views.stats import seed_group_tests

    # Given two groups of 5 runs on 60 shared examples, each logging its test accuracy
    rng = np.random.default_rng(8)
    ids, truth = list(range(60)), rng.integers(0, 2, 60)
    runs, details = [], []
    for lr, accuracy in (("0.1", 0.7), ("0.2", 0.9)):
        for seed in range(5):
            pred = np.where(rng.random(60) < accuracy, truth, 1 - truth)
            runs.append(_run(ids, truth, pred))
            logged = {"test/accuracy": float(np.mean(pred == truth)), "val/loss": rng.random()}
            params = {"lr": lr, "seed": str(seed)}
            details.append({"run_id": f"{lr}{seed}", "params": params, "metrics": logged})
    _, tests, _ = seed_group_tests(details, ["test/accuracy", "val/loss"])
    (row,) = paired_rows("test", "classification", "lr=0.1", "lr=0.2", runs[:5], runs[5:])
    # When corrected together
    family = correct_with_paired(tests, [row], "holm")
    # Then the row is the group test of test/accuracy over again: one family member, not two
    group = next(t for t in tests if t["key"] == "test/accuracy")
    assert family == 2 and row["p_value"] == group["p_value"]
    assert row["p_adjusted"] == group["p_adjusted"] and row["decision"] == group["decision"]
    assert "counted once" in row["reason"]
    # ...and Holm over the two group tests alone is what statsmodels gives
    raw = [t["p_value"] for t in tests]
    assert [t["p_adjusted"] for t in tests] == pytest.approx(
        list(multipletests(raw, method="holm")[1])
    )
