"""Run listing: the SQLite fast path answers exactly as MLflow's search does."""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import jupyterlab_xp as xp
from jupyterlab_xp.core.config import resolve_store
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.kernel.recorder import reset_recorder
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.query import parse_run_query
from jupyterlab_xp.store.run_index import list_summaries
from jupyterlab_xp.views.runview import list_runs_mlflow

# (name, experiment, status, tags, val/accuracy) of the runs both parity tests record.
SPECS = [
    ("Alpha one", "exp-a", "finished", {"team": "vision"}, 0.5),
    ("alpha two", "exp-a", "failed", {"team": "nlp"}, 0.9),
    ("beta", "exp-b", "finished", {"team": "vision"}, None),
    ("gamma", "exp-b", "killed", {}, 0.1),
    ("Delta", "exp-a", "finished", {"team": "vision"}, 0.7),
    ("epsilon", "exp-b", "finished", {}, 0.3),
    ("lr_0.1", "exp-a", "finished", {}, 0.6),
    ("lrX0.1 50", "exp-b", "finished", {}, 0.2),
    ("quoted", "exp-b", "finished", {"owner": "Bob's", "say": 'a "b"\\c%'}, 0.4),
    # NaN sorts after every value and before no value, in both orders, as MLflow orders it
    ("zeta", "exp-a", "finished", {}, float("nan")),
]


@pytest.fixture(scope="module")
def listing(migrated_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Ten runs over two experiments (recorded once for the module: recording takes time)."""
    home = tmp_path_factory.mktemp("listing")
    shutil.copyfile(migrated_db, home / "mlflow.db")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("XP_HOME", str(home))
        env.delenv("MLFLOW_TRACKING_URI", raising=False)
        reset_recorder()
        ids = []
        for name, experiment, status, run_tags, accuracy in SPECS:
            run = xp.start(name, experiment=experiment, seed=len(ids), tags=run_tags)
            if accuracy is not None:
                xp.log({"val/accuracy": accuracy})
            xp.stop(status)
            ids.append(run.run_id)
        yield MlflowStore(resolve_store()), ids
        reset_recorder()


QUERIES = [
    {},
    {"experiment": ["exp-a"]},
    {"experiment": ["exp-a", "exp-b"], "status": ["finished"]},
    {"q": ["ALPHA"]},
    {"tag": ["team=vision"]},
    {"tag": ["team=vision"], "q": ["a"]},
    {"sort": ["name"], "order": ["asc"]},
    {"sort": ["name"]},
    {"sort": ["metrics.val/accuracy"]},
    {"sort": ["metrics.val/accuracy"], "order": ["asc"]},
    {"order": ["asc"], "limit": ["4"]},
    {"experiment": ["missing"]},
    # q is a literal substring on every store: "_" is not a wildcard ("%" is refused)
    {"q": ["lr_0"]},
    {"q": ["r_"], "limit": ["1"]},
    # tag values are matched exactly, quotes, backslashes and LIKE wildcards included
    {"tag": ["owner=Bob's"]},
    {"tag": ['say=a "b"\\c%']},
    {"tag": ["say=a %"]},
    {"tag": ["owner=x' or '1'='1"]},
    # the table view's param columns and the keys to choose from
    {"params": ["seed,missing"]},
    {"params": [""], "limit": ["3"]},
]


def nan_as_text(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with each NaN metric as "nan" (NaN equals nothing, itself included)."""
    return [
        {**r, "metrics": {k: "nan" if math.isnan(v) else v for k, v in r["metrics"].items()}}
        for r in rows
    ]


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_a_nan_metric_sorts_after_values_and_before_none(listing: Any, order: str) -> None:
    # Given runs with accuracies, one NaN (zeta) and one with none (beta)
    store, _ = listing
    query = parse_run_query({"sort": ["metrics.val/accuracy"], "order": [order]})
    # When the fast path sorts them by accuracy, either way
    rows, _ = list_summaries(store.local_sqlite, store.location.display, query)
    # Then zeta comes after every value, shown as NaN (not as 0), and beta last
    names = [r["name"] for r in rows]
    assert names[-2:] == ["zeta", "beta"]
    assert math.isnan(rows[-2]["metrics"]["val/accuracy"])
    accuracies = [r["metrics"]["val/accuracy"] for r in rows[:-2]]
    assert accuracies == sorted(accuracies, reverse=order == "desc")


@pytest.mark.parametrize("args", QUERIES, ids=[str(q) for q in QUERIES])
def test_fast_path_matches_mlflow_search(listing: Any, args: Any) -> None:
    # Given a query
    store, _ = listing
    query = parse_run_query(args)
    # When both paths answer it
    fast, fast_token = list_summaries(store.local_sqlite, store.location.display, query)
    slow, slow_token = list_runs_mlflow(store, query)
    # Then they list the same runs, in the same order, with the same summaries
    assert [r["run_id"] for r in fast] == [r["run_id"] for r in slow]
    assert nan_as_text(fast) == nan_as_text(slow)
    assert (fast_token is None) == (slow_token is None)


@pytest.mark.parametrize("tag", ["owner=Bob's", 'say=a "b"\\c%'])
def test_quoted_tag_values_find_their_run_on_both_paths(listing: Any, tag: str) -> None:
    # A value with a quote is quoted for MLflow (not refused, not stripped): one exact match
    store, runs = listing
    query = parse_run_query({"tag": [tag]})
    fast, _ = list_summaries(store.local_sqlite, store.location.display, query)
    slow, _ = list_runs_mlflow(store, query)
    assert [r["run_id"] for r in fast] == [r["run_id"] for r in slow] == [runs[8]]


def test_a_value_with_both_quotes_is_refused_before_any_store() -> None:
    with pytest.raises(XpError, match="both ' and"):
        parse_run_query({"tag": ['owner=it\'s "x"']})


def test_pages_cover_every_run_once(listing: Any) -> None:
    # Given pages of two
    store, runs = listing
    seen, token = [], None
    while True:
        args = {"limit": ["2"], **({"page_token": [token]} if token else {})}
        page, token = list_summaries(
            store.local_sqlite, store.location.display, parse_run_query(args)
        )
        seen += [r["run_id"] for r in page]
        if token is None:
            break
    # Then every run appears exactly once, newest first
    assert seen == list(reversed(runs))


def test_a_forged_page_token_is_refused(listing: Any) -> None:
    store, _ = listing
    with pytest.raises(XpError, match="page_token"):
        list_summaries(
            store.local_sqlite,
            store.location.display,
            parse_run_query({"page_token": ["bm90IGpzb24="]}),
        )
