"""Sweeps, bad input: each a one-line error before anything runs; the search space; GPU workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.promote.source import from_notebook
from jupyterlab_xp.sweep import results, sweeps
from jupyterlab_xp.sweep import study as studies
from jupyterlab_xp.sweep.devices import visible_gpus, worker_envs
from jupyterlab_xp.sweep.space import parse_dimension, parse_space, space_from_text, space_text

HERE = Path(__file__).parent
TINY = HERE / "fixtures" / "sweep_tiny.ipynb"


def test_space_parses_each_distribution_and_round_trips() -> None:
    # Given the four distributions the README shows
    specs = ["x=loguniform:1e-4:1e-1", "steps=choice:32,64,128", "wait=uniform:0:0.5"]
    known = {"x": 0.1, "steps": 3, "wait": 0.0, "layers": 1}
    # When they are parsed
    space = parse_space([*specs, "layers=int:1:4"], known)
    # Then each has its bounds or choices, and the text form reads back the same
    assert space["x"].kind == "loguniform" and (space["x"].low, space["x"].high) == (1e-4, 1e-1)
    assert space["steps"].choices == (32, 64, 128)
    assert space["layers"].grid() == [1, 2, 3, 4]
    assert space_from_text(space_text(space)) == space


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("x=gaussian:0:1", "unknown distribution 'gaussian'"),
        ("x=uniform:1:0", "bad range 1.0:0.0"),
        ("x=uniform:1:1", "bad range"),
        ("x=loguniform:0:1", "LOW must be above 0"),
        ("x=int:1.5:3", "is not an integer"),
        ("x=uniform:0:inf", "bounds must be finite"),
        ("x=uniform:-1e308:1e308", "is too wide (HIGH - LOW overflows)"),
        ("x=int:0:99999999999999999999", "int bounds must lie within"),
        ("x=uniform:0", "takes LOW:HIGH"),
        ("x=choice:", "needs arguments"),
        ("x=choice:1,1", "must not repeat"),
        ("x=choice:[1],[2]", "choices must be numbers"),
        ("x", "expected NAME=DISTRIBUTION:ARGS"),
        ("class=uniform:0:1", "is a Python keyword"),
        ("a b=uniform:0:1", "must be Python identifiers"),
        ("a..b=uniform:0:1", "identifiers or dotted config keys"),  # a.b is a config's key
    ],
)
def test_bad_distribution_is_one_line(spec: str, message: str) -> None:
    with pytest.raises(XpError) as err:
        parse_dimension(spec)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_param_the_parameters_cell_does_not_define() -> None:
    src = from_notebook(TINY)
    with pytest.raises(XpError, match=r"--param lr: the parameters cell does not define it; "):
        parse_space(["lr=uniform:0:1"], src.params)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sampler": "cmaes"}, "--sampler must be one of tpe, random, grid"),
        ({"pruner": "asha"}, "--pruner must be one of hyperband, median, none"),
        ({"direction": "up"}, "--direction must be one of maximize, minimize"),
        ({"trials": 0}, "--trials must be 1 to"),
        ({"seeds": [1, 2]}, "a sweep runs each trial with one seed"),
        ({"objective": "bad metric!"}, "--objective metric"),
        ({"sampler": "grid"}, "the grid sampler needs choice or int parameters; x is uniform"),
        ({"timeout": 0.1}, "--timeout must be"),
        (
            {"sampler": "grid", "params": ["x=int:1:2000", "steps=int:1:2000"]},
            "the grid has more than 100,000 points (at steps)",
        ),
    ],
)
def test_bad_request_is_one_line_before_anything_runs(
    change: dict[str, Any], message: str, xp_home: Path
) -> None:
    # Given a valid sweep request with one thing wrong
    request: dict[str, Any] = {
        "params": ["x=uniform:0:1"],
        "objective": "val/score",
        **change,
    }
    # When it is checked, then one line says what, and no job, run or study was made
    with pytest.raises(XpError) as err:
        sweeps.check_request(from_notebook(TINY), **request)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert not (xp_home / "promotions").exists()


def test_unreachable_storage_is_one_line_with_no_password(xp_home: Path) -> None:
    # Given a PostgreSQL URL on a port where nothing listens, with a password in it
    url = "postgresql+psycopg2://alice:s3cr3t-pw@127.0.0.1:9/optuna"
    # When the storage is opened, then one line names it without the password
    with pytest.raises(XpError) as err:
        studies.open_storage(url)
    text = str(err.value)
    assert text.startswith("cannot reach the sweep storage postgresql+psycopg2://127.0.0.1:9")
    assert "s3cr3t-pw" not in text and "\n" not in text


def test_cli_bad_input_exits_2_with_one_line(xp_home: Path, tmp_path: Path) -> None:
    notebook = tmp_path / "tiny.ipynb"
    notebook.write_bytes(TINY.read_bytes())
    cases = [
        (["--param", "nope=uniform:0:1"], "the parameters cell does not define it"),
        (["--param", "x=beta:0:1"], "unknown distribution 'beta'"),
        (
            ["--param", "x=uniform:0:1", "--storage", "postgresql+psycopg2://u:p@127.0.0.1:9/x"],
            "cannot reach the sweep storage",
        ),
    ]
    for extra, message in cases:
        ran = subprocess.run(
            [sys.executable, "-m", "jupyterlab_xp", "sweep", str(notebook),
             "--objective", "val/score", "--trials", "2", *extra],
            capture_output=True, text=True, env=os.environ.copy(), timeout=120,
        )  # fmt: skip
        assert ran.returncode == 2, ran.stderr
        lines = ran.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], ran.stderr
    assert not (xp_home / "promotions").exists()


def test_workers_one_per_gpu_each_sees_its_own() -> None:
    # Given two visible GPUs (a fake count: this machine has none)
    gpus = visible_gpus({"CUDA_VISIBLE_DEVICES": "2,3"})
    assert gpus == ["2", "3"]
    # Then by default one worker per GPU, and asked for three, the third shares the first
    assert worker_envs(None, gpus) == [{"CUDA_VISIBLE_DEVICES": "2"}, {"CUDA_VISIBLE_DEVICES": "3"}]
    assert [e["CUDA_VISIBLE_DEVICES"] for e in worker_envs(3, gpus)] == ["2", "3", "2"]
    # And without GPUs, one worker per CPU with no device overlay
    assert worker_envs(None, [], cpus=3) == [{}, {}, {}]
    assert visible_gpus({"CUDA_VISIBLE_DEVICES": "-1"}) == []
    with pytest.raises(XpError, match="--workers must be 1 to 64"):
        worker_envs(0, [])


def test_gpu_count_from_a_fake_nvml() -> None:
    from fake_nvml import make_fake_nvml

    # Given NVML that sees two GPUs and no CUDA_VISIBLE_DEVICES, then a worker per GPU
    gpus = visible_gpus({}, make_fake_nvml())
    assert gpus == ["0", "1"]
    assert worker_envs(None, gpus) == [{"CUDA_VISIBLE_DEVICES": "0"}, {"CUDA_VISIBLE_DEVICES": "1"}]


def test_trial_kernel_without_a_sweep_imports_no_optuna() -> None:
    # The cell path of every kernel that is not a trial: one environment lookup, no Optuna.
    code = (
        "import sys, os\n"
        "os.environ.pop('XP_TRIAL', None)\n"
        "from jupyterlab_xp.kernel import trial_report as trial\n"
        "trial.report({'val/score': 1.0}, 0, lambda t: None)\n"
        "print(json.dumps(['optuna' in sys.modules, 'sqlalchemy' in sys.modules]))"
    )
    ran = subprocess.run(
        [sys.executable, "-c", "import json\n" + code], capture_output=True, text=True, check=True
    )
    assert json.loads(ran.stdout) == [False, False]


def test_a_huge_grid_in_a_studys_config_is_never_listed(
    store: Any, xp_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import optuna

    # Given: a study whose config (anyone who can write the storage may set it) asks for a grid
    # of 2,000 x 2,000 points
    url = studies.default_storage(xp_home)
    sweep = sweeps.create(
        store, from_notebook(TINY), url, params=["x=uniform:0:1"], objective="m", pruner="none"
    )
    storage = studies.open_storage(url)
    study, config = studies.load(storage, sweep["study"], sampling=False)
    hostile = {**config, "sampler": "grid", "space": "x=int:1:2000; steps=int:1:2000"}
    study.set_user_attr(studies.CONFIG_ATTR, hostile)

    def no_grid(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a grid sampler was built")

    monkeypatch.setattr(optuna.samplers, "GridSampler", no_grid)
    # When: it is shown (sweep show, GET sweeps/{id}), then no sampler is built
    detail = results.detail(store, sweep["study"], url)
    assert detail["sampler"] == "grid" and [d["high"] for d in detail["space"]] == [2000, 2000]
    # And: a worker that would sample it is refused in one line
    with pytest.raises(XpError, match="more than 100,000 points"):
        studies.load(storage, sweep["study"])


def test_a_sweep_whose_worker_crashes_is_stopped_not_finished(
    store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given: a sweep whose study config makes its worker fail (a trial budget that is no number)
    url = studies.default_storage(xp_home)
    notebook = tmp_path / "tiny.ipynb"
    notebook.write_bytes(TINY.read_bytes())
    sweep = sweeps.create(
        store, from_notebook(notebook), url, params=["x=uniform:0:1"], objective="m"
    )
    storage = studies.open_storage(url)
    study, config = studies.load(storage, sweep["study"], sampling=False)
    study.set_user_attr(studies.CONFIG_ATTR, {**config, "trials": "many"})
    # When: its worker runs here and ends with an error
    state = sweeps.run_here(store, sweep, url, [{}], tmp_path)
    # Then: the sweep says stopped, with why, never finished
    assert state == sweeps.STOPPED
    parent = store.get_run(sweep["run_id"])
    assert parent.data.tags[tags.SWEEP_STATE] == "stopped"
    assert parent.info.status == "FAILED"
    assert "worker(s) ended with status 1" in parent.data.tags[tags.SWEEP_ERROR]


def test_a_trial_asked_past_the_budget_by_a_racing_worker_never_runs(
    store: Any, xp_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jupyterlab_xp.sweep import worker

    # Given: a sweep of one trial whose one trial another worker has just asked for
    url = studies.default_storage(xp_home)
    notebook = tmp_path / "tiny.ipynb"
    notebook.write_bytes(TINY.read_bytes())
    sweep = sweeps.create(
        store, from_notebook(notebook), url, params=["x=uniform:0:1"], objective="m", trials=1
    )
    storage = studies.open_storage(url)
    study, _ = studies.load(storage, sweep["study"], sampling=False)
    with pytest.warns(UserWarning, match="Heartbeat"):  # Optuna's: ask outside optimize
        study.ask()  # trial 0, running in the other worker
    # ...and a worker that looked at the budget just before that ask (so it found it unspent)
    looks = iter([0])
    monkeypatch.setattr(worker, "counted", lambda s: next(looks, len(s.get_trials())))

    def run_trial(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a trial past the budget ran")

    monkeypatch.setattr(worker, "run_trial", run_trial)
    # When: that worker asks for a trial
    ran = worker.work(store, url, sweep["study"], tmp_path, say=lambda *a: None)
    # Then: the trial it got is past the budget: never run, marked, and left out of the views
    assert ran == 0
    trials = study.get_trials(deepcopy=False)
    assert [t.number for t in trials] == [0, 1]
    assert trials[1].user_attrs.get(studies.OVER_BUDGET_ATTR) is True
    assert [row["number"] for row in results.detail(store, sweep["study"], url)["trials"]] == [0]
