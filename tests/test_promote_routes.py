"""Promote over REST: hostile requests are 4xx and run nothing; a real job runs to its verdict."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest
from jupyter_server.auth.authorizer import Authorizer
from tornado.httpclient import HTTPClientError

from conftest import write_notebook

pytest_plugins = ["pytest_jupyter.jupyter_server"]

SERVER = {
    "jpserver_extensions": {"jupyterlab_xp": True, "jupyter_server_terminals": False},
    "allow_unauthenticated_access": False,
}

# Every test here runs on the embedded SQLite store and on the team server (see conftest.py).
STORE_KINDS = ("sqlite", "team")


class NoExecute(Authorizer):
    """A deployment that lets this user read but not run code."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return action != "execute"


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return {"ServerApp": SERVER, "XpExtensionApp": {"recover_interval": 0}}


async def call(jp_fetch: Any, method: str, *path: str, body: Any = None, **params: str) -> Any:
    kwargs: dict[str, Any] = {"method": method, "params": params}
    if method == "POST":
        kwargs["body"] = body if isinstance(body, str) else json.dumps(body or {})
    response = await jp_fetch("jupyterlab-xp", "api", "v1", *path, **kwargs)
    return response.code, json.loads(response.body)


async def refused(jp_fetch: Any, method: str, *path: str, body: Any = None, **params: str) -> Any:
    with pytest.raises(HTTPClientError) as error:
        await call(jp_fetch, method, *path, body=body, **params)
    response = error.value.response
    assert response is not None
    message = json.loads(response.body)["message"]
    assert "\n" not in message
    return error.value.code, message


@pytest.fixture
def root(jp_root_dir: Path) -> Path:
    write_notebook(
        jp_root_dir / "train.ipynb",
        [
            {"source": "lr = 0.1", "tags": ["parameters"]},
            {"source": "import jupyterlab_xp as xp\nxp.log({'score': lr * 10})"},
        ],
    )
    return jp_root_dir


async def test_hostile_promote_requests_are_refused_and_run_nothing(
    jp_fetch: Any, root: Path, tmp_path: Path, xp_home: Path
) -> None:
    outside = write_notebook(tmp_path / "outside.ipynb", [{"source": "x = 1"}])
    os.symlink(outside, root / "link.ipynb")
    (root / ".hidden").mkdir()
    write_notebook(root / ".hidden" / "h.ipynb", [{"source": "x = 1"}])
    hostile = [
        ({"notebook": "../outside.ipynb"}, 400, "'..'"),
        ({"notebook": "link.ipynb"}, 400, "outside the server root"),
        ({"notebook": str(outside)}, 400, "relative to the server root"),
        ({"notebook": "s3://bucket/train.ipynb"}, 400, "local file"),
        ({"notebook": "train.ipynb\x00.txt"}, 400, "control characters"),
        ({"notebook": ".hidden/h.ipynb"}, 400, "hidden"),
        ({"notebook": "missing.ipynb"}, 404, "no notebook"),
        ({"notebook": "train.py"}, 400, ".ipynb"),
        ({"run_id": "../../etc"}, 400, "not a run id"),
        ({"run_id": "0" * 32}, 404, "no run"),
        ({}, 400, "run id or a notebook"),
        (
            {"notebook": "train.ipynb", "params": {'x = 1\nimport os\nos.system("id")\ny': 1}},
            400,
            "identifiers",
        ),
        ({"notebook": "train.ipynb", "params": {"class": 1}}, 400, "keyword"),
        ({"notebook": "train.ipynb", "params": {"lr": "x" * 20_000}}, 400, "longer than"),
        ({"notebook": "train.ipynb", "params": {"lr": [[[[[[[[[[[[1]]]]]]]]]]]]}}, 400, "deeper"),
        ({"notebook": "train.ipynb", "params": {"unknown": 1}}, 400, "unknown parameter"),
        ({"notebook": "train.ipynb", "seeds": [-1]}, 400, "seeds"),
        ({"notebook": "train.ipynb", "seeds": [1, 1]}, 400, "repeat"),
        ({"notebook": "train.ipynb", "order": "recorded"}, 400, "recorded run"),
        ({"notebook": "train.ipynb", "order": "random"}, 400, "order"),
        ({"notebook": "train.ipynb", "cell_timeout": 0}, 400, "timeout"),
        ({"notebook": "train.ipynb", "output": "/etc/passwd"}, 400, "output"),
        ("not json", 400, "bad promote request"),
    ]
    for body, status, words in hostile:
        code, message = await refused(jp_fetch, "POST", "promotions", body=body)
        assert (code, words in message) == (status, True), (body, code, message)
    # Nothing ran: no job was created and no bundle written.
    assert not (xp_home / "promotions").exists() or not any((xp_home / "promotions").iterdir())
    code, message = await refused(jp_fetch, "GET", "promote-plan", notebook="../x.ipynb")
    assert code == 400
    code, message = await refused(jp_fetch, "GET", "promotions", "..%2Fx")
    assert code in (400, 404)


async def test_promote_a_notebook_over_rest_and_watch_it_finish(jp_fetch: Any, root: Path) -> None:
    code, plan = await call(jp_fetch, "GET", "promote-plan", notebook="train.ipynb")
    assert code == 200
    assert plan["params"] == {"lr": 0.1} and plan["default_order"] == "auto"
    assert plan["run_id"] is None and plan["cells"]["notebook"] == 5  # + start, stop, injected
    code, job = await call(
        jp_fetch,
        "POST",
        "promotions",
        body={
            "notebook": "train.ipynb",
            "params": {"lr": 0.5},
            "order": "notebook",
            "seeds": [1, 2],
        },
    )
    assert code == 202 and job["state"] in ("queued", "running")
    for _ in range(480):
        code, job = await call(jp_fetch, "GET", "promotions", job["id"])
        if job["state"] not in ("queued", "running"):
            break
        await asyncio.sleep(0.5)
    assert job["state"] == "finished", job
    assert job["cells_done"] == job["cells_total"]
    assert [r["status"] for r in job["runs"]] == ["FINISHED", "FINISHED"]
    code, detail = await call(jp_fetch, "GET", "runs", job["runs"][0]["run_id"])
    assert detail["kind"] == "promoted" and detail["params"]["lr"] == "0.5"
    assert detail["metrics"]["score"] == 5.0
    code, listed = await call(jp_fetch, "GET", "promotions")
    assert [p["id"] for p in listed["promotions"]] == [job["id"]]
    code, message = await refused(jp_fetch, "POST", "promotions", job["id"], "cancel")
    assert code == 400 and "nothing to cancel" in message


@pytest.mark.parametrize(
    "jp_server_config",
    [
        {
            "ServerApp": {**SERVER, "authorizer_class": NoExecute},
            "XpExtensionApp": {"recover_interval": 0},
        }
    ],
)
async def test_promote_needs_the_execute_permission(
    jp_fetch: Any, root: Path, jp_server_config: Any, xp_home: Path
) -> None:
    code, _ = await call(jp_fetch, "GET", "promote-plan", notebook="train.ipynb")
    assert code == 200  # reading is allowed
    with pytest.raises(HTTPClientError) as denied:
        await call(jp_fetch, "POST", "promotions", body={"notebook": "train.ipynb"})
    assert denied.value.code == 403
    assert not (xp_home / "promotions").exists()
