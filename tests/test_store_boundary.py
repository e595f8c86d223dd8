"""The parsing boundary for store content (issue 17, part 2): one hostile run never breaks a view.

Each hostile run is written with plain ``MlflowClient`` calls, as anyone with write access to a
shared store could; the views are driven through the real REST server and the real CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPResponse

from conftest import xp_server_config
from hostile_runs import deep_json, hostile_run, plain_run
from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.frontends.cli import main
from jupyterlab_xp.store import boundary

pytest_plugins = ["pytest_jupyter.jupyter_server"]

API = "jupyterlab-xp/api/v1"


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return xp_server_config()


async def raw(
    http_server_client: Any,
    jp_auth_header: Any,
    jp_base_url: str,
    path: str,
    method: str = "GET",
    body: Any = None,
) -> HTTPResponse:
    """A request to ``API/path`` as given (the query string is not re-encoded); any status."""
    response: HTTPResponse = await http_server_client.fetch(
        f"{jp_base_url}{API}/{path}",
        method=method,
        headers=jp_auth_header,
        body=None if body is None else json.dumps(body),
        raise_error=False,
        allow_nonstandard_methods=True,
    )
    return response


# --- the boundary itself -------------------------------------------------------------------


def test_a_count_tag_is_plain_ascii_digits() -> None:
    # Given count tags as a hostile run could set them
    # When they are parsed
    # Then digits are counts, absence is 0, and anything else is unreadable with a reason
    assert boundary.count("12", "tag xp.cells") == 12
    assert boundary.count(None, "tag xp.cells") == 0
    for bad in ("lots", "٣٣٣", "-1", "1e9", "9" * 10, " 1"):
        with pytest.raises(boundary.Unreadable, match=r"tag xp\.cells is not a count"):
            boundary.count(bad, "tag xp.cells")


def test_a_run_id_is_ascii_letters_and_digits() -> None:
    # Given ids from a URL or a command line
    # When they are checked
    # Then MLflow's ids pass, and unicode digits, paths and long strings are a one-line XpError
    assert boundary.check_run_id("0123456789abcdef" * 2) == "0123456789abcdef" * 2
    for bad in ("٣٣٣", "../x", "", "a" * 65, "ab cd", "a\n"):
        with pytest.raises(XpError, match="not a run id"):
            boundary.check_run_id(bad)


def test_json_files_are_bounded_in_depth_size_and_shape() -> None:
    # Given xp/ files: 100,000 deep, 100 deep, too large, not JSON, the wrong shape, and good
    files = {
        "deep": (tags.ORDER_ARTIFACT, deep_json(100_000)),
        "deeper than the cap": (tags.ORDER_ARTIFACT, deep_json(boundary.MAX_DEPTH + 1)),
        "large": (tags.GIT_ARTIFACT, " " * (boundary.MAX_JSON_BYTES + 1)),
        "not JSON": (tags.HARDWARE_ARTIFACT, "{nope"),
        "a list": (tags.SEEDS_ARTIFACT, "[1, 2]"),
        "typed field": (tags.ORDER_ARTIFACT, '{"linear": "maybe", "reasons": []}'),
    }
    # When each is parsed as its kind
    # Then each is Unreadable with a one-line reason, and a good file parses to plain values
    for what, (name, text) in files.items():
        with pytest.raises(boundary.Unreadable) as error:
            boundary.artifact(name, text)
        assert "\n" not in str(error.value) and str(error.value), what
    order = boundary.artifact(tags.ORDER_ARTIFACT, '{"linear": true, "reasons": [], "x": [1]}')
    assert order == {"linear": True, "reasons": [], "x": [1]}
    assert boundary.artifact(tags.SEEDS_ARTIFACT, None) is None


def test_cells_keep_the_lines_that_parse_and_say_which_did_not() -> None:
    # Given a cell journal with a good line, a line that is not JSON and a line of wrong types
    good = {"seq": 1, "source": "x = 1", "start": 1.0, "status": "ok", "extra": "dropped"}
    text = "\n".join([json.dumps(good), "not json", json.dumps({"seq": "x", "start": 1})])
    # When it is parsed
    rows, problem = boundary.cells(text)
    # Then the good line is kept (unknown fields dropped) and the first bad line is named
    assert [r["source"] for r in rows] == ["x = 1"] and "extra" not in rows[0]
    assert problem is not None and problem.startswith("cells.jsonl line 2 is not JSON")


def test_the_run_row_degrades_a_count_it_cannot_read() -> None:
    # Given MLflow's fields of a run whose xp.cells tag is "lots"
    # When its row is built
    row = boundary.run_row(
        run_id="a" * 32,
        name="r",
        experiment_id="0",
        experiment="Default",
        status="FINISHED",
        start_time=1000,
        end_time=3000,
        lifecycle_stage="active",
        run_tags={tags.CELLS: "lots", tags.ERRORS: "2"},
        seed=None,
        metrics={},
    )
    # Then the row has every field, in order, the count 0 and the reason in unreadable
    assert tuple(row) == boundary.RUN_ROW_FIELDS
    assert row["cells"] == 0 and row["errors"] == 2 and row["duration"] == 2.0
    assert row["unreadable"] == {"cells": "tag xp.cells is not a count: 'lots'"}


# --- through the real server and CLI -------------------------------------------------------


async def test_a_bad_count_tag_breaks_no_list_csv_compare_or_cli(
    jp_fetch: Any, store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a run whose xp.cells tag is "lots", beside a well-formed run
    uri = store.location.tracking_uri
    good = plain_run(uri)
    bad = hostile_run(uri, {tags.CELLS: "lots", tags.ERRORS: "٣"}, {})
    # When the team lists, exports, compares and prints the runs
    listed = json.loads((await jp_fetch(API, "runs")).body)
    csv = await jp_fetch(API, "runs", params={"format": "csv"})
    # (compare's first call imports SciPy: seconds on a loaded machine, past tornado's 20 s)
    ids = {"ids": f"{good},{bad}"}
    compared = json.loads((await jp_fetch(API, "compare", params=ids, request_timeout=300)).body)
    assert main(["runs", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    # Then every answer is whole: both runs, the bad counts shown as 0 and named unreadable
    rows = {r["run_id"]: r for r in listed["runs"]}
    assert set(rows) == {good, bad} and rows[good]["cells"] == 1
    assert rows[bad]["cells"] == 0 and set(rows[bad]["unreadable"]) == {"cells", "errors"}
    assert csv.code == 200 and bad in csv.body.decode() and good in csv.body.decode()
    assert [r["run_id"] for r in compared["runs"]] == [good, bad]
    assert {r["run_id"] for r in printed} == {good, bad}


async def test_hostile_files_degrade_their_sections_of_the_detail(
    jp_fetch: Any, store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a run whose cells.jsonl is not JSON, seeds.json is a list and order.json is
    # 100,000 levels deep
    run_id = hostile_run(
        store.location.tracking_uri,
        {},
        {
            tags.CELLS_ARTIFACT: "this is not json\n",
            tags.SEEDS_ARTIFACT: "[1, 2, 3]",
            tags.ORDER_ARTIFACT: deep_json(100_000),
            tags.HARDWARE_ARTIFACT: '{"cpu": {"model": "x"}, "gpus": []}',
        },
    )
    # When its detail is read, it is edited, and `jupyter xp show` prints it
    detail = json.loads((await jp_fetch(API, "runs", run_id)).body)
    edited = await jp_fetch(API, "runs", run_id, method="PATCH", body=json.dumps({"name": "n"}))
    assert main(["show", run_id]) == 0
    shown = capsys.readouterr()
    # Then each answers whole: those sections empty, each named unreadable with its reason,
    # the readable section still shown
    assert set(detail["unreadable"]) == {"cells_journal", "seeds", "order"}
    assert detail["unreadable"]["cells_journal"].startswith("cells.jsonl line 1 is not JSON")
    assert detail["seeds"] is None and detail["order"] is None and detail["cells_journal"] == []
    assert detail["hardware"]["cpu"] == {"model": "x"}
    assert edited.code == 200 and json.loads(edited.body)["name"] == "n"
    assert "unreadable  order: order.json is nested deeper than 64 levels" in shown.out
    assert "Traceback" not in shown.out + shown.err


async def test_a_verification_of_the_wrong_shape_costs_only_that_section(
    jp_fetch: Any, store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a "promoted" run whose verify.json is a dict of the wrong shape
    run_id = hostile_run(
        store.location.tracking_uri,
        {tags.VERDICT: "exact", tags.SOURCE_RUN: "b" * 32},
        {tags.VERIFY_ARTIFACT: json.dumps({"verdict": ["exact"], "order": 3, "outputs": "x"})},
    )
    # When its detail is read over REST and printed by the CLI
    detail = json.loads((await jp_fetch(API, "runs", run_id)).body)
    assert main(["show", run_id]) == 0
    shown = capsys.readouterr()
    # Then the verification is empty and named unreadable; the rest is there
    assert detail["verification"] is None and "verification" in detail["unreadable"]
    assert detail["source_run_id"] == "b" * 32
    assert "Traceback" not in shown.out + shown.err and run_id in shown.out


async def test_malformed_requests_are_400_not_500_or_503(
    http_server_client: Any, jp_auth_header: Any, jp_base_url: str, store: Any
) -> None:
    # Given a store with one run
    plain_run(store.location.tracking_uri)
    big = boundary_token(2**63)
    # When a client sends a query string that is not UTF-8, a unicode-digit run id and a
    # page token past any database's offset
    answers = [
        await raw(http_server_client, jp_auth_header, jp_base_url, "runs?q=%FF%FE"),
        await raw(http_server_client, jp_auth_header, jp_base_url, "compare?ids=%FF,%FE"),
        await raw(http_server_client, jp_auth_header, jp_base_url, "runs/%D9%A3%D9%A3%D9%A3"),
        await raw(http_server_client, jp_auth_header, jp_base_url, f"runs?page_token={big}"),
    ]
    # Then each is a 400 with a one-line reason
    for response in answers:
        assert response.code == 400, response.body
        message = json.loads(response.body)["message"]
        assert message and "\n" not in message


def boundary_token(offset: int) -> str:
    from jupyterlab_xp.store.query import offset_token

    return offset_token(offset).replace("=", "%3D")


def test_a_copied_local_id_does_not_open_another_runs_folder(tmp_path: Path) -> None:
    # Given a run folder this machine recorded for run A (its sync state names A)
    runs_dir = tmp_path / "runs"
    (runs_dir / "local1").mkdir(parents=True)
    (runs_dir / "local1" / "sync.json").write_text(json.dumps({"run_id": "a" * 32}))
    # When run A and a hostile run B that copied A's xp.local_id ask for their folder
    mine = boundary.local_run_folder(runs_dir, "a" * 32, "local1")
    theirs = boundary.local_run_folder(runs_dir, "b" * 32, "local1")
    # Then only A gets it; names that could leave runs_dir get none
    assert mine == runs_dir / "local1" and theirs is None
    assert boundary.local_run_folder(runs_dir, "a" * 32, "..") is None
    assert boundary.local_run_folder(runs_dir, "a" * 32, "../runs/local1") is None
