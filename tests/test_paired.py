"""Paired tests (views/paired.py) against independent references: McNemar on Agresti's textbook
table and an exact binomial sum by hand, the paired bootstrap against a direct NumPy computation
and the analytic paired-t interval, and the joint Holm/BH family against statsmodels."""

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
    paired_bootstrap,
    paired_effect_size,
    paired_rows,
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


def test_mcnemar_and_bootstrap_without_discordant_pairs_find_no_difference() -> None:
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
    boot = paired_bootstrap(a.astype(float), b.astype(float))
    assert boot == {"difference": 0.0, "ci_low": 0.0, "ci_high": 0.0, "p": 1.0}
    assert paired_effect_size(a.astype(float), b.astype(float)) is None


def test_paired_bootstrap_equals_a_direct_numpy_computation_with_the_same_seed() -> None:
    # Given 150 paired per-example losses
    rng = np.random.default_rng(42)
    a = rng.normal(1.0, 0.5, 150)
    b = a + rng.normal(0.08, 0.4, 150)
    # When bootstrapped with seed 7 and 2000 resamples
    result = paired_bootstrap(a, b, resamples=2000, seed=7)
    # Then it is the documented computation, done here directly
    d = b - a
    idx = np.random.default_rng(7).integers(0, 150, size=(2000, 150))
    means = d[idx].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    p = (1 + np.sum(np.abs(means - d.mean()) >= abs(d.mean()))) / 2001
    assert result["difference"] == pytest.approx(d.mean(), rel=1e-12)
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((low, high), rel=1e-12)
    assert result["p"] == pytest.approx(p, rel=1e-12)
    # ...and the same inputs give the same numbers every time
    assert paired_bootstrap(a, b, resamples=2000, seed=7) == result


def test_paired_bootstrap_agrees_with_the_paired_t_interval_for_large_n() -> None:
    # Given 5000 paired differences with a small true shift
    rng = np.random.default_rng(3)
    a = rng.normal(0.0, 1.0, 5000)
    b = a + rng.normal(0.03, 1.0, 5000)
    # When bootstrapped (the default 9999 resamples, seed 0)
    result = paired_bootstrap(a, b)
    # Then the interval is close to mean ± t * sd / sqrt(n), and p to the paired t-test's
    d = b - a
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    assert result["ci_low"] == pytest.approx(d.mean() - half, abs=0.05 * half)
    assert result["ci_high"] == pytest.approx(d.mean() + half, abs=0.05 * half)
    t_p = stats.ttest_rel(b, a).pvalue
    assert 0.005 < t_p < 0.5  # a p-value the comparison can resolve
    assert result["p"] == pytest.approx(t_p, abs=0.015)
    # ...and d_z is the mean difference over its SD
    assert paired_effect_size(a, b) == pytest.approx(d.mean() / d.std(ddof=1), rel=1e-12)


def test_one_example_gives_no_interval_and_no_p_value() -> None:
    result = paired_bootstrap([1.0], [0.0])
    assert result == {"difference": -1.0, "ci_low": None, "ci_high": None, "p": None}
    assert paired_effect_size([1.0], [0.0]) is None


def test_bootstrap_refuses_arrays_of_different_lengths() -> None:
    with pytest.raises(XpError, match="same length"):
        paired_bootstrap([1.0, 2.0], [1.0, 2.0, 3.0])


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


def test_seed_groups_use_the_mean_per_example_and_no_mcnemar() -> None:
    ids = list(range(4))
    truth = [0, 1, 0, 1]
    group_a = [_run(ids, truth, [0, 1, 1, 0]), _run(ids, truth, [0, 1, 0, 0])]  # 0.5, 0.75
    group_b = [_run(ids, truth, [0, 1, 0, 1]), _run(ids, truth, [0, 1, 0, 1])]  # 1.0, 1.0
    (row,) = paired_rows("val", "classification", "A", "B", group_a, group_b)
    assert row["value_a"] == pytest.approx(0.625) and row["value_b"] == pytest.approx(1.0)
    assert row["mcnemar_p"] is None and row["test"] == "paired bootstrap"
    assert (row["runs_a"], row["runs_b"], row["warning"]) == (2, 2, None)


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
    assert mse["mcnemar_p"] is None and mse["test"] == "paired bootstrap"


def test_mismatched_ids_are_one_clear_error() -> None:
    a = _run([1, 2, 3], [0, 1, 0], [0, 1, 1])
    b = _run([1, 2, 4], [0, 1, 0], [0, 1, 0])
    with pytest.raises(XpError, match=r"not on the same ids \(2 ids not shared"):
        paired_rows("test", "classification", "A", "B", [a], [b])


@pytest.mark.parametrize("correction,method", [("holm", "holm"), ("bh", "fdr_bh")])
def test_paired_p_values_join_the_group_tests_correction_family(
    correction: str, method: str
) -> None:
    # Given two group tests and two paired tests (one without a p-value: n = 1)
    group = [
        {"welch_p": 0.01, "permutation_p": 0.02, "n_a": 5, "n_b": 5},
        {"welch_p": 0.04, "permutation_p": 0.05, "n_a": 5, "n_b": 5},
    ]
    paired = [{"p_value": 0.03}, {"p_value": None}]
    # When corrected together
    correct_with_paired(group, paired, correction)
    # Then the family is the four p-values, as statsmodels adjusts them
    welch_family = multipletests([0.01, 0.04, 0.03], method=method)[1]
    perm_family = multipletests([0.02, 0.05, 0.03], method=method)[1]
    assert [g["welch_p_adjusted"] for g in group] == pytest.approx(list(welch_family[:2]))
    assert [g["permutation_p_adjusted"] for g in group] == pytest.approx(list(perm_family[:2]))
    assert paired[0]["p_adjusted"] == pytest.approx(welch_family[2])
    assert paired[1]["p_adjusted"] is None and paired[1]["distinguishable"] is False
    assert group[0]["distinguishable"] is bool(welch_family[0] < 0.05)


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
    assert "test: McNemar (exact binomial)" in text and "not distinguishable" in text
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

    class NoStore:
        def read_artifact_bytes(self, run_id: str, path: str) -> bytes:
            raise AssertionError(f"fetched {path}")

    info = {"file": name, "sha256": "0" * 64, "task": "classification"}
    with pytest.raises(XpError, match="not a predictions file"):
        load_predictions(NoStore(), "a" * 32, info)
