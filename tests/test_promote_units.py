"""Promote's pure parts: parameter checks, order building, output normalisers, verdicts."""

from __future__ import annotations

import ast
import subprocess
import sys
from typing import Any

import pytest

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.promote import build, notebook_run, verify
from jupyterlab_xp.promote.params import check_params, parse_seeds, parse_text
from jupyterlab_xp.promote.source import Source


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({'x = 1\nimport os\nos.system("id")\ny': 1}, "identifiers"),
        ({"lambda": 1}, "keyword"),
        ({"match": 1}, "keyword"),
        ({"lr": object()}, "plain literal"),
        ({"lr": float("nan")}, "plain literal"),
        ({"lr": "x" * 20_000}, "longer than"),
    ],
)
def test_bad_parameters_are_refused_with_one_line(params: dict[str, Any], words: str) -> None:
    with pytest.raises(XpError) as error:
        check_params(params)
    assert words in str(error.value) and "\n" not in str(error.value)


def test_values_round_trip_and_command_line_text_is_typed() -> None:
    values = {"lr": 0.1, "layers": (64, 32), "name": '"""', "flags": {"a": [1, None]}}
    assert check_params(values) == values
    assert parse_text("lr", "0.1") == 0.1 and parse_text("opt", "adam") == "adam"
    assert parse_text("q", '"""') == '"""'
    assert parse_seeds("0, 1,2") == [0, 1, 2]
    with pytest.raises(XpError):
        parse_seeds("1,x")


def test_recorded_order_replays_prelude_and_successful_executions() -> None:
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "id": "p",
                "source": "a = 1",
                "metadata": {"tags": ["parameters"]},
            },
            {"cell_type": "code", "id": "s", "source": "%xp start", "metadata": {}},
            {
                "cell_type": "code",
                "id": "b",
                "source": "b = a + 1",
                "metadata": {},
                "outputs": [{"output_type": "stream", "name": "stdout", "text": "2\n"}],
            },
        ]
    }
    src = Source(
        name="n",
        version="v",
        run_id="r" * 32,
        notebook=notebook,
        prelude=[
            {"execution_count": 1, "source": "a = 1"},
            {"execution_count": 2, "source": "junk = 'deleted since'"},
        ],
        executions=[
            {"seq": 1, "cell_id": "s", "source": "%xp start", "sha256": None, "status": "ok"},
            {"seq": 2, "cell_id": "b", "source": "b = a + 1", "status": "error"},
            {"seq": 3, "cell_id": "b", "source": "b = a + 1", "status": "ok"},
        ],
        params={"a": 1},
    )
    cells = build.plan_cells(src, "recorded")
    assert [c.source for c in cells] == ["a = 1", "%xp start", "b = a + 1", "%xp stop"]
    assert cells[0].parameters and cells[2].outputs  # stored outputs of the last execution
    notebook_cells = build.plan_cells(src, "notebook")
    assert [c.source for c in notebook_cells][-1] == "%xp stop"
    nb = build.build_notebook(src, cells, "recorded")
    assert nb["cells"][1]["metadata"]["tags"] == ["parameters"]
    assert len({c["id"] for c in nb["cells"]}) == len(nb["cells"])


def test_a_notebook_without_parameters_or_start_gets_both() -> None:
    src = Source(
        name="n",
        version="v",
        params={"lr": (1, 2)},
        seed=3,
        notebook={"cells": [{"cell_type": "code", "source": "print(lr)"}]},
    )
    cells = build.plan_cells(src, "notebook")
    assert cells[0].parameters and ast.literal_eval(cells[0].source.split("= ")[-1]) == (1, 2)
    assert cells[1].source.endswith("%xp start --seed 3") and cells[-1].source == "%xp stop"


def test_outputs_are_compared_after_normalising() -> None:
    assert verify.same_text(
        "loss 0.1234567 at 0x7f00aa11bb22 on 2026-11-24 10:00:01, took 3.2s",
        "loss 0.1234568 at 0x7f00cc33dd44 on 2026-11-25T11:12:13Z, took 9.9s",
        1e-5,
    )
    assert not verify.same_text("loss 0.12", "loss 0.13", 1e-6)
    assert not verify.same_text("accuracy 0.9", "precision 0.9", 1e-6)


def test_metric_verdicts() -> None:
    assert verify.compare_metrics({"a": 1.0}, {"a": 1.0}, 1e-6)["verdict"] == "exact"
    near = verify.compare_metrics({"a": 1.0}, {"a": 1.0 + 1e-9}, 1e-6)
    assert near["verdict"] == "within-tolerance"
    far = verify.compare_metrics({"a": 1.0, "b": 2.0}, {"a": 1.5}, 1e-6)
    assert far["verdict"] == "differs"
    assert [d["key"] for d in far["largest"]] == ["b", "a"]  # a missing metric first
    assert verify.compare_metrics({"system/cpu": 3.0}, {}, 1e-6)["verdict"] == "no-metrics"


