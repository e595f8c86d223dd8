"""Overrides of a recorded config (issue 24): promote's ``-p model.lr 0.5`` and a sweep over
``model.lr`` are checked against what ``xp.param(cfg)`` recorded before anything runs, and reach
the notebook's own config through ``xp.param(cfg)`` in the promoted kernel."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import write_notebook, xp_server_config
from jupyterlab_xp.capture import configs
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.promote import overrides
from jupyterlab_xp.promote.source import Source
from jupyterlab_xp.sweep.space import check_targets, parse_space
from test_promote_routes import refused

pytest_plugins = ["pytest_jupyter.jupyter_server"]

RECORDED = {"model": {"lr": 0.1, "width": 16, "act": "relu"}, "epochs": 2}


def _source(config: Any = RECORDED, schema: Any = None, **params: Any) -> Source:
    return Source(name="train", version="v", params=params, config=config, config_schema=schema)


# --- the checks, without a kernel ---------------------------------------------------------------


def test_overrides_split_between_the_parameters_cell_and_the_recorded_config() -> None:
    # Given a source whose parameters cell defines epochs and whose config has it too
    src = _source(epochs=2, seed_note="x")
    # When overrides name a dotted key and the shared top-level key
    params, config = overrides.split(src, {"model.lr": 0.5, "epochs": 3})
    # Then the dotted key goes to the config only, the shared key to both
    assert params == {"epochs": 3}
    assert config == {"model.lr": 0.5, "epochs": 3}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"model.depth": 3}, "model.depth is not a field of the recorded config"),
        ({"model.width": "wide"}, "model.width must be number, got str 'wide'"),
        ({"model.act": 1}, "model.act must be string, got int 1"),
        ({"model": {"lr": 1}}, "model is a section of the recorded config"),
        ({"model..lr": 1}, "parameter names are Python identifiers or dotted config keys"),
        ({"batch": 8}, "unknown parameter(s) batch; known: seed_note"),
        ({"class": 8}, "parameter name 'class' is a Python keyword"),
        ({"model.lr": {1, 2}}, "model.lr must be number"),
    ],
)
def test_a_bad_override_is_one_line_naming_it(given: dict[str, Any], message: str) -> None:
    # Given a source with a recorded config and no schema (a dict): types come from the values
    src = _source(seed_note="x")
    # When the override is checked, Then it is refused in one line that names it
    with pytest.raises(XpError) as error:
        overrides.split(src, given)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_the_recorded_schema_wins_over_the_values() -> None:
    # Given a dataclass's schema: width is an integer, where the values would say a number
    @dataclasses.dataclass
    class Model:
        width: int = 16

    src = _source({"width": 16}, configs.schema(Model()))
    # Then a float width is refused, an int passes
    with pytest.raises(XpError, match=r"width must be integer, got float 0\.5"):
        overrides.split(src, {"width": 0.5})
    assert overrides.split(src, {"width": 32}) == ({}, {"width": 32})


def test_a_source_without_a_config_refuses_dotted_keys() -> None:
    src = _source(None, lr=0.1)
    with pytest.raises(XpError, match=r"recorded no config \(xp\.param\(cfg\)\)"):
        overrides.split(src, {"model.lr": 0.5})
    assert overrides.split(src, {"lr": 0.5}) == ({"lr": 0.5}, {})


@pytest.mark.parametrize(
    "schema",
    [
        {"properties": {"model": {"properties": "x"}}},
        {"properties": {"model": {"$ref": "#/$defs/M"}}, "$defs": []},
        {"properties": {"model": {"properties": {"lr": {"type": {"a": 1}, "anyOf": "zz"}}}}},
        {"properties": {"model": {"properties": {"lr": {"anyOf": [1, None, {"type": 3}]}}}}},
        {"properties": ["model"]},
    ],
)
def test_a_hostile_recorded_schema_gives_an_answer_not_a_crash(schema: dict[str, Any]) -> None:
    # Given a schema file anyone on the team could have written
    src = _source(schema=schema)
    # When an override is checked against it, Then it passes or is one line, never a traceback
    try:
        overrides.split(src, {"model.lr": 0.5})
    except XpError as exc:
        assert "\n" not in str(exc)


def test_a_sweep_searches_dotted_keys_of_the_types_the_config_has() -> None:
    # Given a recorded config and a parameters cell
    src = _source(epochs=2)
    # Then dotted and top-level keys may be searched, each dimension's values fitting the type
    space = parse_space(["model.lr=loguniform:1e-4:1e-1", "epochs=int:1:3"], None)
    check_targets(space, src)
    # And a dimension whose values the field cannot hold, or an unknown key, is one line
    for spec, message in (
        ("model.act=uniform:0:1", "--param model.act must be string, got float 0.0"),
        ("model.depth=int:1:3", "--param model.depth is not a field of the recorded config"),
        ("batch=int:1:3", "--param batch: the parameters cell does not define it"),
        ("model..lr=int:1:3", "dotted config keys"),
    ):
        with pytest.raises(XpError) as error:
            check_targets(parse_space([spec], None), src)
        assert message in str(error.value)


def test_a_promoted_run_whose_params_miss_an_override_is_named() -> None:
    # Given overrides a promotion asked for
    asked = {"model.lr": 0.5, "epochs": 3}
    # Then a run that recorded them passes, and one that kept an old value is one line naming it
    assert overrides.not_reached(asked, {"model.lr": "0.5", "epochs": "3"}) is None
    missed = overrides.not_reached(asked, {"model.lr": "0.1", "epochs": "3"})
    assert missed is not None and "\n" not in missed
    assert missed.startswith("config override model.lr=0.5 did not reach the notebook's config")
    assert "recorded '0.1'" in missed
    assert "model.lr=0.5 did not" in str(overrides.not_reached(asked, {"epochs": "3"}))


# --- setting them in the user's config ----------------------------------------------------------


@dataclasses.dataclass
class Optim:
    lr: float = 0.1


@dataclasses.dataclass
class Train:
    optim: Optim = dataclasses.field(default_factory=Optim)
    layers: dict[str, int] = dataclasses.field(default_factory=lambda: {"hidden": 8})


@dataclasses.dataclass(frozen=True)
class Frozen:
    lr: float = 0.1


def test_overrides_are_set_in_the_config_the_notebook_holds() -> None:
    from omegaconf import OmegaConf
    from pydantic import BaseModel, ConfigDict

    class Strict(BaseModel):
        model_config = ConfigDict(validate_assignment=True)
        width: int = 16

    # Given configs of each kind
    train, plain = Train(), {"model": {"lr": 0.1}}
    omega = OmegaConf.create({"model": {"lr": 0.1}})
    strict = Strict()
    # When overrides are applied
    configs.apply_overrides(train, {"optim.lr": 0.5, "layers.hidden": 4})
    configs.apply_overrides(plain, {"model.lr": 0.5})
    configs.apply_overrides(omega, {"model.lr": 0.5})
    configs.apply_overrides(strict, {"width": 32})
    # Then each object itself holds the new values
    assert train.optim.lr == 0.5 and train.layers == {"hidden": 4}
    assert plain == {"model": {"lr": 0.5}}
    assert omega.model.lr == 0.5
    assert strict.width == 32
    # And a config that refuses the value, or lacks the key, is one line
    with pytest.raises(XpError, match=r"override lr=0\.5: the config refused it"):
        configs.apply_overrides(Frozen(), {"lr": 0.5})
    with pytest.raises(XpError, match="override width='wide': the config refused it"):
        configs.apply_overrides(strict, {"width": "wide"})
    with pytest.raises(XpError, match=r"override optim\.momentum: this config has no such field"):
        configs.apply_overrides(train, {"optim.momentum": 0.9})


# --- end to end: a recorded run, promoted and swept with dotted overrides ------------------------

CELLS = [
    {"id": "params", "source": "epochs = 2", "tags": ["parameters"]},
    {"id": "start", "source": "%load_ext jupyterlab_xp\n%xp start --seed 3"},
    {
        "id": "train",
        "source": "import jupyterlab_xp as xp\n"
        "cfg = {'model': {'lr': 0.1, 'act': 'relu'}}\n"
        "xp.param(cfg)\n"
        "xp.log({'val/score': cfg['model']['lr'] * epochs})",
    },
    {"id": "stop", "source": "%xp stop"},
]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jupyterlab_xp", *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        cwd=cwd,
        timeout=600,
    )


@pytest.fixture
def recorded(kernel_factory: Any, store: Any, tmp_path: Path) -> str:
    notebook = write_notebook(tmp_path / "train.ipynb", CELLS)
    kernel = kernel_factory(notebook)
    for cell in CELLS:
        result = kernel.execute(cell["source"], cell_id=cell["id"])
        assert result["status"] == "ok", result
    (run,) = store.search_runs(max_results=5)
    assert run.data.params["model.lr"] == "0.1"
    return str(run.info.run_id)


@pytest.mark.kernel
def test_promote_over_dotted_keys_of_a_recorded_config(
    recorded: str, store: Any, tmp_path: Path
) -> None:
    # When the promotion is only planned, Then the dry run shows the config override apart
    planned = _cli("promote", recorded, "-p", "model.lr", "0.5", "--dry-run", cwd=tmp_path)
    assert planned.returncode == 0, planned.stderr[-2000:]
    assert "config      model.lr = 0.5  (set in the config the notebook records)" in planned.stdout
    planned = _cli("promote", recorded, "-p", "model.lr", "0.5", "--dry-run", "--json",
                   cwd=tmp_path)  # fmt: skip
    assert json.loads(planned.stdout)["config_overrides"] == {"model.lr": 0.5}
    # When the run is promoted with a dotted override and a parameters-cell override
    done = _cli("promote", recorded, "-p", "model.lr", "0.5", "-p", "epochs", "3", "--json",
                cwd=tmp_path)  # fmt: skip
    # Then the promoted kernel's config held the new value: its params and its metric say so
    assert done.returncode == 0, done.stderr[-2000:]
    job = json.loads(done.stdout)
    assert job["promotion"]["params"] == {"epochs": 3, "model.lr": 0.5}
    promoted = store.get_run(job["runs"][0])
    assert promoted.data.params["model.lr"] == "0.5"
    assert promoted.data.metrics["val/score"] == pytest.approx(1.5)
    # When a key the config lacks, or a value of the wrong type, is given
    for args, message in (
        (["-p", "model.depth", "3"], "model.depth is not a field of the recorded config"),
        (["-p", "model.act", "0.5"], "model.act must be string, got float 0.5"),
    ):
        refused = _cli("promote", recorded, *args, cwd=tmp_path)
        # Then it is one line and exit 2, and nothing ran
        assert refused.returncode == 2, refused.stderr
        assert message in refused.stderr and refused.stderr.strip().count("\n") == 0
    bad = _cli("sweep", recorded, "--param", "model.act=uniform:0:1", "--objective", "val/score",
               "--trials", "1", cwd=tmp_path)  # fmt: skip
    assert bad.returncode == 2 and "model.act must be string" in bad.stderr, bad.stderr
    assert len(store.search_runs(max_results=20)) == 2  # the source and the one promotion


@pytest.mark.kernel
def test_a_sweep_searches_a_dotted_key_of_a_recorded_config(
    recorded: str, store: Any, tmp_path: Path
) -> None:
    # When a grid sweep searches the dotted key
    swept = _cli("sweep", recorded, "--param", "model.lr=choice:0.2,0.4", "--objective",
                 "val/score", "--sampler", "grid", "--trials", "2", "--workers", "1", "--json",
                 cwd=tmp_path)  # fmt: skip
    # Then each trial's run ran with its value, and the objective followed it
    assert swept.returncode == 0, swept.stderr[-2000:]
    trials = json.loads(swept.stdout)["trials"]
    assert sorted(t["params"]["model.lr"] for t in trials) == [0.2, 0.4]
    for trial in trials:
        run = store.get_run(trial["run_id"])
        assert run.data.params["model.lr"] == str(trial["params"]["model.lr"])
        assert run.data.metrics["val/score"] == pytest.approx(trial["params"]["model.lr"] * 2)


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return xp_server_config()


@pytest.mark.kernel
async def test_rest_refuses_overrides_the_recorded_config_lacks(
    jp_fetch: Any, recorded: str, store: Any
) -> None:
    # Given a run that recorded a config
    sweep = {"run_id": recorded, "objective": "val/score"}
    # When POST promotions and POST sweeps name a key it lacks or a value of the wrong type
    for path, body, message in (
        ("promotions", {"run_id": recorded, "params": {"model.depth": 1}}, "model.depth is not"),
        ("promotions", {"run_id": recorded, "params": {"model.lr": "hi"}}, "model.lr must be"),
        ("sweeps", {**sweep, "params": ["model.act=int:1:2"]}, "model.act must be string"),
        ("sweeps", {**sweep, "params": ["model.x=int:1:2"]}, "model.x is not a field"),
    ):
        code, said = await refused(jp_fetch, "POST", path, body=body)
        # Then each is a 400 of one line naming it, and nothing ran
        assert code == 400 and message in said, (path, said)
    assert len(store.search_runs(max_results=20)) == 1


# --- a pydantic model, recorded in a real kernel and promoted -----------------------------------

PYDANTIC_CELLS = [
    {"id": "start", "source": "%load_ext jupyterlab_xp\n%xp start --seed 3"},
    {
        "id": "train",
        "source": "import jupyterlab_xp as xp\n"
        "from pydantic import BaseModel, ConfigDict\n"
        "class Optim(BaseModel):\n"
        "    model_config = ConfigDict(extra='forbid')\n"
        "    lr: float = 0.1\n"
        "class Config(BaseModel):\n"
        "    model_config = ConfigDict(extra='forbid')\n"
        "    width: int = 16\n"
        "    optim: Optim = Optim()\n"
        "cfg = Config()\n"
        "xp.param(cfg)\n"
        "xp.log({'val/score': cfg.optim.lr * cfg.width})",
    },
    {"id": "stop", "source": "%xp stop"},
]


@pytest.mark.kernel
def test_a_pydantic_config_is_recorded_with_its_schema_and_promoted_by_it(
    kernel_factory: Any, store: Any, tmp_path: Path
) -> None:
    # Given a notebook whose config is a pydantic model, recorded in a real kernel
    notebook = write_notebook(tmp_path / "train.ipynb", PYDANTIC_CELLS)
    kernel = kernel_factory(notebook)
    for cell in PYDANTIC_CELLS:
        result = kernel.execute(cell["source"], cell_id=cell["id"])
        assert result["status"] == "ok", result
    (run,) = store.search_runs(max_results=5)
    run_id = run.info.run_id
    # Then it is dotted params, its resolved values and the model's JSON schema
    assert run.data.params["width"] == "16" and run.data.params["optim.lr"] == "0.1"
    config = json.loads(store.artifacts.read_text(run_id, "xp/config.json"))
    assert config == {"width": 16, "optim": {"lr": 0.1}}
    schema = json.loads(store.artifacts.read_text(run_id, "xp/config.schema.json"))
    assert schema["properties"]["width"]["type"] == "integer"
    # When a promotion names a key the model forbids, or a float for its integer width (the
    # values alone would let any number through: the schema decides)
    for args, message in (
        (["-p", "optim.momentum", "0.9"], "optim.momentum is not a field of the recorded config"),
        (["-p", "width", "2.5"], "width must be integer, got float 2.5"),
    ):
        refused = _cli("promote", run_id, *args, cwd=tmp_path)
        # Then it is one line and exit 2, and nothing ran
        assert refused.returncode == 2, refused.stderr
        assert message in refused.stderr and refused.stderr.strip().count("\n") == 0
    assert len(store.search_runs(max_results=20)) == 1
    # When it is promoted with a nested override
    done = _cli("promote", run_id, "-p", "optim.lr", "0.5", "--json", cwd=tmp_path)
    # Then the promoted kernel's model held it: its param and its metric say so
    assert done.returncode == 0, done.stderr[-2000:]
    promoted = store.get_run(json.loads(done.stdout)["runs"][0])
    assert promoted.data.params["optim.lr"] == "0.5"
    assert promoted.data.metrics["val/score"] == pytest.approx(8.0)
