"""Sweeps over REST: hostile requests are 4xx and run nothing; a sweep started from the API runs
to its best trial; cancel stops its worker, the running trial FAIL and its run KILLED."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyterlab_xp.core import tags
from test_promote_routes import SERVER, NoExecute, call, refused

pytest_plugins = ["pytest_jupyter.jupyter_server"]

TINY = Path(__file__).parent / "fixtures" / "sweep_tiny.ipynb"


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return {"ServerApp": SERVER, "XpExtensionApp": {"recover_interval": 0}}


@pytest.fixture
def root(jp_root_dir: Path) -> Path:
    (jp_root_dir / "tiny.ipynb").write_bytes(TINY.read_bytes())
    slow = json.loads(TINY.read_text())
    slow["cells"][0]["source"] = "x = 0.5\nsteps = 20\nwait = 0.5"
    (jp_root_dir / "slow.ipynb").write_text(json.dumps(slow))
    return jp_root_dir


GOOD = {"notebook": "tiny.ipynb", "params": ["x=uniform:0:1"], "objective": "val/score"}


async def test_hostile_sweep_requests_are_refused_and_run_nothing(
    jp_fetch: Any, root: Path, xp_home: Path
) -> None:
    hostile = [
        ({**GOOD, "notebook": "../tiny.ipynb"}, 400, "'..'"),
        ({**GOOD, "notebook": "/etc/passwd"}, 400, "relative to the server root"),
        ({**GOOD, "params": ["x=gaussian:0:1"]}, 400, "unknown distribution"),
        ({**GOOD, "params": ["x=uniform:1:0"]}, 400, "bad range"),
        ({**GOOD, "params": ["lr=uniform:0:1"]}, 400, "the parameters cell does not define it"),
        ({**GOOD, "params": ["x=choice:[1],[2]"]}, 400, "choices must"),
        ({**GOOD, "params": []}, 400, "params"),
        ({**GOOD, "trials": 0}, 400, "trials"),
        ({**GOOD, "sampler": "cmaes"}, 400, "sampler"),
        ({**GOOD, "objective": "x" * 300}, 400, "objective"),
        ({**GOOD, "storage": "postgresql://evil/db"}, 400, "storage"),
        ({**GOOD, "workers": 1000}, 400, "workers"),
        ({**GOOD, "run_id": "../../etc", "notebook": None}, 400, "not a run id"),
        ({**GOOD, "run_id": "0" * 32, "notebook": None}, 404, "no run"),
        ("not json", 400, "bad sweep request"),
        ({**GOOD, "code_sha256": "0" * 64}, 400, "not the code you were shown"),
        ({**GOOD, "code_sha256": "../x"}, 400, "code_sha256"),
        ({**GOOD, "params": ["x=uniform:-1e308:1e308"]}, 400, "too wide"),
    ]
    for body, status, words in hostile:
        code, message = await refused(jp_fetch, "POST", "sweeps", body=body)
        assert (code, words in message) == (status, True), (body, code, message)
    # Nothing ran: no study, no job, no run.
    assert not (xp_home / "promotions").exists()
    code, listed = await call(jp_fetch, "GET", "sweeps")
    assert listed == {"sweeps": []}
    code, message = await refused(jp_fetch, "GET", "sweeps", "..%2Fx")
    assert code in (400, 404)
    code, message = await refused(jp_fetch, "GET", "sweeps", "0" * 32)
    assert code == 404
    code, message = await refused(jp_fetch, "GET", "sweeps", bogus="1")
    assert code == 400


async def _wait(jp_fetch: Any, run_id: str, done: Any, polls: int = 600) -> dict[str, Any]:
    for _ in range(polls):
        _, sweep = await call(jp_fetch, "GET", "sweeps", run_id)
        if done(sweep):
            return sweep  # type: ignore[no-any-return]
        await asyncio.sleep(0.5)
    raise AssertionError(f"sweep {run_id} never got there: {sweep}")


async def test_start_a_sweep_over_rest_and_read_its_results(jp_fetch: Any, root: Path) -> None:
    # Given a sweep started through the API with the digest of the code the plan showed
    code, plan = await call(jp_fetch, "GET", "promote-plan", notebook="tiny.ipynb")
    digest = plan["code"][plan["default_order"]]["sha256"]
    body = {**GOOD, "trials": 2, "workers": 1, "pruner": "none", "sampler": "random"}
    code, started = await call(jp_fetch, "POST", "sweeps", body={**body, "code_sha256": digest})
    assert code == 202 and started["trials_target"] == 2
    assert (started["code_sha256"], started["order"]) == (digest, plan["default_order"])
    assert started["space"] == [
        {"name": "x", "kind": "uniform", "low": 0.0, "high": 1.0, "choices": []}
    ]
    # When it finishes
    sweep = await _wait(jp_fetch, started["run_id"], lambda s: s["state"] != "running")
    # Then its trials, best trial, series and importance are in the detail
    assert sweep["state"] == "finished" and sweep["counts"] == {"COMPLETE": 2}
    values = [t["value"] for t in sweep["trials"]]
    assert values == pytest.approx([t["params"]["x"] * 3 for t in sweep["trials"]])
    assert sweep["best"]["value"] == max(values)
    assert [p["best"] for p in sweep["series"]] == [values[0], max(values)]
    assert set(sweep["importance"]) == {"x"}
    code, listed = await call(jp_fetch, "GET", "sweeps")
    assert [s["run_id"] for s in listed["sweeps"]] == [started["run_id"]]
    assert listed["sweeps"][0]["best_run"] == sweep["best"]["run_id"]
    code, message = await refused(jp_fetch, "DELETE", "sweeps", started["run_id"])
    assert code == 400 and "nothing to cancel" in message


async def test_cancel_stops_the_workers_and_keeps_what_was_recorded(
    jp_fetch: Any, root: Path, store: Any
) -> None:
    body = {**GOOD, "notebook": "slow.ipynb", "trials": 3, "workers": 1, "pruner": "none"}
    code, started = await call(jp_fetch, "POST", "sweeps", body=body)
    assert code == 202
    run_id = started["run_id"]

    def stepping(sweep: dict[str, Any]) -> bool:
        return any(t["state"] == "RUNNING" and t["last_step"] for t in sweep["trials"])

    await _wait(jp_fetch, run_id, stepping)
    code, _ = await call(jp_fetch, "DELETE", "sweeps", run_id)
    assert code == 202
    sweep = await _wait(jp_fetch, run_id, lambda s: s["state"] != "running")
    assert sweep["state"] == "cancelled"
    assert [t["state"] for t in sweep["trials"]] == ["FAIL"]
    assert store.get_run(run_id).info.status == "KILLED"
    trial_runs = [r for r in store.search_runs() if r.data.tags.get(tags.SWEEP_RUN) == run_id]
    assert len(trial_runs) == 1 and trial_runs[0].info.status == "KILLED"
    assert trial_runs[0].data.metrics["val/score"] > 0  # the steps it logged are kept


@pytest.mark.parametrize(
    "jp_server_config",
    [
        {
            "ServerApp": {**SERVER, "authorizer_class": NoExecute},
            "XpExtensionApp": {"recover_interval": 0},
        }
    ],
)
async def test_sweeps_need_the_execute_permission(
    jp_fetch: Any, root: Path, jp_server_config: Any, xp_home: Path
) -> None:
    code, _ = await call(jp_fetch, "GET", "sweeps")
    assert code == 200  # reading is allowed
    with pytest.raises(HTTPClientError) as denied:
        await call(jp_fetch, "POST", "sweeps", body=GOOD)
    assert denied.value.code == 403
    with pytest.raises(HTTPClientError) as denied:
        await call(jp_fetch, "DELETE", "sweeps", "0" * 32)
    assert denied.value.code == 403
    assert not (xp_home / "promotions").exists()
