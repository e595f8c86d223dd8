"""What a run consumed: configs as dotted params, named seeds, a seeded DataLoader order and
tensors in ``xp.log``, recorded in real kernels into a real store."""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import textwrap
from typing import Any

import pytest

from jupyterlab_xp.capture import configs
from jupyterlab_xp.core.errors import XpError


def _run(store: Any, name: str) -> Any:
    runs = [r for r in store.search_runs() if r.info.run_name == name]
    assert len(runs) == 1, [r.info.run_name for r in store.search_runs()]
    return runs[0]


def _ok(kernel: Any, code: str) -> dict[str, Any]:
    out = kernel.execute(textwrap.dedent(code))
    assert out["status"] == "ok", out
    return out


# --- configs, without a kernel ----------------------------------------------------------------


@dataclasses.dataclass
class Optim:
    lr: float = 0.1
    betas: tuple[float, float] = (0.9, 0.99)


@dataclasses.dataclass
class Train:
    width: int = 16
    name: str = "mlp"
    optim: Optim = dataclasses.field(default_factory=Optim)
    dropout: float | None = None


def test_a_nested_dataclass_flattens_to_dotted_params_with_a_schema() -> None:
    # Given a dataclass holding another
    config = Train()
    # When it is resolved and flattened
    flat = configs.flatten(configs.resolved(config))
    # Then each leaf is one dotted param; a list stays one value
    assert flat == {
        "width": 16,
        "name": "mlp",
        "optim.lr": 0.1,
        "optim.betas": [0.9, 0.99],
        "dropout": None,
    }
    assert configs.param_values(flat)["optim.betas"] == "[0.9, 0.99]"
    # And its schema names every field with its JSON type
    schema = configs.schema(config)
    assert schema is not None
    assert schema["properties"]["optim"]["properties"]["lr"] == {"type": "number"}
    assert schema["properties"]["width"] == {"type": "integer"}


def test_overrides_are_checked_against_the_recorded_schema() -> None:
    # Given the schema of a dataclass config
    schema = configs.schema(Train())
    assert schema is not None
    # Then a known key with its type passes, an int is a number, a bool is not an int
    assert configs.check_override(schema, "optim.lr", 0.01) is None
    assert configs.check_override(schema, "optim.lr", 1) is None
    assert configs.check_override(schema, "dropout", None) is None
    assert configs.check_override(schema, "width", True) == "width must be integer, got bool True"
    # And an unknown key is refused, at any depth
    assert configs.check_override(schema, "optim.momentum", 0.9) == (
        "optim.momentum is not a field of the recorded config"
    )
    assert configs.check_override(schema, "depth", 3) is not None


def test_pydantic_namespace_and_omegaconf_configs() -> None:
    from omegaconf import OmegaConf
    from pydantic import BaseModel

    class Model(BaseModel):
        width: int = 32
        act: str = "relu"

    class Config(BaseModel):
        model: Model = Model()
        epochs: int = 3

    # Given a pydantic model: its own JSON schema, refs followed when checking
    schema = configs.schema(Config())
    assert schema is not None
    assert configs.flatten(configs.resolved(Config())) == {
        "model.width": 32,
        "model.act": "relu",
        "epochs": 3,
    }
    assert configs.check_override(schema, "model.width", 64) is None
    assert configs.check_override(schema, "model.width", "wide") is not None
    assert configs.check_override(schema, "model.depth", 2) is not None
    # Given an argparse.Namespace: its attributes, no schema
    ns = argparse.Namespace(lr=0.1, layers=[64, 32])
    assert configs.flatten(configs.resolved(ns)) == {"lr": 0.1, "layers": [64, 32]}
    assert configs.schema(ns) is None
    # Given an OmegaConf config with an interpolation: resolved before it is recorded
    cfg = OmegaConf.create({"data": {"root": "/d", "train": "${data.root}/train"}, "bs": 8})
    assert configs.flatten(configs.resolved(cfg)) == {
        "data.root": "/d",
        "data.train": "/d/train",
        "bs": 8,
    }
    # And one that cannot be resolved is one line
    bad = OmegaConf.create({"a": "${missing}"})
    with pytest.raises(XpError, match="cannot resolve this config"):
        configs.resolved(bad)


