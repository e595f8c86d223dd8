"""The run list's param columns (``GET runs?params=a,b``), the same on both stores."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

import jupyterlab_xp as xp
from conftest import xp_server_config

pytest_plugins = ["pytest_jupyter.jupyter_server"]

STORE_KINDS = ("sqlite", "team")


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return xp_server_config()


@pytest.fixture
def runs(store: Any) -> list[str]:
    """Three runs named alike that differ in their params; the last is newest."""
    ids = []
    for params in ({"lr": 0.1, "hidden": 32}, {"lr": 0.01, "hidden": 64}, {"dropout": 0.5}):
        with xp.start("digits-mlp", experiment="columns", seed=len(ids)) as run:
            xp.param(**params)
            xp.log({"val/accuracy": 0.5 + len(ids) / 10})
        ids.append(run.run_id)
    return ids


async def listing(jp_fetch: Any, **params: str) -> Any:
    response = await jp_fetch("jupyterlab-xp", "api", "v1", "runs", params=params)
    return json.loads(response.body)


async def test_rows_carry_only_the_params_asked_for(jp_fetch: Any, runs: list[str]) -> None:
    # Given three runs all named digits-mlp
    # When the list is asked for with lr and hidden columns, and without columns
    asked = await listing(jp_fetch, params="lr,hidden")
    plain = await listing(jp_fetch)
    # Then each row holds those params it has (no others), newest first
    assert [r["run_id"] for r in asked["runs"]] == list(reversed(runs))
    assert [r["params"] for r in asked["runs"]] == [
        {},
        {"lr": "0.01", "hidden": "64"},
        {"lr": "0.1", "hidden": "32"},
    ]
    # ...the answer names every param key the page's runs hold, for the column chooser
    assert asked["param_keys"] == ["dropout", "hidden", "lr", "seed"]
    # ...metrics are in every row as before
    assert asked["runs"][0]["metrics"] == {"val/accuracy": 0.7}
    # ...and a list that asks for no columns stays as it was: no params, no keys
    assert plain["param_keys"] is None
    assert all(r["params"] is None for r in plain["runs"])


async def test_an_empty_params_argument_asks_only_for_the_keys(
    jp_fetch: Any, runs: list[str]
) -> None:
    # When params= is given empty (the table view before any column is chosen)
    body = await listing(jp_fetch, params="", limit="1")
    # Then the page's keys come back and each row an empty params
    assert body["param_keys"] == ["dropout", "seed"]
    assert body["runs"][0]["params"] == {}


async def test_a_malformed_param_name_is_a_400(jp_fetch: Any, runs: list[str]) -> None:
    # When a param name could be a path or is too many
    for params in ({"params": "../etc"}, {"params": ",".join(f"p{i}" for i in range(51))}):
        with pytest.raises(HTTPClientError) as error:
            await listing(jp_fetch, **params)
        # Then it is refused with a reason
        assert error.value.code == 400
