"""``jupyter xp runs`` and ``jupyter xp show`` against a real store."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import jupyterlab_xp as xp
from jupyterlab_xp.frontends.cli import main

# Every test here runs on the embedded SQLite store and on the team server (see conftest.py).
STORE_KINDS = ("sqlite", "team")


def _record(name: str, seed: int, accuracy: float) -> str:
    with xp.start(name, experiment="cli", seed=seed) as run:
        xp.param(lr=0.1)
        xp.log({"val/accuracy": accuracy}, step=1)
    assert run.run_id is not None
    return run.run_id


def test_runs_lists_newest_first_as_table_and_json(
    store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two recorded runs
    first = _record("first", 1, 0.5)
    second = _record("second", 2, 0.75)
    # When they are listed as JSON and as a table
    assert main(["runs", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert main(["runs", "--experiment", "cli"]) == 0
    table = capsys.readouterr().out
    # Then both appear, newest first, with their seed, status and metrics
    assert [r["run_id"] for r in listed] == [second, first]
    assert listed[0]["status"] == "FINISHED" and listed[0]["seed"] == "2"
    assert listed[0]["metrics"]["val/accuracy"] == 0.75
    assert table.splitlines()[0].startswith("RUN ID")
    assert second in table and "val/accuracy=0.75" in table


def test_show_prints_one_run_by_id_prefix(store: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a recorded run
    run_id = _record("shown", 5, 0.9)
    # When it is shown by a prefix of its id, as text and as JSON
    assert main(["show", run_id[:8]]) == 0
    text = capsys.readouterr().out
    assert main(["show", run_id, "--json"]) == 0
    detail = json.loads(capsys.readouterr().out)
    # Then its params, metrics and seeds are there
    assert f"run         {run_id}  shown" in text
    assert "lr = 0.1" in text and "val/accuracy = 0.9" in text
    assert "root seed 5 (given)" in text
    assert detail["params"] == {"seed": "5", "lr": "0.1"}
    assert detail["seeds"]["seed"] == 5


def test_bad_requests_exit_2_with_one_line(store: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # Given an empty store
    # When a run that does not exist, or a malformed id, is asked for
    assert main(["show", "0" * 32]) == 2
    missing = capsys.readouterr().err
    assert main(["show", "../../etc"]) == 2
    malformed = capsys.readouterr().err
    assert main(["runs", "--limit", "0"]) == 2
    # Then each is one line that says what is wrong
    assert missing.count("\n") == 1 and "no run" in missing
    assert malformed.count("\n") == 1 and "not a run id" in malformed


def test_empty_store_says_how_to_record(store: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # Given no runs
    # When runs are listed
    assert main(["runs"]) == 0
    # Then the output says how to record one
    assert "%xp start" in capsys.readouterr().out


def _seed_runs(metrics: Callable[[float, int], dict[str, float]]) -> list[str]:
    """Runs of lr 0.1 and 0.2, seeds 1 to 3 each, logging ``metrics(lr, seed)``."""
    ids = []
    for lr in (0.1, 0.2):
        for seed in (1, 2, 3):
            with xp.start(f"lr{lr}-s{seed}", experiment="cli", seed=seed) as run:
                xp.param(lr=lr)
                xp.log(metrics(lr, seed))
            assert run.run_id is not None
            ids.append(run.run_id)
    return ids


# README: "that few cannot measure seed noise well"
def test_compare_prints_differences_and_seed_statistics(
    store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two configurations, each run with three seeds
    ids = _seed_runs(lambda lr, seed: {"val/accuracy": {0.1: 0.50, 0.2: 0.80}[lr] + seed / 100})
    # When they are compared as text and as JSON
    assert main(["compare", *[i[:10] for i in ids]]) == 0
    text = capsys.readouterr().out
    assert main(["compare", ids[0], ids[3], "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    # Then differing params are shown, identical packages are not, and seed noise is measured
    assert "lr" in text and "0.2" in text
    assert "(no differences)" in text  # packages: same environment for every run
    assert (
        "lr=0.1 (3 runs)" in text and "val/accuracy: 0.52 ± 0.01 [0.4952, 0.5448] t (n=3)" in text
    )
    assert "! 3 seeds: too few to measure seed noise well; record at least 5" in text
    assert "adjusted by Holm over 1 tests" in text
    assert "val/accuracy: lr=0.2 - lr=0.1 = +0.3, g=23.9 " in text and "Welch t=36.74 df=4" in text
    # 3 runs a side split 20 ways: no p below 0.1 is possible, so no decision, and it says so
    assert "exact permutation p=0.1; p=0.1 (adj 0.1): no decision" in text
    assert "no split of these values gives p below 0.05" in text
    assert [r["key"] for r in body["params"] if r["differs"]] == ["lr"]
    assert body["group_tests"] == []  # one run a side: nothing to test, and it says why
    assert body["left_out"][0]["reason"] == "fewer than 2 finite values on a side (1)"
    assert body["correction"] == "holm" and body["seed_groups"][0]["warning"].startswith("1 seed")


# README: "`system/*` metrics are shown in the groups but never tested"
# README: "a missing number is `null`, never `NaN`"
def test_compare_json_keeps_its_fields_and_has_no_nan(
    store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two configurations of three seeds, one run logging NaN, each a system metric
    def metrics(lr: float, seed: int) -> dict[str, float]:
        value = float("nan") if (lr, seed) == (0.1, 3) else lr / 10 + 0.5 + seed / 100
        return {"val/accuracy": value, "system/rss_mb": 100.0 + seed}

    ids = _seed_runs(metrics)
    capsys.readouterr()  # a team server's client prints run links while recording
    # When they are compared as JSON with Benjamini-Hochberg
    assert main(["compare", *ids, "--json", "--correction", "bh"]) == 0
    out = capsys.readouterr().out
    body = json.loads(out)
    # Then the old field names are there, NaN is null, and system metrics are never tested
    assert "NaN" not in out and "Infinity" not in out
    assert body["correction"] == "bh" and body["untested_metrics"] == ["system/rss_mb"]
    (test,) = body["group_tests"]
    assert {"key", "group_a", "group_b", "mean_difference", "cohens_d", "welch_p"} <= set(test)
    assert {
        "permutation_p",
        "distinguishable",
        "welch_p_adjusted",
        "permutation_p_adjusted",
    } <= set(test)
    assert (test["key"], test["n_a"], test["n_b"]) == ("val/accuracy", 2, 3)
    first = {m["key"]: m for m in body["seed_groups"][0]["metrics"]}
    assert first["val/accuracy"]["non_finite"] == 1 and first["system/rss_mb"]["tested"] is False
    assert {"mean", "std", "ci_low", "ci_high", "n"} <= set(first["val/accuracy"])
    nan_row = next(r for r in body["metrics"] if r["key"] == "val/accuracy")
    assert nan_row["values"][2] is None
    # And an unknown correction is refused by argparse
    with pytest.raises(SystemExit):
        main(["compare", *ids, "--correction", "bonferroni"])
