"""Seed groups and seed components (issue 24 part 3): runs that differ only in the root seed and
the seeds derived from it (``seed.data``, ``seed.model``) are one group; compare can hold one
component (``--hold-seed data``) so a group's spread is the others' noise; a group whose runs made
their DataLoaders with other worker settings is flagged. Real runs in a real store, through the
CLI and the REST API."""

from __future__ import annotations

import json
import statistics
from typing import Any

import pytest

from conftest import xp_server_config
from jupyterlab_xp.core import tags
from jupyterlab_xp.frontends.cli import main
from jupyterlab_xp.views.stats import seed_groups
from test_promote_routes import call, refused

pytest_plugins = ["pytest_jupyter.jupyter_server"]

# Six runs of one configuration: root seeds 0..5; two data seeds, one model seed per run.
DATA = [111, 111, 111, 222, 222, 222]
SCORES = [0.80, 0.81, 0.79, 0.70, 0.71, 0.69]  # the data seed moves the score, the rest does not


def _runs(client: Any, workers: list[str] | None = None) -> list[str]:
    """The six runs, logged with plain MLflow as the recorder writes them."""
    exp_id = client.create_experiment("components")
    ids = []
    for i, (data, score) in enumerate(zip(DATA, SCORES, strict=True)):
        run = client.create_run(
            exp_id,
            tags={
                tags.KIND: tags.KIND_NOTEBOOK,
                tags.DATALOADER_WORKERS: (workers or ["0"] * 6)[i],
                tags.DATALOADER_PERSISTENT: "false",
            },
        )
        params = {"width": "16", "seed": str(i), "seed.data": str(data), "seed.model": str(900 + i)}
        for key, value in params.items():
            client.log_param(run.info.run_id, key, value)
        client.log_metric(run.info.run_id, "val/accuracy", score)
        client.set_terminated(run.info.run_id)
        ids.append(run.info.run_id)
    return ids


def _compare(capsys: pytest.CaptureFixture[str], ids: list[str], *extra: str) -> Any:
    code = main(["compare", *ids, "--json", *extra])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 else out.err)


def test_derived_seeds_never_split_a_group_but_a_held_one_does() -> None:
    # Given runs that differ only in their seeds, and one with another width
    runs = [
        {"params": {"width": "16", "seed": "0", "seed.data": "1", "seed.model": "5"}},
        {"params": {"width": "16", "seed": "1", "seed.data": "2", "seed.model": "6"}},
        {"params": {"width": "32", "seed": "2", "seed.data": "1", "seed.model": "7"}},
    ]
    # Then without a held seed the groups are the widths
    assert [(label, len(m)) for label, _, m in seed_groups(runs)] == [
        ("width=16", 2),
        ("width=32", 1),
    ]
    # And holding the data seed splits them by it too, never by the model seed
    held = [(label, len(m)) for label, _, m in seed_groups(runs, "data")]
    assert held == [
        ("seed.data=1, width=16", 1),
        ("seed.data=2, width=16", 1),
        ("seed.data=1, width=32", 1),
    ]


def test_compare_holds_one_seed_component(store: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # Given six runs of one configuration whose data seed takes two values
    ids = _runs(store.client)
    # When they are compared
    code, body = _compare(capsys, ids)
    # Then they are one seed group: seed.data and seed.model vary like the seed
    assert code == 0, body
    assert [len(g["run_ids"]) for g in body["seed_groups"]] == [6]
    assert body["seed_groups"][0]["label"] == "all runs"
    # When the data seed is held
    code, body = _compare(capsys, ids, "--hold-seed", "data")
    # Then there is one group per data seed, each with its own mean, and a test between them
    assert code == 0, body
    groups = {g["label"]: g for g in body["seed_groups"]}
    assert set(groups) == {"seed.data=111", "seed.data=222"}
    for label, scores in (("seed.data=111", SCORES[:3]), ("seed.data=222", SCORES[3:])):
        (metric,) = groups[label]["metrics"]
        assert metric["mean"] == pytest.approx(statistics.mean(scores))
        assert metric["std"] == pytest.approx(statistics.stdev(scores))
    (test,) = body["group_tests"]  # group b minus group a, in first-seen order
    assert (test["group_a"], test["group_b"]) == ("seed.data=111", "seed.data=222")
    assert test["mean_difference"] == pytest.approx(
        statistics.mean(SCORES[3:]) - statistics.mean(SCORES[:3])
    )
    # And a component no run records, or a name that is none, is one line (exit 2)
    for name, message in (("order", "no run compared records seed.order"), ("a b", "seed name")):
        code, err = _compare(capsys, ids, "--hold-seed", name)
        assert code == 2 and message in err and err.strip().count("\n") == 0, err


def test_a_group_whose_loaders_differ_in_workers_is_flagged(
    store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given one seed group where one run loaded its data with two worker processes
    ids = _runs(store.client, workers=["0", "0", "2", "0", "0", "0"])
    # When they are compared
    code, body = _compare(capsys, ids)
    # Then the group says its data order may differ
    assert code == 0, body
    (group,) = body["seed_groups"]
    assert group["warning"] == "runs differ in DataLoader num_workers: data order may differ"
    # And holding the data seed flags only the group that holds that run
    code, body = _compare(capsys, ids, "--hold-seed", "data")
    warnings = {g["label"]: g["warning"] for g in body["seed_groups"]}
    assert "data order may differ" in warnings["seed.data=111"]
    assert "data order" not in (warnings["seed.data=222"] or "")


def test_xp_compare_holds_a_seed_component_too(store: Any) -> None:
    from jupyterlab_xp.kernel.comparing import compare

    # Given the six runs, When xp.compare holds the data seed, Then two groups of three
    body = compare(_runs(store.client), hold_seed="data").body
    assert sorted(len(g["run_ids"]) for g in body["seed_groups"]) == [3, 3]


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return xp_server_config()


async def test_compare_route_holds_a_seed_component(jp_fetch: Any, store: Any) -> None:
    # Given the six runs
    ids = ",".join(_runs(store.client))
    # When GET compare holds the data seed
    code, body = await call(jp_fetch, "GET", "compare", ids=ids, hold_seed="data")
    # Then there are two groups of three
    assert code == 200
    assert sorted(len(g["run_ids"]) for g in body["seed_groups"]) == [3, 3]
    # And the curves of a metric come in the same groups, as the panel draws them
    metric = "val/accuracy"
    code, curves = await call(
        jp_fetch, "GET", "compare/curves", ids=ids, metric=metric, hold_seed="data"
    )
    assert code == 200
    assert [(g["label"], g["run_ids"]) for g in curves["groups"]] == [
        (g["label"], g["run_ids"]) for g in body["seed_groups"]
    ]
    # And a seed no run records is a one-line 400, on both routes
    code, message = await refused(jp_fetch, "GET", "compare", ids=ids, hold_seed="order")
    assert code == 400 and "seed.order" in message
    code, message = await refused(
        jp_fetch, "GET", "compare/curves", ids=ids, metric=metric, hold_seed="order"
    )
    assert code == 400 and "seed.order" in message
