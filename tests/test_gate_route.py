"""``GET gate``: the gate's decision through a real Jupyter server, auth enforced."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from conftest import xp_server_config
from test_gate import _group

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return xp_server_config()


async def test_the_gate_route_answers_like_the_cli(jp_fetch: Any, store: Any) -> None:
    # Given a candidate worse than its baseline beyond seed noise, five seeds each
    _group(store.client, "gate", 16, 0.90, 5)
    _group(store.client, "gate", 32, 0.80, 5)
    # When the panel asks the gate
    response = await jp_fetch(
        "jupyterlab-xp", "api", "v1", "gate",
        params={"baseline": "params.width=16", "candidate": "params.width=32",
                "metric": "val/accuracy", "min_effect": "0.01"},
    )  # fmt: skip
    # Then it answers the CLI's decision, with its exit code
    body = json.loads(response.body)
    assert response.code == 200
    assert body["decision"] == "fail" and body["exit_code"] == 1
    assert body["metrics"][0]["why"].startswith("worse by 0.1 beyond seed noise")
    assert len(body["baseline"]["run_ids"]) == 5 and body["baseline"]["params"] == {"width": "16"}


async def test_bad_gate_requests_are_one_line_400s(jp_fetch: Any, store: Any) -> None:
    for params, message in (
        ({}, "gate needs baseline=SEL, candidate=SEL and metric=NAME"),
        ({"baseline": "a", "candidate": "b", "metric": "system/cpu"}, "never tests it"),
        ({"baseline": "a", "candidate": "b", "metric": "m", "min_effect": "x"}, "a number"),
        ({"baseline": "a", "candidate": "b", "metric": "m", "shell": "1"}, "gate takes"),
    ):
        with pytest.raises(HTTPClientError) as error:
            await jp_fetch("jupyterlab-xp", "api", "v1", "gate", params=params)
        response = error.value.response
        assert error.value.code == 400 and response is not None, params
        text = json.loads(response.body)["message"]
        assert message in text and "\n" not in text, (params, text)
