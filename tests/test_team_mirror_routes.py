"""``GET runs`` over a team server by plain HTTP: the panel's server lists through its mirror
(store/team_mirror.py), says which source answered, and shows its own edits at once (before
the mirror is complete, MLflow's search answers: tests/test_team_mirror.py)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

import jupyterlab_xp as xp
from conftest import xp_server_config

pytest_plugins = ["pytest_jupyter.jupyter_server"]

STORE_KINDS = ("team",)


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return xp_server_config()


async def get_runs(jp_fetch: Any, **params: str) -> tuple[str, dict[str, Any], Any]:
    """Which source answered, the rows by id, and the response."""
    response = await jp_fetch("jupyterlab-xp", "api", "v1", "runs", params=params)
    body = json.loads(response.body)
    return response.headers["X-XP-Runs-Source"], {r["run_id"]: r for r in body["runs"]}, response


async def test_the_list_goes_through_the_mirror_and_shows_edits_made_here_at_once(
    jp_fetch: Any, jp_serverapp: Any, store: Any
) -> None:
    # Given two finished runs on the team server, reached without database credentials
    ids = []
    for name in ("first", "second"):
        with xp.start(name, experiment="mirror-routes") as run:
            xp.log({"loss": 0.5})
        ids.append(run.run_id)
    mirror = jp_serverapp.web_app.settings["xp_mirror"]
    # When the panel lists runs once the mirror is filled (its thread starts with the server)
    await asyncio.to_thread(mirror.refresh)
    source, rows, response = await get_runs(jp_fetch)
    # Then the mirror answers, with its age
    assert (source, set(rows)) == ("mirror", set(ids))
    assert float(response.headers["X-XP-Runs-Age"]) >= 0
    # When one run is renamed and the other archived through this server
    body = json.dumps({"name": "renamed here"})
    await jp_fetch("jupyterlab-xp", "api", "v1", "runs", ids[0], method="PATCH", body=body)
    await jp_fetch("jupyterlab-xp", "api", "v1", "runs", ids[1], method="DELETE")
    # Then the next list from the mirror shows both
    source, rows, _ = await get_runs(jp_fetch)
    assert source == "mirror"
    assert rows[ids[0]]["name"] == "renamed here"
    assert ids[1] not in rows
    _, archived, _ = await get_runs(jp_fetch, lifecycle="archived")
    assert set(archived) == {ids[1]}
