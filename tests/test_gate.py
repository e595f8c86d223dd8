"""``jupyter xp gate``: pass, fail and inconclusive on real seed groups in a real store, and its
Markdown and JUnit forms parsed back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from scipy import stats as sps

from jupyterlab_xp.core import tags
from jupyterlab_xp.frontends.cli import main

# Seed noise of a few tenths of a point around each configuration's accuracy.
NOISE = [0.000, 0.004, -0.003, 0.002, -0.001, 0.003]


def _store() -> Any:
    """The test's store (XP_HOME), whose experiments keep artifacts beside it, not in ./mlruns."""
    from jupyterlab_xp.core.config import resolve_store
    from jupyterlab_xp.store.mlflow_store import MlflowStore

    return MlflowStore(resolve_store())


def _group(
    client: Any, experiment: str, width: int, accuracy: float, seeds: int, **extra: str
) -> list[str]:
    """``seeds`` finished runs of one configuration, logged with plain MLflow as the recorder
    would (the ``xp.kind`` tag, params ``width`` and ``seed``)."""
    exp_id = _store().experiment_id(experiment)
    ids = []
    for seed in range(seeds):
        run = client.create_run(exp_id, tags={tags.KIND: tags.KIND_NOTEBOOK})
        run_id = run.info.run_id
        for key, value in {"width": str(width), "seed": str(seed), **extra}.items():
            client.log_param(run_id, key, value)
        client.log_metric(run_id, "val/accuracy", accuracy + NOISE[seed % len(NOISE)])
        client.log_metric(run_id, "val/loss", 1 - accuracy + NOISE[seed % len(NOISE)])
        client.log_metric(run_id, "system/cpu", 50.0 + seed)
        client.set_terminated(run_id)
        ids.append(run_id)
    return ids


@pytest.fixture
def client(store: Any) -> Any:
    return store.client


