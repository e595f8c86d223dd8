"""Run management over REST: rename, note, tags, archive, restore, CSV export; auth enforced."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from jupyter_server.auth.authorizer import Authorizer
from tornado.httpclient import HTTPClientError

import jupyterlab_xp as xp

pytest_plugins = ["pytest_jupyter.jupyter_server"]

# Every test here runs on the embedded SQLite store and on the team server (see conftest.py).
STORE_KINDS = ("sqlite", "team")

SERVER = {
    "jpserver_extensions": {"jupyterlab_xp": True, "jupyter_server_terminals": False},
    "allow_unauthenticated_access": False,
}
FORMULA = '=HYPERLINK("http://evil.example","x")'


class ReadOnly(Authorizer):
    """A deployment that lets this user read runs but not change them."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return action == "read"


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return {"ServerApp": SERVER, "XpExtensionApp": {"recover_interval": 0}}


@pytest.fixture
def runs(store: Any) -> list[str]:
    """Two finished runs with a user tag; the second's name and param start like formulas."""
    ids = []
    for name, lr, loss in (("alpha", "0.1", -0.5), (FORMULA, "@SUM(A1)", 0.25)):
        with xp.start(name, experiment="manage", seed=3, tags={"team": "vision"}) as run:
            xp.param(lr=lr, layers=2)
            xp.log({"val/loss": loss})
        ids.append(run.run_id)
    return ids


async def call(jp_fetch: Any, method: str, *path: str, body: Any = None, **params: str) -> Any:
    kwargs: dict[str, Any] = {"method": method, "params": params}
    if method in ("POST", "PATCH"):
        kwargs["body"] = body if isinstance(body, str) else json.dumps(body or {})
    response = await jp_fetch("jupyterlab-xp", "api", "v1", *path, **kwargs)
    return response


async def ok(jp_fetch: Any, method: str, *path: str, body: Any = None, **params: str) -> Any:
    response = await call(jp_fetch, method, *path, body=body, **params)
    assert response.code == 200
    return json.loads(response.body)


async def refused(jp_fetch: Any, method: str, *path: str, body: Any = None) -> tuple[int, str]:
    with pytest.raises(HTTPClientError) as error:
        await call(jp_fetch, method, *path, body=body)
    response = error.value.response
    assert response is not None
    message = json.loads(response.body)["message"]
    assert "\n" not in message
    return error.value.code, message


async def listed(jp_fetch: Any, **params: str) -> list[str]:
    return [r["run_id"] for r in (await ok(jp_fetch, "GET", "runs", **params))["runs"]]


async def test_patch_renames_and_edits_the_note_and_tags(jp_fetch: Any, runs: list[str]) -> None:
    # Given a recorded run with the tag team=vision
    run_id = runs[0]
    # When it is renamed, given a Markdown note, a new tag, and its team tag deleted
    note = "# Baseline\n\n**lr** 0.1 <script>alert(1)</script>"
    edit = {"name": "  baseline v2 ", "note": note, "tags": {"owner": "ana", "team": None}}
    detail = await ok(jp_fetch, "PATCH", "runs", run_id, body=edit)
    # Then the answer is the edited run, and a fresh read agrees
    assert detail["name"] == "baseline v2"
    assert detail["note"] == note
    assert detail["tags"]["owner"] == "ana" and "team" not in detail["tags"]
    assert detail["tags"]["xp.note"] == note  # xp.note stays equal to MLflow's note
    assert await ok(jp_fetch, "GET", "runs", run_id) == detail
    assert await listed(jp_fetch, q="baseline v2") == [run_id]
    # When the note is removed (null), and deleting a tag it does not have
    cleared = await ok(
        jp_fetch, "PATCH", "runs", run_id, body={"note": None, "tags": {"absent": None}}
    )
    # Then it has no note any more, and its name and tags are as they were
    assert cleared["note"] is None and "xp.note" not in cleared["tags"]
    assert cleared["name"] == "baseline v2" and cleared["tags"]["owner"] == "ana"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "nothing to change"),
        ({"name": ""}, "run name must be 1 to 250"),
        ({"name": "a\x07b"}, "printable"),
        ({"name": "x" * 251}, "run name must be 1 to 250"),
        ({"note": "x" * 8001}, "note must be at most 8000"),
        ({"tags": {"xp.kind": "script"}}, "read-only"),
        ({"tags": {"XP.kind": None}}, "read-only"),
        ({"tags": {"mlflow.runName": "x"}}, "read-only"),
        ({"tags": {"../x": "1"}}, "must not look like a path"),
        ({"tags": {"bad key!": "1"}}, "may only hold"),
        ({"tags": {"k": "a\x00b"}}, "control characters"),
        ({"tags": {"k": 3}}, "bad run edit: tags.k"),
        ({"colour": "red"}, "bad run edit: colour"),
        ("not json", "bad run edit"),
    ],
)
async def test_bad_edits_are_400_with_a_reason_and_change_nothing(
    jp_fetch: Any, runs: list[str], body: Any, fragment: str
) -> None:
    # Given a recorded run
    before = await ok(jp_fetch, "GET", "runs", runs[0])
    # When a malformed or forbidden edit arrives
    code, message = await refused(jp_fetch, "PATCH", "runs", runs[0], body=body)
    # Then it is a 400 that says what is wrong, and the run is as it was
    assert code == 400
    assert fragment in message
    assert await ok(jp_fetch, "GET", "runs", runs[0]) == before


