"""The read model on a team server's PostgreSQL answers exactly as the server's own search does.

With ``XP_STORE_DATABASE_URI`` the run list reads MLflow's tables in the team database directly
(the same SQL as on the embedded SQLite file); every query of ``test_runquery`` must then list
the same runs, in the same order, with the same summaries as ``search_runs`` over HTTP.
"""

from __future__ import annotations

from typing import Any

import pytest

import jupyterlab_xp as xp
from jupyterlab_xp.core.config import STORE_DATABASE_ENV
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.query import parse_run_query
from jupyterlab_xp.store.run_index import list_summaries
from jupyterlab_xp.views.export import run_params
from jupyterlab_xp.views.lookup import find_run
from jupyterlab_xp.views.runview import list_runs, list_runs_mlflow
from test_runquery import QUERIES, SPECS, nan_as_text

STORE_KINDS = ("team",)


def test_the_team_database_read_model_matches_the_servers_search(
    store: MlflowStore, postgres: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given runs recorded through the team server
    ids = []
    for name, experiment, status, run_tags, accuracy in SPECS:
        run = xp.start(name, experiment=experiment, seed=len(ids), tags=run_tags)
        xp.param(width=len(ids))
        if accuracy is not None:
            xp.log({"val/accuracy": accuracy})
        xp.stop(status)
        ids.append(run.run_id)
    assert store.index_source is None  # without the database URI: MLflow's search
    # When the store is also given its database
    monkeypatch.setenv(STORE_DATABASE_ENV, postgres.uri())
    source = store.index_source
    assert source == postgres.uri()
    # Then every query lists what the server's search lists
    for args in QUERIES:
        query = parse_run_query(args)
        fast, fast_token = list_summaries(source, store.location.display, query)
        slow, slow_token = list_runs_mlflow(store, query)
        assert [r["run_id"] for r in fast] == [r["run_id"] for r in slow], args
        assert nan_as_text(fast) == nan_as_text(slow), args
        assert (fast_token is None) == (slow_token is None), args
    # ...the list itself takes that path, and so do id prefixes and the export's params
    listed, _ = list_runs(store, parse_run_query({}))
    assert [r["run_id"] for r in listed] == list(reversed(ids))
    assert find_run(store, ids[3][:10]).info.run_id == ids[3]
    assert run_params(store, ids[:2]) == {
        ids[0]: {"width": "0", "seed": "0"},
        ids[1]: {"width": "1", "seed": "1"},
    }


def test_a_database_that_cannot_be_reached_is_a_store_error(
    store: MlflowStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jupyterlab_xp.core.errors import StoreError

    monkeypatch.setenv(
        STORE_DATABASE_ENV, "postgresql+psycopg2://reader:s3cret-pw@127.0.0.1:1/mlflow"
    )
    with pytest.raises(StoreError) as raised:
        list_runs(store, parse_run_query({}))
    assert "s3cret-pw" not in str(raised.value)  # the password never reaches a message
