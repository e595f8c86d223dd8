"""``GET models/{name}/{version}``: a model version with its lineage (version → run, data, code,
environment), registered by ``jupyter xp register`` into MLflow's real registry and read through
a real Jupyter server, hostile registry content included."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from conftest import xp_server_config
from hostile_runs import hostile_run
from jupyterlab_xp.core import tags
from jupyterlab_xp.store.boundary import MAX_LINEAGE_TAGS
from jupyterlab_xp.views.registry import register

pytest_plugins = ["pytest_jupyter.jupyter_server"]

LOCK = "numpy==2.4.6\n"


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return xp_server_config()


async def _lineage(jp_fetch: Any, name: str, version: str) -> dict[str, Any]:
    # jp_fetch percent-encodes each part
    response = await jp_fetch("jupyterlab-xp", "api", "v1", "models", name, version)
    assert response.code == 200
    return json.loads(response.body)  # type: ignore[no-any-return]


async def test_a_registered_version_with_its_lineage(jp_fetch: Any, store: Any) -> None:
    # Given a run with a notebook, git, a dataset and a lock, registered as digits@staging
    run_id = hostile_run(
        store.location.tracking_uri,
        {
            tags.NOTEBOOK_PATH: "train.ipynb",
            tags.GIT_COMMIT: "0123abcd" * 5,
            tags.GIT_DIRTY: "false",
            "xp.dataset.train": "e" * 64,
        },
        {tags.LOCK_ARTIFACT: LOCK},
        params={"lr": "0.1"},
    )
    register(store, run_id, "digits", alias="staging")
    # When the panel asks for version 1 of digits
    body = await _lineage(jp_fetch, "digits", "1")
    # Then it has the version, its alias and source run, and every lineage tag exactly as plain
    # MLflow reads them off the version
    version = store.client.get_model_version("digits", "1")
    assert (body["name"], body["version"], body["aliases"]) == ("digits", "1", ["staging"])
    assert body["run_id"] == run_id and body["source"] == version.source
    assert body["unreadable"] == []
    assert body["lineage"] == {
        k.removeprefix(tags.LINEAGE_PREFIX): v for k, v in version.tags.items()
    }
    assert body["lineage"]["source_run"] == run_id
    assert body["lineage"]["notebook"] == "train.ipynb"
    assert body["lineage"]["git_commit"] == "0123abcd" * 5
    assert json.loads(body["lineage"]["params"]) == {"lr": "0.1"}
    assert json.loads(body["lineage"]["datasets"]) == {"train": "e" * 64}
    assert body["lineage"]["lock_sha256"] == hashlib.sha256(LOCK.encode()).hexdigest()


async def test_hostile_lineage_tags_are_named_never_a_5xx(jp_fetch: Any, store: Any) -> None:
    # Given a version a teammate registered with plain MLflow: a name of control characters,
    # a lineage tag of terminal escapes, more lineage tags than are shown, no run, an odd source
    client = store.client
    odd = "\x1b[2J\u202emodel\r\n\t" + "x" * 100
    client.create_registered_model(odd)
    lineage = {f"{tags.LINEAGE_PREFIX}z{i:03d}": "v" for i in range(MAX_LINEAGE_TAGS + 3)}
    lineage[f"{tags.LINEAGE_PREFIX}notebook"] = "\x1b]0;title\x07../../etc/passwd"
    client.create_model_version(odd, "s3://bucket/\x00?", tags=lineage)
    # When the panel asks for it
    body = await _lineage(jp_fetch, odd, "1")
    # Then the text comes back exactly (JSON-escaped; the panel renders text), the tags past
    # the cap are left out and named in one line, and there is no source run
    assert body["name"] == odd and body["run_id"] is None
    assert len(body["lineage"]) == MAX_LINEAGE_TAGS
    assert body["lineage"]["notebook"] == "\x1b]0;title\x07../../etc/passwd"
    (reason,) = body["unreadable"]
    assert reason == f"4 lineage tags past the first {MAX_LINEAGE_TAGS} left out"


async def test_unknown_and_malformed_versions_are_one_line_errors(
    jp_fetch: Any, store: Any
) -> None:
    # Given a registry with version 1 of digits
    run_id = hostile_run(store.location.tracking_uri, {}, {})
    register(store, run_id, "digits")
    for name, version, code in (
        ("digits", "2", 404),
        ("nothing", "1", 404),
        ("digits", "one", 400),
        ("digits", "1" * 12, 400),
        ("x" * 300, "1", 400),
    ):
        # When a version that is not there, or no version at all, is asked for
        with pytest.raises(HTTPClientError) as error:
            await jp_fetch("jupyterlab-xp", "api", "v1", "models", name, version)
        # Then the answer is a client error with a one-line message
        response = error.value.response
        assert error.value.code == code and response is not None, (name, version)
        assert "\n" not in json.loads(response.body)["message"]