async def test_archive_hides_a_run_until_it_is_restored(jp_fetch: Any, runs: list[str]) -> None:
    # Given two runs
    first, second = runs
    # When the first is archived (twice: archiving is idempotent)
    archived = await ok(jp_fetch, "DELETE", "runs", first)
    assert (await ok(jp_fetch, "DELETE", "runs", first))["archived"] is True
    # Then it leaves the default list, and the lifecycle filter finds it
    assert archived["archived"] is True and archived["run_id"] == first
    assert await listed(jp_fetch) == [second]
    assert await listed(jp_fetch, lifecycle="archived") == [first]
    assert await listed(jp_fetch, lifecycle="all") == [second, first]
    assert (await ok(jp_fetch, "GET", "runs", first))["archived"] is True
    # ...and it cannot be edited while archived
    code, message = await refused(jp_fetch, "PATCH", "runs", first, body={"name": "x"})
    assert code == 400 and "restore it" in message
    # When it is restored
    restored = await ok(jp_fetch, "POST", "runs", first, "restore")
    # Then it is listed again
    assert restored["archived"] is False
    assert await listed(jp_fetch) == [second, first]
    assert await listed(jp_fetch, lifecycle="archived") == []


# README: "A running run cannot be archived"
async def test_a_running_run_is_not_archived(jp_fetch: Any, store: Any) -> None:
    # Given a run that is still recording
    run = xp.start("live", experiment="manage")
    try:
        # When it is archived
        code, message = await refused(jp_fetch, "DELETE", "runs", run.run_id)
        # Then that is refused: its recorder still writes to it
        assert code == 400 and "still running" in message
    finally:
        xp.stop()


async def test_unknown_and_malformed_runs(jp_fetch: Any, runs: list[str]) -> None:
    # Given recorded runs
    # When runs that do not exist, or ids that are not ids, are edited
    for method, path in (("PATCH", ()), ("DELETE", ()), ("POST", ("restore",))):
        missing = await refused(jp_fetch, method, "runs", "0" * 32, *path, body={"name": "x"})
        malformed = await refused(jp_fetch, method, "runs", "abc$def", *path, body={"name": "x"})
        # Then unknown is 404 and malformed is 400
        assert missing == (404, f"no run {'0' * 32}")
        assert malformed[0] == 400 and "not a run id" in malformed[1]
    with pytest.raises(HTTPClientError) as refused_format:
        await call(jp_fetch, "GET", "runs", format="xml")
    assert refused_format.value.code == 400


async def test_csv_export_has_param_and_metric_columns_and_is_injection_safe(
    jp_fetch: Any, runs: list[str]
) -> None:
    # Given two runs, one named like a formula with a param like one, and a negative metric
    first, second = runs
    # When the run list is exported as CSV (limit and page_token do not apply)
    response = await call(jp_fetch, "GET", "runs", format="csv", limit="1", experiment="manage")
    # Then it is a CSV download of every run the filter matches, newest first
    assert response.headers["Content-Type"].startswith("text/csv")
    assert 'filename="runs.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.body.decode())))
    assert list(rows[0]) == [
        "run_id", "name", "experiment", "status", "start", "duration", "seed",
        "params.layers", "params.lr", "metrics.val/loss",
    ]  # fmt: skip
    assert [r["run_id"] for r in rows] == [second, first]
    assert rows[1]["name"] == "alpha" and rows[1]["params.lr"] == "0.1"
    assert rows[1]["seed"] == "3" and rows[1]["status"] == "FINISHED"
    assert rows[1]["start"].endswith("+00:00") and float(rows[1]["duration"]) >= 0
    assert rows[1]["metrics.val/loss"] == "-0.5"  # a number stays a number
    # ...and text that a spreadsheet would run as a formula is quoted
    assert rows[0]["name"] == "'" + FORMULA
    assert rows[0]["params.lr"] == "'@SUM(A1)"
    # When the filter matches archived runs only
    await ok(jp_fetch, "DELETE", "runs", first)
    archived = await call(jp_fetch, "GET", "runs", format="csv", lifecycle="archived")
    # Then only those are exported
    assert [r["run_id"] for r in csv.DictReader(io.StringIO(archived.body.decode()))] == [first]


@pytest.mark.parametrize(
    "jp_server_config",
    [
        {
            "ServerApp": {**SERVER, "authorizer_class": ReadOnly},
            "XpExtensionApp": {"recover_interval": 0},
        }
    ],
)
async def test_editing_needs_the_write_permission(
    runs: list[str], jp_server_config: Any, jp_fetch: Any
) -> None:
    # (runs first: the store's XP_HOME is set before the server starts)
    # Given a user who may read but not write
    before = await ok(jp_fetch, "GET", "runs", runs[0])
    assert (await call(jp_fetch, "GET", "runs", format="csv")).code == 200  # reading is allowed
    # When they rename, archive or restore a run
    for method, path in (("PATCH", ()), ("DELETE", ()), ("POST", ("restore",))):
        with pytest.raises(HTTPClientError) as denied:
            await call(jp_fetch, method, "runs", runs[0], *path, body={"name": "x"})
        # Then each is refused, and the run is as it was
        assert denied.value.code == 403
    assert await ok(jp_fetch, "GET", "runs", runs[0]) == before
