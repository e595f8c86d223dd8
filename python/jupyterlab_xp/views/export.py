"""The run list as CSV, with a column per param and per metric (REST ``format=csv``, the CLI).

Every page the query matches, up to :data:`MAX_EXPORT` runs. Cells are safe to open in a
spreadsheet: every cell is quoted (a CR or LF inside a value cannot start a row), and text that
starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return), at the start of
the value or of any line in it, is prefixed with a single quote, unless it is a plain number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from jupyterlab_xp.core import columns, tags
from jupyterlab_xp.store import run_index
from jupyterlab_xp.store.query import MAX_LIMIT, RunQuery
from jupyterlab_xp.views.runview import list_runs

if TYPE_CHECKING:
    from jupyterlab_xp.store.mlflow_store import MlflowStore

MAX_EXPORT = 10_000  # runs in one export; stated in the README
COLUMNS = ("run_id", "name", "experiment", "status", "start", "duration", "seed")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# A line inside a value (after CR or LF) that starts like a formula: a reader that splits rows on
# a bare CR, quotes or not, would see it as a cell of its own.
_FORMULA_AFTER_BREAK = re.compile(r"([\r\n])(?=[=+\-@\t\r])")


def export_runs(
    store: MlflowStore, query: RunQuery, cap: int = MAX_EXPORT
) -> tuple[list[dict[str, Any]], bool]:
    """The summaries of every run ``query`` matches, each with its ``params``, at most ``cap``
    (its ``limit`` and ``page_token`` do not apply), and whether there were more."""
    runs: list[dict[str, Any]] = []
    token: str | None = None
    while len(runs) < cap:
        page, token = list_runs(store, replace(query, limit=MAX_LIMIT, page_token=token))
        runs += page
        if token is None:
            break
    truncated = len(runs) > cap or token is not None
    runs = runs[:cap]
    params = run_params(store, [r["run_id"] for r in runs])
    return [{**r, "params": params.get(r["run_id"], {})} for r in runs], truncated


def run_params(store: MlflowStore, run_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """Every param of each run (archived or not): one SQL query per 500 runs where MLflow's
    tables can be read (:attr:`MlflowStore.index_source`), else one search per 100 runs."""
    source = store.index_source
    if source is not None:
        return run_index.run_params(source, store.location.display, list(run_ids))
    found: dict[str, dict[str, str]] = {}
    hex_ids = [i for i in run_ids if i.isalnum()]  # MLflow's run ids: safe inside quotes
    for start in range(0, len(hex_ids), 100):
        chunk = hex_ids[start : start + 100]
        runs, _ = store.search_page(
            filter_string=f"attributes.run_id IN ({', '.join(repr(i) for i in chunk)})",
            max_results=len(chunk),
            lifecycle="all",
        )
        found |= {r.info.run_id: dict(r.data.params) for r in runs}
    return found


def runs_csv(runs: list[dict[str, Any]]) -> str:
    """CSV text of :func:`export_runs`' runs: fixed columns, then ``params.<key>`` (but the
    seed, a column of its own) and ``metrics.<key>``, each sorted by key."""
    param_keys = sorted({k for r in runs for k in r["params"]} - {tags.SEED_PARAM})
    metric_keys = sorted({k for r in runs for k in r["metrics"]})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(
        [
            *COLUMNS,
            *(columns.column(columns.PARAMS, k) for k in param_keys),
            *(columns.column(columns.METRICS, k) for k in metric_keys),
        ]
    )
    for run in runs:
        start = run["start_time"]
        fixed = [
            run["run_id"],
            run["name"],
            run["experiment"],
            run["status"],
            datetime.fromtimestamp(start / 1000, UTC).isoformat(timespec="seconds")
            if start
            else None,
            run["duration"],
            run["seed"],
        ]
        params = [run["params"].get(k) for k in param_keys]
        metrics = [run["metrics"].get(k) for k in metric_keys]
        writer.writerow([safe_cell(v) for v in (*fixed, *params, *metrics)])
    return out.getvalue()


def safe_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if _NUMBER.match(text):
        return text
    text = _FORMULA_AFTER_BREAK.sub(r"\1'", text)
    return "'" + text if text.startswith(_FORMULA_START) else text
