"""``jupyter xp runs`` and ``jupyter xp show`` against a real store."""

from __future__ import annotations

import json
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


def test_compare_prints_differences_and_seed_statistics(
    store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two configurations, each run with three seeds
    ids = []
    for lr, base in ((0.1, 0.50), (0.2, 0.80)):
        for seed in (1, 2, 3):
            with xp.start(f"lr{lr}-s{seed}", experiment="cli", seed=seed) as run:
                xp.param(lr=lr)
                xp.log({"val/accuracy": base + seed / 100})
            ids.append(run.run_id)
    # When they are compared as text and as JSON
    assert main(["compare", *[i[:10] for i in ids]]) == 0
    text = capsys.readouterr().out
    assert main(["compare", ids[0], ids[3], "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    # Then differing params are shown, identical packages are not, and seed noise is measured
    assert "lr" in text and "0.2" in text
    assert "(no differences)" in text  # packages: same environment for every run
    assert "lr=0.1 (3 runs)" in text and "val/accuracy: 0.52 ± 0.01" in text
    assert "distinguishable" in text
    assert ": distinguishable" in text.splitlines()[-1]
    assert [r["key"] for r in body["params"] if r["differs"]] == ["lr"]
    assert body["group_tests"] == []  # one run a side: nothing to test