def _gate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["gate", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_worse_candidate_fails_and_a_better_one_passes(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given width 16 at 0.90 and width 32 at 0.80, five seeds each
    _group(client, "gate", 16, 0.90, 5)
    _group(client, "gate", 32, 0.80, 5)
    # When width 32 is the candidate
    code, out, _ = _gate(
        capsys, "--baseline", "params.width=16", "--candidate", "params.width=32",
        "--metric", "val/accuracy", "--json",
    )  # fmt: skip
    body = json.loads(out)
    # Then it fails (exit 1) with compare's p: the larger of Welch's p and the exact
    # permutation p, as scipy computes them (all 252 splits of 5 and 5)
    assert code == 1 and body["decision"] == "fail"
    row = body["metrics"][0]
    a = [0.90 + n for n in NOISE[:5]]
    b = [0.80 + n for n in NOISE[:5]]
    welch = sps.ttest_ind(b, a, equal_var=False).pvalue
    exact = sps.permutation_test(
        (a, b), lambda x, y: sum(y) / len(y) - sum(x) / len(x), n_resamples=float("inf")
    ).pvalue
    assert row["p_value"] == pytest.approx(max(welch, exact))
    assert row["difference"] == pytest.approx(-0.10)
    # When the sides are swapped, the better candidate passes (exit 0)
    code, out, _ = _gate(
        capsys, "--baseline", "params.width=32", "--candidate", "params.width=16",
        "--metric", "val/accuracy",
    )  # fmt: skip
    assert code == 0 and out.startswith("gate: PASS")
    assert "better by 0.1 beyond seed noise" in out


def test_direction_follows_the_metric_name_and_min_effect_forgives_a_small_loss(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a candidate whose loss is 0.02 higher than the baseline's (five seeds each)
    _group(client, "gate", 16, 0.90, 5)
    _group(client, "gate", 32, 0.88, 5)
    common = ["--baseline", "params.width=16", "--candidate", "params.width=32"]
    # When its loss is gated: lower is better for a loss, so it is worse and fails
    code, out, _ = _gate(capsys, *common, "--metric", "val/loss", "--json")
    row = json.loads(out)["metrics"][0]
    assert code == 1 and row["direction"] == "minimize"
    # When a loss of up to 0.05 is allowed, the same runs pass and say why
    code, out, _ = _gate(capsys, *common, "--metric", "val/loss", "--min-effect", "0.05")
    assert code == 0 and "within --min-effect 0.05" in out


def test_fewer_than_five_seeds_is_inconclusive_never_a_pass(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given three seeds a side, the candidate far better
    _group(client, "gate", 16, 0.80, 3)
    _group(client, "gate", 32, 0.95, 3)
    # When gated
    code, out, _ = _gate(
        capsys, "--baseline", "params.width=16", "--candidate", "params.width=32",
        "--metric", "val/accuracy",
    )  # fmt: skip
    # Then no decision is made from three seeds (exit 2), and the reason is printed
    assert code == 2 and out.startswith("gate: INCONCLUSIVE")
    assert "3 seeds on a side: the gate needs at least 5" in out


def test_equal_groups_pass_but_require_better_is_inconclusive(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two widths with the same accuracy and the same seed noise
    _group(client, "gate", 16, 0.90, 5)
    _group(client, "gate", 32, 0.90, 5)
    common = ["--baseline", "params.width=16", "--candidate", "params.width=32"]
    # When gated: not worse beyond noise passes
    code, out, _ = _gate(capsys, *common, "--metric", "val/accuracy")
    assert code == 0 and "not worse beyond seed noise: not distinguishable at this power" in out
    # and it says how large a difference these seeds could have seen (80 % power)
    assert "these seeds detect a difference of" in out
    # When a better candidate is required, the same runs cannot show it
    code, out, _ = _gate(capsys, *common, "--metric", "val/accuracy", "--require-better")
    assert code == 2 and "not distinguishable from the baseline" in out


def test_groups_that_differ_in_more_than_the_tested_param_are_inconclusive(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the candidate also changed the learning rate
    _group(client, "gate", 16, 0.90, 5, lr="0.1")
    _group(client, "gate", 32, 0.80, 5, lr="0.2")
    # When only width is named
    code, out, _ = _gate(
        capsys, "--baseline", "params.width=16", "--candidate", "params.width=32",
        "--metric", "val/accuracy",
    )  # fmt: skip
    # Then the gate will not blame width for it
    assert code == 2 and "the groups also differ in lr, not only in width" in out


def test_run_id_selections_and_a_missing_metric(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given five runs a side, selected by id prefixes, one candidate without the metric
    base = _group(client, "gate", 16, 0.90, 5)
    cand = _group(client, "gate", 32, 0.91, 5)
    client.log_metric(cand[0], "val/other", 1.0)
    # When the metric only the baseline logs everywhere is gated
    code, out, _ = _gate(
        capsys, "--baseline", ",".join(r[:12] for r in base),
        "--candidate", ",".join(cand), "--metric", "val/other",
    )  # fmt: skip
    # Then it is inconclusive and says how many runs lack it
    assert code == 2 and "have no finite val/other" in out


def test_system_metrics_are_refused_in_one_line(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two seed groups that log system/cpu
    _group(client, "gate", 16, 0.90, 5)
    _group(client, "gate", 32, 0.80, 5)
    # When system/cpu is gated
    code, out, err = _gate(
        capsys, "--baseline", "params.width=16", "--candidate", "params.width=32",
        "--metric", "system/cpu",
    )  # fmt: skip
    # Then the gate refuses it: one line, exit 2, no decision printed
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "jupyter xp: error: system/cpu measures the machine, not the result: the gate never"
        " tests it"
    ]


def test_markdown_and_junit_forms_parse(client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a failing and a passing metric (accuracy worse, loss better... both from one shift)
    _group(client, "gate", 16, 0.90, 5)
    _group(client, "gate", 32, 0.80, 5)
    common = ["--baseline", "params.width=16", "--candidate", "params.width=32"]
    # When the pull-request comment is asked for
    code, out, _ = _gate(
        capsys, *common, "--metric", "val/accuracy", "--metric", "val/other", "--markdown"
    )
    # Then it has the decision, a table row per metric and why
    assert code == 1 and "jupyter xp gate: **fail**" in out
    rows = [line for line in out.splitlines() if line.startswith("| val/")]
    assert [r.split("|")[1].strip() for r in rows] == ["val/accuracy", "val/other"]
    assert rows[0].rstrip(" |").endswith("fail") and rows[1].rstrip(" |").endswith("inconclusive")
    # When JUnit XML is asked for, one test case per metric: a failure and a skip
    code, out, _ = _gate(capsys, *common, "--metric", "val/accuracy", "--metric", "val/other",
                         "--junit")  # fmt: skip
    suite = ET.fromstring(out.split("?>", 1)[1])
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases["val/accuracy"].find("failure") is not None
    assert cases["val/other"].find("skipped") is not None


def test_a_sweep_objective_gated_again_is_flagged_as_a_peek(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given candidate runs that confirm a sweep which selected on val/accuracy
    exp_id = _store().experiment_id("sweeps")
    sweep = client.create_run(
        exp_id, tags={tags.KIND: tags.KIND_SWEEP, tags.SWEEP_OBJECTIVE: "val/accuracy maximize"}
    )
    _group(client, "gate", 16, 0.90, 5)
    for run_id in _group(client, "gate", 32, 0.90, 5):
        client.set_tag(run_id, tags.SWEEP_RUN, sweep.info.run_id)
    # When val/accuracy is gated
    code, out, _ = _gate(
        capsys, "--baseline", "params.width=16", "--candidate", "params.width=32",
        "--metric", "val/accuracy",
    )  # fmt: skip
    # Then the decision stands and a warning names the peek
    assert code == 0 and "warning: val/accuracy was the objective a sweep selected" in out


def test_exit_codes_reach_a_ci_shell(client: Any, xp_home: Path) -> None:
    # Given a failing candidate
    _group(client, "gate", 16, 0.90, 5)
    _group(client, "gate", 32, 0.80, 5)
    # When `python -m jupyterlab_xp gate` runs as a CI step would
    result = subprocess.run(
        [sys.executable, "-m", "jupyterlab_xp", "gate", "--baseline", "params.width=16",
         "--candidate", "params.width=32", "--metric", "val/accuracy"],
        capture_output=True, text=True, env=os.environ | {"XP_HOME": str(xp_home)}, timeout=120,
    )  # fmt: skip
    # Then the process exits 1 and prints the decision
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("gate: FAIL")
