"""Grouped curves of a comparison: each seed group's mean, std and t interval per step.

The band is checked against NumPy and scipy.stats directly, step by step, and through the REST
route on both stores (``GET compare/curves``).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from scipy import stats
from tornado.httpclient import HTTPClientError

import jupyterlab_xp as xp
from conftest import xp_server_config
from jupyterlab_xp.views.curves import band, last_per_step

pytest_plugins = ["pytest_jupyter.jupyter_server"]

STORE_KINDS = ("sqlite", "team")


def reference(histories: list[dict[int, float]], step: int) -> dict[str, Any]:
    """mean, std (ddof=1) and the 95 % t interval at one step, by NumPy and scipy."""
    values = np.array(
        [h[step] for h in histories if step in h and np.isfinite(h[step])], dtype=float
    )
    n = len(values)
    mean = float(np.mean(values))
    if n < 2:
        return {"n": n, "mean": mean, "std": None, "ci_low": None, "ci_high": None}
    low, high = stats.t.interval(0.95, n - 1, loc=mean, scale=stats.sem(values))
    return {
        "n": n,
        "mean": mean,
        "std": float(np.std(values, ddof=1)),
        "ci_low": float(low),
        "ci_high": float(high),
    }


@pytest.mark.stores("sqlite")  # plain arithmetic: no store involved
def test_band_matches_numpy_over_the_union_of_steps() -> None:
    # Given three runs with different step sets, one NaN and a step only one run logged
    rng = np.random.default_rng(7)
    histories = [
        {s: float(v) for s, v in zip(range(0, 10), rng.normal(0.5, 0.1, 10), strict=True)},
        {s: float(v) for s, v in zip(range(0, 10, 2), rng.normal(0.6, 0.1, 5), strict=True)},
        {s: float(v) for s, v in zip(range(0, 12), rng.normal(0.4, 0.2, 12), strict=True)},
    ]
    histories[1][4] = math.nan
    # When the band is computed
    points = band(histories)
    # Then there is one point per step any run logged, each matching NumPy and scipy
    assert [p["step"] for p in points] == list(range(12))
    for point in points:
        expected = reference(histories, point["step"])
        assert point["n"] == expected["n"]
        for name in ("mean", "std", "ci_low", "ci_high"):
            if expected[name] is None:
                assert point[name] is None
            else:
                assert point[name] == pytest.approx(expected[name], rel=1e-12)
    # ...n says how many runs a step stands on: 3 at step 0, 2 at step 4 (the NaN is left
    # out) and at odd steps, 1 past step 9 (no spread, no interval)
    by_step = {p["step"]: p for p in points}
    assert (by_step[0]["n"], by_step[4]["n"], by_step[3]["n"], by_step[11]["n"]) == (3, 2, 2, 1)
    assert by_step[11]["std"] is None and by_step[11]["ci_low"] is None


@pytest.mark.stores("sqlite")
def test_edge_cases_of_the_band() -> None:
    # Given no runs, runs with only NaN, and runs with no spread at a step
    # Then nothing, nothing, and a zero-width band are drawn
    assert band([]) == []
    assert band([{0: math.nan}, {0: math.nan}]) == []
    assert band([{3: 1.0}, {3: 1.0}]) == [
        {"step": 3, "n": 2, "mean": 1.0, "std": 0.0, "ci_low": 1.0, "ci_high": 1.0}
    ]


@pytest.mark.stores("sqlite")
def test_a_step_logged_twice_counts_with_its_last_value() -> None:
    # Given (step, value, timestamp) points, step 1 logged twice (the later value is smaller)
    points = [(0, 0.5, 100), (1, 0.9, 300), (1, 0.7, 200), (2, 0.8, 400)]
    # Then step 1 is the value logged last
    assert last_per_step(points) == {0: 0.5, 1: 0.9, 2: 0.8}


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return xp_server_config()


def record(lr: float, seed: int, steps: range, offset: float) -> tuple[str, dict[int, float]]:
    """A run of ``lr`` and ``seed`` logging val/loss at ``steps``; its id and its curve."""
    curve = {s: offset + seed * 0.01 + 1.0 / (s + 1) for s in steps}
    with xp.start(f"lr {lr}", experiment="curves", seed=seed) as run:
        xp.param(lr=lr)
        for step, value in curve.items():
            xp.log({"val/loss": value}, step=step)
    return run.run_id, curve


async def test_the_route_gives_each_seed_group_its_band(jp_fetch: Any, store: Any) -> None:
    # Given two configurations: three seeds of one (one run stopped early), two of the other
    runs = [
        record(0.1, 1, range(6), 0.0),
        record(0.1, 2, range(6), 0.0),
        record(0.1, 3, range(3), 0.0),
        record(0.2, 1, range(6), 0.5),
        record(0.2, 2, range(6), 0.5),
    ]
    ids = ",".join(run_id for run_id, _ in runs)
    # When the curves of val/loss are asked for
    response = await jp_fetch(
        "jupyterlab-xp", "api", "v1", "compare", "curves", params={"ids": ids, "metric": "val/loss"}
    )
    body = json.loads(response.body)
    # Then the groups are the comparison's seed groups (views.stats.seed_groups), in order
    assert [g["label"] for g in body["groups"]] == ["lr=0.1", "lr=0.2"]
    assert body["key"] == "val/loss" and body["confidence"] == 0.95
    # ...each band matches NumPy and scipy at every step, with n over the runs that logged it
    for group, members in zip(body["groups"], (runs[:3], runs[3:]), strict=True):
        assert group["run_ids"] == [run_id for run_id, _ in members]
        curves = [curve for _, curve in members]
        assert [p["step"] for p in group["points"]] == list(range(6))
        for point in group["points"]:
            expected = reference(curves, point["step"])
            assert point["n"] == expected["n"]
            assert point["mean"] == pytest.approx(expected["mean"], rel=1e-9)
            assert point["ci_low"] == pytest.approx(expected["ci_low"], rel=1e-9)
    assert [p["n"] for p in body["groups"][0]["points"]] == [3, 3, 3, 2, 2, 2]
    # ...and each run's own curve is there for "show individual runs"
    third = body["groups"][0]["runs"][2]
    assert third["run_id"] == runs[2][0]
    assert [p["step"] for p in third["points"]] == sorted(runs[2][1])
    assert [p["value"] for p in third["points"]] == pytest.approx(
        [runs[2][1][s] for s in sorted(runs[2][1])]
    )


async def test_the_route_refuses_bad_requests(jp_fetch: Any, store: Any) -> None:
    # Given two runs
    ids = ",".join(record(0.1, seed, range(2), 0.0)[0] for seed in (1, 2))
    # When the key is missing, malformed, or a run is unknown
    cases = [
        ({"ids": ids}, 400),
        ({"ids": ids, "metric": "../x"}, 400),
        ({"ids": ids.split(",")[0], "metric": "val/loss"}, 400),
        ({"ids": f"{ids},{'f' * 32}", "metric": "val/loss"}, 404),
    ]
    for params, status in cases:
        with pytest.raises(HTTPClientError) as error:
            await jp_fetch("jupyterlab-xp", "api", "v1", "compare", "curves", params=params)
        # Then each is refused with its status and one line
        assert error.value.code == status, params
    # ...and a metric no run logged is no curve, not an error
    response = await jp_fetch(
        "jupyterlab-xp", "api", "v1", "compare", "curves", params={"ids": ids, "metric": "val/f1"}
    )
    assert [g["points"] for g in json.loads(response.body)["groups"]] == [[]]
