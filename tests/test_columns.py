"""Run columns (``metrics.<key>`` and the like) parsed and built in one place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyterlab_xp.core import columns, tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.store.query import parse_run_query


def test_a_column_parses_back_to_its_key_and_only_for_its_own_kind() -> None:
    # Given a metric column whose key has dots and slashes, as the CSV export writes it
    text = columns.column(columns.METRICS, "val/acc.top1")
    # When it is parsed as a metric and as a param
    as_metric = columns.parse_column(text, columns.METRICS)
    as_param = columns.parse_column(text, columns.PARAMS)
    # Then the metric's key comes back whole, and it is no param column
    assert text == "metrics.val/acc.top1"
    assert as_metric == "val/acc.top1"
    assert as_param is None
    assert columns.parse_column("metricsval", columns.METRICS) is None


def test_a_search_field_quotes_its_key_and_refuses_a_backquote() -> None:
    # Given a tag key with dots, and one holding a backquote
    # When each is built as an MLflow search field
    field = columns.search_field(columns.TAGS, "xp.kind")
    # Then the key is quoted whole; a backquote (no escape in MLflow's grammar) is refused
    assert field == "tags.`xp.kind`"
    with pytest.raises(XpError, match="backquote"):
        columns.search_field(columns.TAGS, "a`b")


def test_the_run_lists_metric_sort_becomes_an_mlflow_order_clause() -> None:
    # Given a run-list query sorted by a metric
    query = parse_run_query({"sort": ["metrics.val/loss"], "order": ["asc"]})
    # When it is expressed for MLflow
    order_by = query.mlflow_order_by()
    # Then the metric is one quoted field, start time breaking ties
    assert query.sort_metric == "val/loss"
    assert order_by == ["metrics.`val/loss` ASC", "attributes.start_time DESC"]


def test_a_notebooks_latest_run_is_found_when_its_path_holds_an_apostrophe(store: Any) -> None:
    from jupyterlab_xp.server.handlers import latest_run_of_notebook

    # Given finished notebook runs of "it's.ipynb" and of "its.ipynb" (the path without it)
    found = {}
    for name in ("it's.ipynb", "its.ipynb"):
        path = f"/work/{name}"
        run_id = store.create_run(
            "Default",
            name,
            {tags.KIND: tags.KIND_NOTEBOOK, tags.NOTEBOOK_PATH: path},
            1_700_000_000_000 + len(found),
        )
        store.set_terminated(run_id, tags.FINISHED)
        found[name] = run_id
    # When the latest run of each notebook is looked up
    latest = {name: latest_run_of_notebook(store, Path(f"/work/{name}")) for name in found}
    # Then each is its own notebook's run (the apostrophe is quoted, not dropped)
    assert latest == found
