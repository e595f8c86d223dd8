"""A store past MLflow's page sizes: more than 1,000 experiments, run ids past the newest 5,000.

The rows beyond the first page are inserted with SQL straight into the store's tables (creating
them one request at a time would take minutes); what is tested reads them through MLflow's API.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from jupyterlab_xp.core import tags
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.views.lookup import find_run

STORE_KINDS = ("sqlite", "team")

EXPERIMENTS = 1001  # MLflow answers search_experiments 1,000 at a time


@contextlib.contextmanager
def _cursor(store: MlflowStore, postgres: Any) -> Iterator[Any]:
    """A cursor on the store's own database, committed at the end; ``?`` or ``%s`` style."""
    db = store.local_sqlite
    if db is not None:
        with contextlib.closing(sqlite3.connect(db)) as conn:
            yield conn.cursor(), "?"
            conn.commit()
        return
    import psycopg2

    with psycopg2.connect(postgres.uri().replace("postgresql+psycopg2", "postgresql")) as conn:
        yield conn.cursor(), "%s"


@pytest.fixture
def team_postgres(store_kind: str, request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue("postgres") if store_kind == "team" else None


def _add_experiments(store: MlflowStore, postgres: Any, count: int) -> None:
    now = int(time.time() * 1000)
    with _cursor(store, postgres) as (cursor, mark):
        cursor.executemany(
            "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, "
            f"last_update_time) VALUES ({mark}, {mark}, 'active', {mark}, {mark})",
            [(f"bulk-{i:04d}", f"/tmp/bulk-{i}", now, now) for i in range(count)],
        )


def test_more_than_1000_experiments_are_all_searched(
    store: MlflowStore, team_postgres: Any
) -> None:
    # Given 1,001 experiments, and a run in one created after them
    _add_experiments(store, team_postgres, EXPERIMENTS)
    client = store.client
    last = client.create_experiment("after-the-first-page")
    value = "prom'1"  # a quote in the value: quoted for MLflow, not stripped
    run_id = client.create_run(
        last, tags={tags.KIND: "notebook", tags.PROMOTION_ID: value}
    ).info.run_id
    # Then every experiment is known, and the run is found by tag and listed
    names = store.experiment_names()
    assert len(names) >= EXPERIMENTS + 1 and names[last] == "after-the-first-page"
    assert store.find_run_by_tag(tags.PROMOTION_ID, value) == run_id
    assert store.find_run_by_tag(tags.PROMOTION_ID, "prom1") is None
    assert [r.info.run_id for r in store.search_runs()] == [run_id]


@pytest.mark.stores("team")
def test_a_run_id_prefix_resolves_past_the_newest_5000_runs(
    store: MlflowStore, team_postgres: Any
) -> None:
    # Given a run, then 5,000 newer ones
    client = store.client
    experiment = client.create_experiment("prefixes")
    old = client.create_run(experiment, tags={tags.KIND: "notebook"}).info.run_id
    _clone_newer(store, team_postgres, old, 5000)
    # When the old run is named by a prefix of its id
    # Then the server's search finds it (a scan of the newest runs would not)
    assert store.run_ids_with_prefix(old[:8]) == [old]
    assert find_run(store, old[:8]).info.run_id == old


def _clone_newer(store: MlflowStore, postgres: Any, template: str, count: int) -> None:
    with _cursor(store, postgres) as (cursor, mark):
        cursor.execute(f"SELECT * FROM runs WHERE run_uuid = {mark}", (template,))
        columns = [d[0] for d in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
        ids = [uuid.uuid4().hex for _ in range(count)]
        fresh: Callable[[int, str], tuple[Any, ...]] = lambda i, run_id: tuple(  # noqa: E731
            {**row, "run_uuid": run_id, "start_time": row["start_time"] + (i + 1) * 1000}[c]
            for c in columns
        )
        marks = ", ".join([mark] * len(columns))
        cursor.executemany(
            f"INSERT INTO runs ({', '.join(columns)}) VALUES ({marks})",
            [fresh(i, run_id) for i, run_id in enumerate(ids)],
        )
        cursor.executemany(
            f"INSERT INTO tags (key, value, run_uuid) VALUES ({mark}, {mark}, {mark})",
            [(tags.KIND, "notebook", run_id) for run_id in ids],
        )