# README: "default 1e-6, and an absolute floor of 1e-12"
def test_metric_tolerance_is_relative_below_one_too() -> None:
    # Given a 1 % tolerance: a loss of 0.001 against 0.0015 is 50 % off, not "close"
    assert not verify.close(0.001, 0.0015, 1e-2)
    assert verify.close(0.001, 0.001005, 1e-2)
    assert verify.close(1000.0, 1005.0, 1e-2)
    # Near zero only the absolute floor (1e-12) applies
    assert verify.close(0.0, 1e-13, 1e-6)
    assert not verify.close(0.0, 1e-9, 1e-6)
    # NaN equals NaN, nothing else
    assert verify.close(float("nan"), float("nan"), 1e-6)
    assert not verify.close(float("nan"), 0.0, 1e-6)


def test_a_failure_no_rule_mends_is_retried_top_to_bottom() -> None:
    # Given: cell 1 puts the parent folder on sys.path; its count (In [5]) is from a later
    # session than cell 2's import (In [2]), so the execution-count order imports first
    from jupyterlab_xp.promote import repair

    sources = ["import sys\nsys.path.insert(0, '..')", "from helper import f", "print(f())"]
    cells = repair.notebook_cells([{"execution_count": n} for n in (5, 2, 6)], sources)
    planned = repair.plan(cells)
    assert planned.order == [2, 1, 3]

    # When: cell 2 raised ModuleNotFoundError (no def-use rule knows a module path) ...
    retried = repair.after_failure(
        cells, planned, 2, "ModuleNotFoundError", "No module named 'helper'"
    )
    # ... and when the first cell of the page failed (top to bottom would fail the same way)
    again = repair.after_failure(cells, repair.Repair([1, 2, 3]), 1, "OSError", "x")

    # Then: the next attempt runs the page top to bottom, and says why; the second has none
    assert retried is not None and retried.order == [1, 2, 3]
    assert retried.steps[-1] == (
        "cell 2 (In [2]) raised ModuleNotFoundError and no rule mends it: "
        "top to bottom instead (notebook order)"
    )
    assert again is None


@pytest.mark.parametrize(
    ("stored", "new", "rule"),
    [
        (
            "Int64Index([2, 3, 5], dtype='int64')",
            "Index([2, 3, 5], dtype='int64')",
            "pandas-typed-index",
        ),
        (
            "array(['PR', 'USA'], dtype=object)",
            "<ArrowStringArray>\n['PR', 'USA']\nLength: 2, dtype: str",
            "pandas-arrow-strings",
        ),
        (
            "('Alice', 25, 55.)",
            "np.void(('Alice', 25, 55.0), dtype=[('name', '<U10')])",
            "numpy-void-repr",
        ),
        (
            "100000 loops, best of 3: 2.1 µs per loop",
            "52.7 ns ± 0.3 ns per loop (mean ± std. dev. of 7 runs, 10,000,000 loops each)",
            "timeit",
        ),
        (
            "-rw-r--r--  1 jakevdp  staff  26K Feb  1 06:15 my_figure.png",
            "-rw-r--r-- 1 root root 38K Dec  7 02:42 my_figure.png",
            "file-listing",
        ),
    ],
)
def test_drift_rules_of_the_corpus_era(stored: str, new: str, rule: str) -> None:
    # Given: what pandas 1, NumPy 1, IPython 7 and another machine printed, and what prints now
    # When
    klass, rules, _ = verify.cellcheck.compare_text(stored, new, 1e-6)
    # Then: only presentation drifted, and the rule that says so is named
    assert klass == "same-values", (stored, new)
    assert rule in rules


def test_the_users_cell_timeout_is_for_the_notebooks_cells_not_the_ones_promote_adds() -> None:
    # Given a promoted notebook with its shims, start and stop cells, and a 3 s cell timeout
    src = Source(
        name="n",
        version="v",
        seed=3,
        notebook={"cells": [{"cell_type": "code", "source": "import time\ntime.sleep(9)"}]},
    )
    nb = build.build_notebook(src, build.plan_cells(src, "notebook"), "notebook", shims=True)
    timeout_of = notebook_run.cell_timeout(3.0)

    # When nbclient asks each code cell's timeout
    timeouts = {
        c["source"].splitlines()[-1]: timeout_of(c) for c in nb["cells"] if c["cell_type"] == "code"
    }

    # Then the notebook's own cell gets the user's 3 s; the cells promote added get the default
    # (under load %xp start alone can take longer than 3 s)
    assert timeouts.pop("time.sleep(9)") == 3.0
    assert any(k.startswith("%xp start") for k in timeouts) and "%xp stop" in timeouts
    assert set(timeouts.values()) == {notebook_run.ADDED_CELL_TIMEOUT}
    assert notebook_run.cell_timeout(900.0)(nb["cells"][1]) == 900.0  # a longer timeout is kept


def test_the_job_process_ends_without_teardown_after_flushing_its_output() -> None:
    # Given a process that writes its log lines (stdout, stderr, logging) and ends the way the
    # job's process does (no interpreter teardown, which costs 0.6 s of CPU after MLflow)
    code = (
        "import logging, sys\n"
        "from jupyterlab_xp.promote.job import _exit_now\n"
        "logging.basicConfig(stream=sys.stderr, format='%(message)s')\n"
        "print('status written', end='')\n"
        "sys.stderr.write('stderr line ')\n"
        "logging.getLogger('xp').warning('logged line')\n"
        "_exit_now(3)\n"
        "print('never')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    # Then its exit code is the job's and nothing it wrote is lost
    assert done.returncode == 3
    assert done.stdout == "status written"
    assert done.stderr == "stderr line logged line\n"
