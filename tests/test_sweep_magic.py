"""``%xp sweep`` in a real kernel (background, bad input in one line, no Optuna in the kernel) and
``sweep confirm``: the best and runner-up over fresh seeds, tested against scipy's Welch test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from scipy import stats

from conftest import write_notebook

CELLS = [
    {"id": "params", "source": "x = 0.5\nsteps = 3\nwait = 0.0", "tags": ["parameters"]},
    {"id": "start", "source": "%load_ext jupyterlab_xp\n%xp start --seed 0"},
    {
        "id": "train",
        "source": "import random\nimport jupyterlab_xp as xp\n\n"
        "for step in range(steps):\n"
        "    xp.log({'val/score': x * (step + 1) + random.gauss(0, 0.05)}, step=step)",
    },
    {"id": "stop", "source": "%xp stop"},
]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jupyterlab_xp", *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=600,
    )


def _show(sweep: str) -> dict[str, Any]:
    shown = _cli("sweep", "show", sweep, "--json")
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)  # type: ignore[no-any-return]


def test_magic_sweeps_the_last_run_in_the_background_then_confirm_over_seeds(
    kernel_factory: Any, store: Any, tmp_path: Path
) -> None:
    # Given a run recorded in a real kernel
    notebook = write_notebook(tmp_path / "noisy.ipynb", CELLS)
    kernel = kernel_factory(notebook)
    for cell in CELLS:
        assert kernel.execute(cell["source"], cell_id=cell["id"])["status"] == "ok"
    # When %xp sweep has bad input, then one line says so and nothing starts
    bad = kernel.execute("%xp sweep --param lr=uniform:0:1 --objective val/score")
    assert bad["status"] == "error"
    shown_error = (bad["error"] or "") + bad["stderr"]  # IPython prints a UsageError's line
    assert "--param lr: the parameters cell does not define it" in shown_error, bad
    # When it sweeps the last stopped run
    line = (
        "%xp sweep --param x=choice:0.2,0.9 --objective val/score --trials 2 --workers 1 "
        "--pruner none --sampler grid"
    )
    started = kernel.execute(line)
    assert started["status"] == "ok", started
    assert "running in the background" in started["stdout"], started
    sweep = started["stdout"].split()[2].rstrip(":")  # "xp: sweep <id>: ..."
    # Then the kernel stays free and never imported Optuna
    probe = kernel.execute("import sys; print('optuna' in sys.modules)")
    assert probe["stdout"].strip() == "False"
    # And the sweep finishes in the background: two complete trials under the recorded run
    body: dict[str, Any] = {}
    for _ in range(600):
        body = _show(sweep)
        if body["state"] != "running":
            break
        time.sleep(0.5)
    assert body["state"] == "finished" and body["counts"] == {"COMPLETE": 2}, body
    assert body["source_run_id"] is not None
    assert body["best"]["params"] == {"x": 0.9} and body["runner_up"]["params"] == {"x": 0.2}
    shown = kernel.execute(f"%xp sweep show {sweep[:8]}")
    assert "best: trial" in shown["stdout"], shown

    # When the winner is confirmed over 3 fresh seeds
    confirmed = _cli("sweep", "confirm", sweep, "--seeds", "3", "--json")
    assert confirmed.returncode == 0, confirmed.stderr[-3000:]
    result = json.loads(confirmed.stdout)
    # Then each configuration ran over the same 3 seeds, none the sweep used
    best, runner_up = result["groups"]
    assert (best["label"], runner_up["label"]) == ("best", "runner-up")
    assert best["seeds"] == runner_up["seeds"] == [1, 2, 3]
    assert len(best["run_ids"]) == len(runner_up["run_ids"]) == 3

    # And the test between the groups is Welch's, as scipy computes it from the runs' values
    def values(ids: list[str]) -> list[float]:
        return [store.get_run(i).data.metrics["val/score"] for i in ids]

    a, b = values(best["run_ids"]), values(runner_up["run_ids"])
    (test,) = result["tests"]
    reference = stats.ttest_ind(a, b, equal_var=False)
    assert abs(test["welch_p"] - reference.pvalue) < 1e-9
    assert abs(abs(test["welch_t"]) - abs(reference.statistic)) < 1e-9
    # 0.9 * 3 against 0.2 * 3, noise 0.05: 3 seeds a side split 20 ways, no p below 0.1
    assert test["decision"] == "no decision" and test["permutation_p"] == 0.1
