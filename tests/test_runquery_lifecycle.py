"""Archived runs in the run list: the SQLite fast path answers as MLflow's search does."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import jupyterlab_xp as xp
from jupyterlab_xp.core.config import resolve_store
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.kernel.recorder import reset_recorder
from jupyterlab_xp.store import mlflow_store
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.query import parse_run_query
from jupyterlab_xp.store.run_index import list_summaries
from jupyterlab_xp.views.export import export_runs, runs_csv, safe_cell
from jupyterlab_xp.views.runview import list_runs_mlflow


@pytest.fixture(scope="module")
def listing(migrated_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Five runs over two experiments, two of them archived (recorded once for the module)."""
    home = tmp_path_factory.mktemp("lifecycle")
    shutil.copyfile(migrated_db, home / "mlflow.db")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("XP_HOME", str(home))
        env.delenv("MLFLOW_TRACKING_URI", raising=False)
        reset_recorder()
        ids = []
        for index, (name, experiment) in enumerate(
            [("one", "exp-a"), ("two", "exp-b"), ("three", "exp-a"), ("four", "exp-b")]
        ):
            run = xp.start(name, experiment=experiment, seed=index)
            xp.param(lr=index / 10)
            xp.log({"val/accuracy": index / 4})
            xp.stop()
            ids.append(run.run_id)
        store = MlflowStore(resolve_store())
        for run_id in (ids[1], ids[2]):
            store.set_archived(run_id, True)
        yield store, ids
        reset_recorder()


QUERIES = [
    {"lifecycle": ["archived"]},
    {"lifecycle": ["all"]},
    {"lifecycle": ["ALL"], "experiment": ["exp-a"]},
    {"lifecycle": ["all"], "sort": ["metrics.val/accuracy"], "order": ["asc"]},
    {"lifecycle": ["archived"], "q": ["t"], "limit": ["1"]},
    {"lifecycle": ["active"]},
]


@pytest.mark.parametrize("args", QUERIES, ids=[str(q) for q in QUERIES])
def test_fast_path_matches_mlflow_search(listing: Any, args: Any) -> None:
    # Given a query over active and archived runs
    store, _ = listing
    query = parse_run_query(args)
    # When both paths answer it
    fast, fast_token = list_summaries(store.local_sqlite, store.location.display, query)
    slow, slow_token = list_runs_mlflow(store, query)
    # Then they list the same runs with the same summaries, archived ones marked
    assert fast == slow
    assert (fast_token is None) == (slow_token is None)


def test_each_lifecycle_lists_its_runs(listing: Any) -> None:
    store, ids = listing

    def listed(lifecycle: str) -> list[str]:
        query = parse_run_query({"lifecycle": [lifecycle]})
        return [r["run_id"] for r in list_summaries(store.local_sqlite, "db", query)[0]]

    assert listed("active") == [ids[3], ids[0]]
    assert listed("archived") == [ids[2], ids[1]]
    assert listed("all") == list(reversed(ids))
    with pytest.raises(XpError, match="lifecycle must be one of active, archived, all"):
        parse_run_query({"lifecycle": ["deleted"]})


def test_export_reads_the_same_params_on_both_paths(
    listing: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given every run, archived ones too
    store, _ = listing
    query = parse_run_query({"lifecycle": ["all"]})
    # When they are exported from the SQLite read model and through MLflow's search
    fast = runs_csv(export_runs(store, query)[0])
    monkeypatch.setattr(MlflowStore, "local_sqlite", property(lambda _: None))
    slow = runs_csv(export_runs(store, query)[0])
    # Then the CSV is the same, with a column per param and metric
    assert fast == slow
    assert fast.splitlines()[0].endswith(',"params.lr","metrics.val/accuracy"')


# README: "at most 10,000"
def test_an_export_stops_at_its_cap_and_says_so(listing: Any) -> None:
    store, ids = listing
    runs, truncated = export_runs(store, parse_run_query({"lifecycle": ["all"]}), cap=3)
    assert [r["run_id"] for r in runs] == list(reversed(ids))[:3] and truncated
    assert export_runs(store, parse_run_query({}), cap=2)[1] is False


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=x", "'\t=x"),
        ("\r=x", "'\r'=x"),
        (-0.5, "-0.5"),
        ("+1.5e-3", "+1.5e-3"),
        ("-inf", "'-inf"),
        ("plain", "plain"),
        (None, ""),
    ],
)
def test_cells_that_start_like_formulas_are_quoted(value: Any, cell: str) -> None:
    assert safe_cell(value) == cell


def test_view_types_are_mlflows() -> None:
    from mlflow.entities import ViewType

    assert mlflow_store._VIEW_TYPES == {
        "active": ViewType.ACTIVE_ONLY,
        "archived": ViewType.DELETED_ONLY,
        "all": ViewType.ALL,
    }