def test_what_is_not_a_config_is_one_line() -> None:
    with pytest.raises(XpError, match=r"xp\.param takes name=value pairs, or one config"):
        configs.resolved(42)
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(configs.MAX_DEPTH + 2):
        node["x"] = {}
        node = node["x"]
    with pytest.raises(XpError, match="nested deeper than"):
        configs.resolved(deep)


def test_the_loader_tags_name_every_worker_setting_the_run_used() -> None:
    import torch.utils.data

    from jupyterlab_xp.kernel.seeds import SeedKeeper

    # Given a run's seed keeper, and a training loader with workers made before and after a
    # validation loader in the kernel
    events: list[tuple[str, dict[str, Any]]] = []
    keeper = SeedKeeper(lambda kind, **fields: events.append((kind, fields)))
    keeper.seed_all(5)
    try:
        loader = torch.utils.data.DataLoader
        loader(list(range(4)), num_workers=2, persistent_workers=True)
        loader(list(range(4)))
        loader(list(range(4)), num_workers=2, persistent_workers=True)
    finally:
        keeper.uninstall()
    # Then the tags hold every setting used so far, not the last loader's
    recorded = [fields["tags"] for kind, fields in events if kind == "dataloader"]
    workers, persistent = "xp.dataloader.num_workers", "xp.dataloader.persistent_workers"
    assert recorded[0] == {workers: "2", persistent: "true"}
    assert recorded[-1] == {workers: "0,2", persistent: "false,true"}


# --- in a real kernel -------------------------------------------------------------------------


@pytest.mark.kernel
def test_a_config_lands_as_dotted_params_and_its_resolved_file(
    kernel_factory: Any, store: Any
) -> None:
    # Given a recorded run
    k = kernel_factory()
    _ok(k, "%load_ext jupyterlab_xp\n%xp start configs --seed 7")
    # When a Hydra config is composed and recorded, with a named seed and tensor metrics
    out = _ok(
        k,
        """
        import warnings, torch
        import jupyterlab_xp as xp
        from omegaconf import OmegaConf
        cfg = OmegaConf.create({"model": {"width": 64, "act": "gelu"},
                                "data": {"root": "/d", "train": "${data.root}/train"}})
        xp.param(cfg)
        data_seed = xp.seed("data")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            xp.log({"train/loss": torch.tensor(0.25), "train/grads": torch.ones(3)}, step=1)
            xp.log({"train/grads": torch.ones(3)}, step=2)
        print(data_seed, [str(w.message) for w in caught])
        """,
    )
    _ok(k, "%xp stop")
    # Then the params are dotted and resolved, the file is the resolved config
    run = _run(store, "configs")
    params = run.data.params
    assert params["model.width"] == "64" and params["model.act"] == "gelu"
    assert params["data.train"] == "/d/train"
    text = store.artifacts.read_text(run.info.run_id, "xp/config.json")
    assert json.loads(text) == {
        "data": {"root": "/d", "train": "/d/train"},
        "model": {"act": "gelu", "width": 64},
    }
    # And the named seed is blake2b("7/data") as the docs say, recorded as seed.data
    expected = int.from_bytes(hashlib.blake2b(b"7/data", digest_size=4).digest(), "big")
    printed_seed, warned = out["stdout"].split(" ", 1)
    assert int(printed_seed) == expected and params["seed.data"] == str(expected)
    # And a scalar tensor is its number; a non-scalar is left out with one warning
    assert run.data.metrics["train/loss"] == 0.25
    assert "train/grads" not in run.data.metrics
    assert warned.count("train/grads") == 1 and "shape (3,)" in warned


DATA_ORDER = """
import torch
import jupyterlab_xp as xp
from torch.utils.data import DataLoader
torch.manual_seed({init})  # model initialisation: differs between the two runs
_ = torch.randn({draws})
loader = DataLoader(list(range(20)), batch_size=20, shuffle=True)
print(next(iter(loader)).tolist())
"""


