"""REST routes through a real Jupyter server (pytest-jupyter's jp_fetch), auth enforced."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

import jupyterlab_xp as xp
from conftest import xp_server_config

pytest_plugins = ["pytest_jupyter.jupyter_server"]

XSS = "<img src=x onerror=alert(1)>"

# Every test here runs on the embedded SQLite store and on the team server (see conftest.py).
STORE_KINDS = ("sqlite", "team")


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return xp_server_config()


@pytest.fixture
def two_runs(store: Any) -> list[str]:
    """Two finished runs that differ in lr and accuracy; the second is newest."""
    ids = []
    for lr, accuracy, name in ((0.1, 0.5, "alpha"), (0.2, 0.75, f"beta {XSS}")):
        with xp.start(name, experiment="routes", seed=1, tags={"team": "vision"}) as run:
            xp.param(lr=lr)
            for step in range(3):
                xp.log({"val/accuracy": accuracy * (step + 1) / 3}, step=step)
        ids.append(run.run_id)
    return ids


async def get(jp_fetch: Any, *path: str, **params: str) -> Any:
    response = await jp_fetch("jupyterlab-xp", "api", "v1", *path, params=params)
    assert response.code == 200
    return json.loads(response.body)


async def refused(jp_fetch: Any, *path: str, **params: str) -> tuple[int, str]:
    with pytest.raises(HTTPClientError) as error:
        await jp_fetch("jupyterlab-xp", "api", "v1", *path, params=params)
    response = error.value.response
    assert response is not None
    return error.value.code, json.loads(response.body)["message"]


@pytest.mark.stores("sqlite")  # the embedded store's own path
async def test_config_names_the_store_without_credentials(jp_fetch: Any, xp_home: Any) -> None:
    # Given a server whose extension uses the test's XP_HOME
    # When the panel asks for the configuration
    payload = await get(jp_fetch, "config")
    # Then it names the embedded store in XP_HOME
    assert payload["embedded"] is True
    assert payload["store"] == f"sqlite:///{xp_home / 'mlflow.db'}"
    assert payload["mlflow_version"] == "3.17.2"


@pytest.mark.stores("sqlite")  # an embedded store that is not there yet
async def test_an_absent_store_lists_no_runs_without_creating_it(
    jp_fetch: Any, xp_home: Any
) -> None:
    # Given a fresh XP_HOME whose embedded store was never created
    (xp_home / "mlflow.db").unlink()
    # When the panel lists runs
    payload = await get(jp_fetch, "runs")
    # Then there are none, and listing did not create (and migrate) the store
    assert payload == {"runs": [], "next_page_token": None, "param_keys": None}
    assert not (xp_home / "mlflow.db").exists()


async def test_requests_without_a_token_are_refused(jp_fetch: Any) -> None:
    # Given requests that carry no token
    for path in (["config"], ["runs"], ["compare"], ["runs", "abc"], ["models", "m", "1"]):
        # When they ask for anything
        with pytest.raises(HTTPClientError) as denied:
            await jp_fetch("jupyterlab-xp", "api", "v1", *path, headers={"Authorization": ""})
        # Then the server refuses them
        assert denied.value.code == 403, path


async def test_runs_lists_filters_sorts_and_pages(jp_fetch: Any, two_runs: list[str]) -> None:
    # Given two recorded runs
    first, second = two_runs
    # When runs are listed, filtered, sorted and paged
    listed = await get(jp_fetch, "runs")
    finished = await get(jp_fetch, "runs", status="finished", experiment="routes")
    by_name = await get(jp_fetch, "runs", q="LPH")
    by_tag = await get(jp_fetch, "runs", tag="team=vision")
    by_metric = await get(jp_fetch, "runs", sort="metrics.val/accuracy", order="asc")
    page1 = await get(jp_fetch, "runs", limit="1")
    page2 = await get(jp_fetch, "runs", limit="1", page_token=page1["next_page_token"])
    # Then each answer holds the expected runs in the expected order
    assert [r["run_id"] for r in listed["runs"]] == [second, first]
    assert listed["runs"][0]["metrics"]["val/accuracy"] == 0.75
    assert len(finished["runs"]) == 2
    assert (await get(jp_fetch, "runs", status="KILLED"))["runs"] == []
    assert [r["run_id"] for r in by_name["runs"]] == [first]
    assert len(by_tag["runs"]) == 2
    assert [r["run_id"] for r in by_metric["runs"]] == [first, second]
    assert [r["run_id"] for r in page1["runs"] + page2["runs"]] == [second, first]
    # ...JupyterLab's cache-busting timestamp argument is ignored
    assert (await get(jp_fetch, "runs", **{"1795000000000": ""}))["runs"] == listed["runs"]
    # ...and captured strings come back as plain JSON strings, untouched
    assert listed["runs"][0]["name"] == f"beta {XSS}"


# README: "Bad input is a `400`"
@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"q": "x' or 1=1 --"}, "search text"),
        ({"status": "DONE"}, "status must be"),
        ({"limit": "0"}, "limit must be"),
        ({"limit": "ten"}, "limit must be"),
        ({"sort": "name; drop table runs"}, "sort must be"),
        ({"sort": "metrics.../x"}, "must not look like a path"),
        ({"tag": "novalue"}, "key=value"),
        ({"tag": 'team=\'x\' or "1"="1"'}, "both ' and \""),
        ({"notebook": "a\x01b.ipynb"}, "without control characters"),
        ({"page_token": "not a token!"}, "page_token"),
        ({"bogus": "1"}, "unknown query argument"),
    ],
)
async def test_malformed_run_queries_are_400_with_a_reason(
    jp_fetch: Any, two_runs: list[str], params: dict[str, str], fragment: str
) -> None:
    # Given recorded runs
    # When a malformed or hostile query arrives
    code, message = await refused(jp_fetch, "runs", **params)
    # Then it is a 400 that says what is wrong, and the runs are still there
    assert code == 400
    assert fragment in message
    assert len((await get(jp_fetch, "runs"))["runs"]) == 2


async def test_run_detail_and_metric_history(jp_fetch: Any, two_runs: list[str]) -> None:
    # Given a recorded run
    run_id = two_runs[0]
    # When its detail and a metric's history are fetched (the key holds a slash)
    detail = await get(jp_fetch, "runs", run_id)
    history = await get(jp_fetch, "runs", run_id, "metrics", "val/accuracy")
    # Then everything recorded is there
    assert detail["params"] == {"seed": "1", "lr": "0.1"}
    assert detail["seeds"]["seed"] == 1
    assert detail["environment"]["python"]["version"].startswith("3.11")
    assert detail["tags"]["team"] == "vision"
    assert [(p["step"], p["value"]) for p in history["points"]] == [
        (0, 0.5 / 3),
        (1, 1.0 / 3),
        (2, 0.5),
    ]


async def test_unknown_and_malformed_ids(jp_fetch: Any, two_runs: list[str]) -> None:
    # Given recorded runs
    # When ids that do not exist, or are not ids, are asked for
    missing = await refused(jp_fetch, "runs", "0" * 32)
    malformed = await refused(jp_fetch, "runs", "abc$def")
    no_metric = await refused(jp_fetch, "runs", two_runs[0], "metrics", "nope")
    # Then unknown is 404 and malformed is 400, each with a message
    assert missing == (404, f"no run {'0' * 32}")
    assert malformed[0] == 400 and "not a run id" in malformed[1]
    assert no_metric[0] == 404


async def test_compare_two_runs(jp_fetch: Any, two_runs: list[str]) -> None:
    # Given two runs that differ in lr and accuracy
    first, second = two_runs
    # When they are compared
    body = await get(jp_fetch, "compare", ids=f"{first},{second}")
    # Then the param and metric differences are marked, and packages are identical
    params = {row["key"]: row for row in body["params"]}
    assert params["lr"] == {"key": "lr", "values": ["0.1", "0.2"], "differs": True}
    assert params["seed"]["differs"] is False
    metrics = {row["key"]: row for row in body["metrics"]}
    assert metrics["val/accuracy"]["values"] == [0.5, 0.75]
    assert all(row["change"] == "same" for row in body["packages"])
    assert [g["label"] for g in body["seed_groups"]] == ["lr=0.1", "lr=0.2"]


async def test_compare_takes_a_correction(jp_fetch: Any, two_runs: list[str]) -> None:
    # Given two runs
    ids = ",".join(two_runs)
    # When they are compared with the default, with BH, and with an unknown correction
    default = await get(jp_fetch, "compare", ids=ids)
    bh = await get(jp_fetch, "compare", ids=ids, correction="bh")
    unknown = await refused(jp_fetch, "compare", ids=ids, correction="bonferroni")
    # Then Holm is the default, BH is taken, anything else is a 400 that names the choices
    assert default["correction"] == "holm" and bh["correction"] == "bh"
    assert default["untested_metrics"] == [] and default["alpha"] == 0.05
    assert unknown[0] == 400 and "holm, bh" in unknown[1]


async def test_compare_rejects_bad_id_lists(jp_fetch: Any, two_runs: list[str]) -> None:
    # Given recorded runs
    # When compare gets one id, an unknown id or a hostile id
    one = await refused(jp_fetch, "compare", ids=two_runs[0])
    unknown = await refused(jp_fetch, "compare", ids=f"{two_runs[0]},{'f' * 32}")
    hostile = await refused(jp_fetch, "compare", ids=f"{two_runs[0]},../../etc/passwd")
    # Then each is refused with the right status
    assert one[0] == 400 and "2 to 20" in one[1]
    assert unknown[0] == 404
    assert hostile[0] == 400


async def test_a_cookie_session_without_xsrf_token_cannot_post(
    jp_fetch: Any, jp_http_port: int, jp_base_url: str, jp_auth_header: dict[str, str]
) -> None:
    # Given a browser session: a login cookie obtained with the server's token
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest

    client = AsyncHTTPClient()
    base = f"http://localhost:{jp_http_port}{jp_base_url}"
    token = jp_auth_header["Authorization"].split()[-1]
    login = await client.fetch(f"{base}api/status?token={token}", raise_error=False)
    cookies = [c.split(";")[0] for c in login.headers.get_list("Set-Cookie")]
    session = [c for c in cookies if c.startswith("username-")]
    assert session, cookies
    url = f"{base}jupyterlab-xp/api/v1/promotions"
    # When a forged cross-site form posts with that cookie but no XSRF token
    forged = await client.fetch(
        HTTPRequest(url, method="POST", body="{}", headers={"Cookie": session[0]}),
        raise_error=False,
    )
    # Then it is refused; with the XSRF token the same request gets past the check
    assert forged.code == 403
    with_xsrf = await client.fetch(
        HTTPRequest(
            url,
            method="POST",
            body="{}",
            headers={"Cookie": f"{session[0]}; _xsrf=abc", "X-XSRFToken": "abc"},
        ),
        raise_error=False,
    )
    assert with_xsrf.code == 400  # authenticated, XSRF-checked: the empty request is refused
    assert "run id or a notebook" in json.loads(with_xsrf.body)["message"]


@pytest.mark.parametrize(
    "jp_server_config",
    [
        {
            "ServerApp": {
                "jpserver_extensions": {"jupyterlab_xp": True, "jupyter_server_terminals": False},
                "allow_unauthenticated_access": False,
            },
            # A store that cannot exist: a database "inside" /dev/null.
            "XpExtensionApp": {"recover_interval": 0, "tracking_uri": "sqlite:////dev/null/x.db"},
        }
    ],
)
async def test_an_unreachable_store_is_a_503(jp_fetch: Any, jp_server_config: Any) -> None:
    # Given a server whose store cannot be opened
    # When the runs are listed
    code, message = await refused(jp_fetch, "runs")
    # Then the answer is 503 with one line naming the store, not a traceback
    assert code == 503
    assert "sqlite:////dev/null/x.db" in message and "\n" not in message
