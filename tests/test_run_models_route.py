"""``GET runs/{id}/models``: the model versions registered from a run (lineage run → versions),
read from MLflow's real registry through a real Jupyter server, hostile registry content
included."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from conftest import xp_server_config
from hostile_runs import plain_run
from jupyterlab_xp.store.boundary import MAX_ALIASES

pytest_plugins = ["pytest_jupyter.jupyter_server"]


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return xp_server_config()


def _register(client: Any, name: str, run_id: str, aliases: tuple[str, ...] = ()) -> str:
    """A version of ``name`` made from ``run_id`` with plain MLflow calls; its number."""
    if not client.search_registered_models(f"name = '{name}'"):
        client.create_registered_model(name)
    version = str(client.create_model_version(name, f"runs:/{run_id}/xp", run_id=run_id).version)
    for alias in aliases:
        client.set_registered_model_alias(name, alias, version)
    return version


async def _models(jp_fetch: Any, run_id: str) -> dict[str, Any]:
    response = await jp_fetch("jupyterlab-xp", "api", "v1", "runs", run_id, "models")
    assert response.code == 200
    return json.loads(response.body)  # type: ignore[no-any-return]


async def test_a_runs_registered_versions_with_their_aliases(jp_fetch: Any, store: Any) -> None:
    # Given a run registered twice as "digits" (the second version is staging) and once as
    # "mnist", and another run registered as digits too
    uri = store.location.tracking_uri
    run, other = plain_run(uri), plain_run(uri)
    _register(store.client, "digits", run)
    _register(store.client, "mnist", run, ("production",))
    _register(store.client, "digits", other)
    _register(store.client, "digits", run, ("staging", "candidate"))
    # When the panel asks for each run's versions
    body = await _models(jp_fetch, run)
    # Then it lists this run's versions only, by name then number, with their aliases
    assert body["run_id"] == run and body["unreadable"] == []
    assert [(v["name"], v["version"], sorted(v["aliases"])) for v in body["versions"]] == [
        ("digits", "1", []),
        ("digits", "3", ["candidate", "staging"]),
        ("mnist", "1", ["production"]),
    ]
    assert (await _models(jp_fetch, other))["versions"] == [
        {"name": "digits", "version": "2", "aliases": []}
    ]
    # ...and a run never registered has none
    assert (await _models(jp_fetch, plain_run(uri)))["versions"] == []


async def test_hostile_registry_content_is_bounded_never_a_5xx(jp_fetch: Any, store: Any) -> None:
    # Given versions a teammate registered from this run: a name of control characters and a
    # right-to-left override, and one with more aliases than a version is shown with
    run = plain_run(store.location.tracking_uri)
    odd = "\x1b[2J\u202emodel\r\n\t" + "x" * 200
    _register(store.client, odd, run, ("prod",))
    crowded = tuple(f"a{i}" for i in range(MAX_ALIASES + 1))
    _register(store.client, "crowded", run, crowded)
    # When the run's versions are asked for
    body = await _models(jp_fetch, run)
    # Then the odd name comes back as the exact text (JSON-escaped; the panel renders text),
    # and the crowded version is left out with a one-line reason
    assert body["versions"] == [{"name": odd, "version": "1", "aliases": ["prod"]}]
    (reason,) = body["unreadable"]
    assert reason.startswith("model version 'crowded': aliases") and "\n" not in reason


async def test_unknown_and_malformed_runs_are_one_line_errors(jp_fetch: Any, store: Any) -> None:
    for run_id, code in (("0" * 32, 404), ("not-a-run!", 400)):
        with pytest.raises(HTTPClientError) as error:
            await jp_fetch("jupyterlab-xp", "api", "v1", "runs", run_id, "models")
        response = error.value.response
        assert error.value.code == code and response is not None, run_id
        assert "\n" not in json.loads(response.body)["message"]


async def test_a_request_without_a_token_is_refused(jp_fetch: Any, store: Any) -> None:
    # Given a registered run
    run = plain_run(store.location.tracking_uri)
    _register(store.client, "digits", run)
    # When its versions are asked for without a token
    with pytest.raises(HTTPClientError) as denied:
        await jp_fetch(
            "jupyterlab-xp", "api", "v1", "runs", run, "models", headers={"Authorization": ""}
        )
    # Then the server refuses it
    assert denied.value.code == 403