@pytest.mark.kernel
def test_a_dataloader_without_a_generator_gets_the_data_seed(
    kernel_factory: Any, store: Any
) -> None:
    # Given two runs with the same root seed whose model initialisation draws differ
    orders = []
    for name, init, draws in (("a", 1, 5), ("b", 2, 50)):
        k = kernel_factory()
        _ok(k, f"%load_ext jupyterlab_xp\n%xp start order-{name} --seed 11")
        orders.append(_ok(k, DATA_ORDER.format(init=init, draws=draws))["stdout"])
        _ok(k, "%xp stop")
    # Then both saw the same data order: the loader's generator came from the data seed
    assert orders[0] == orders[1]
    assert sorted(json.loads(orders[0])) == list(range(20))
    # And the loader is recorded: its workers as tags, the seeding in seeds.json
    run = _run(store, "order-a")
    assert run.data.tags["xp.dataloader.num_workers"] == "0"
    assert run.data.tags["xp.dataloader.persistent_workers"] == "false"
    seeds = json.loads(store.artifacts.read_text(run.info.run_id, "xp/seeds.json"))
    data_seed = int.from_bytes(hashlib.blake2b(b"11/data", digest_size=4).digest(), "big")
    assert seeds["dataloaders"][0]["generator"] == "xp"
    assert seeds["dataloaders"][0]["seed"] == data_seed


WORKER_IMPORTS = """
import json, time
import torch
from torch.utils.data import DataLoader, Dataset
"""
WORKER_ORDER = """
torch.manual_seed({init})  # model initialisation: differs between the two runs
_ = torch.randn({draws})

class Augmented(Dataset):
    def __len__(self):
        return 16

    def __getitem__(self, i):
        time.sleep(0.1)  # a slow decoder, in the worker processes
        return torch.tensor([float(i), torch.rand(()).item()])  # an augmentation's draw

loader = DataLoader(Augmented(), batch_size=4, shuffle=True, num_workers=2,
                    persistent_workers=True)
print(json.dumps([batch.tolist() for epoch in range(2) for batch in loader]))
"""


@pytest.mark.kernel
def test_a_dataloader_with_workers_keeps_its_order_and_draws_and_is_recorded(
    kernel_factory: Any, store: Any
) -> None:
    from jupyterlab_xp.views.verdict import cell_verdict

    # Given two runs with the same root seed whose model initialisation draws differ, each
    # loading two epochs through two persistent worker processes that draw random numbers
    batches = []
    for name, init, draws in (("a", 1, 5), ("b", 2, 50)):
        k = kernel_factory()
        _ok(k, f"%load_ext jupyterlab_xp\n%xp start workers-{name} --seed 11")
        _ok(k, WORKER_IMPORTS)  # (its own cell: importing torch takes seconds of CPU)
        printed = _ok(k, WORKER_ORDER.format(init=init, draws=draws))["stdout"]
        batches.append(json.loads(printed))
        _ok(k, "%xp stop")
    # Then both runs saw the same order and the same draws in the workers: the workers' seeds
    # come from the loader's generator, which the data seed set
    assert batches[0] == batches[1]
    items = [int(row[0]) for batch in batches[0] for row in batch]  # two epochs of 16
    assert sorted(items[:16]) == sorted(items[16:]) == list(range(16))
    # And the workers are recorded: tags, and the loader's seeding in seeds.json
    run = _run(store, "workers-a")
    assert run.data.tags["xp.dataloader.num_workers"] == "2"
    assert run.data.tags["xp.dataloader.persistent_workers"] == "true"
    seeds = json.loads(store.artifacts.read_text(run.info.run_id, "xp/seeds.json"))
    (loader,) = seeds["dataloaders"]
    assert (loader["num_workers"], loader["persistent_workers"]) == (2, True)
    assert loader["generator"] == "xp"
    # And the seeding torch does in each worker is not taken for the user's own seed calls
    assert [call["fn"] for call in seeds["user_calls"]] == ["torch.manual_seed"]
    # And the time the kernel waited on the workers counts as loader wait: data-bound
    text = store.artifacts.read_text(run.info.run_id, "xp/cells.jsonl")
    (cell,) = [c for c in map(json.loads, text.splitlines()) if "Augmented" in c["source"]]
    assert cell["loader_wait"] >= 1.0
    verdict = cell_verdict(cell)
    assert verdict is not None and verdict["verdict"] == "data-bound", cell
