"""A read model over MLflow's SQL schema: the run list and id prefixes at scale, read-only.

This reads MLflow's private tables (``runs``, ``tags``, ``params``, ``latest_metrics``,
``experiments``) with plain indexed SQL: in the embedded SQLite file, or in a team server's
database when its URI is given (``XP_STORE_DATABASE_URI``; see :mod:`.index_db`). It must answer
exactly as MLflow's own search does: ``tests/test_runquery.py`` checks the two against each
other on both.
"""

from __future__ import annotations

import contextlib
import math
from pathlib import Path
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import StoreError
from jupyterlab_xp.store.boundary import run_row
from jupyterlab_xp.store.index_db import IndexReadError, connect
from jupyterlab_xp.store.query import RunQuery, offset_token, param_columns, token_offset

# The run lifecycle stages of each ``RunQuery.lifecycle`` (fixed SQL fragments).
_LIFECYCLE_WHERE = {
    "active": ["r.lifecycle_stage = 'active'"],
    "archived": ["r.lifecycle_stage = 'deleted'"],
    "all": [],
}


def list_summaries(
    db: Path | str, display: str, query: RunQuery
) -> tuple[list[dict[str, Any]], str | None]:
    """Run summaries straight from MLflow's tables (``db``: a SQLite file or a database URI).

    ``MlflowClient.search_runs`` builds full Run objects (every tag, param and metric
    through the ORM): about a second per thousand runs. A list only needs a few columns,
    which plain indexed SQL reads in milliseconds. Values are bound parameters; the shape
    of each query is fixed here. Same results and page tokens as
    :meth:`MlflowStore.search_page <jupyterlab_xp.store.mlflow_store.MlflowStore.search_page>`.
    """
    offset = token_offset(query.page_token)
    where = [
        *_LIFECYCLE_WHERE[query.lifecycle],
        "e.lifecycle_stage = 'active'",
        "EXISTS (SELECT 1 FROM tags k WHERE k.run_uuid = r.run_uuid AND k.key = ?)",
    ]
    args: list[Any] = [tags.KIND]
    if query.experiments:
        where.append(f"e.name IN ({','.join('?' * len(query.experiments))})")
        args += query.experiments
    for key, value in query.tags:
        where.append(
            "EXISTS (SELECT 1 FROM tags t WHERE t.run_uuid = r.run_uuid "
            "AND t.key = ? AND t.value = ?)"
        )
        args += [key, value]
    if query.status:
        where.append("r.status = ?")
        args.append(query.status)
    if query.text:
        escaped = query.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("r.name LIKE ? ESCAPE '\\'")
        args.append(f"%{escaped}%")
    direction = "DESC" if query.descending else "ASC"
    join = ""
    if query.sort_metric:
        join = "LEFT JOIN latest_metrics m ON m.run_uuid = r.run_uuid AND m.key = ?"
        args.insert(0, query.sort_metric)
        # As MLflow's search orders it: values, then NaN (stored as 0 with is_nan), then none.
        order = f"m.value IS NULL, m.is_nan, m.value {direction}, r.start_time DESC"
    elif query.sort == "name":
        order = f"r.name {direction}, r.start_time DESC"
    else:
        order = f"r.start_time {direction}"
    # Fixed fragments only; every value is a bound parameter.
    sql = (
        "SELECT r.run_uuid, r.name, r.status, r.start_time, r.end_time, r.experiment_id, "  # noqa: S608
        "e.name, r.lifecycle_stage "
        f"FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id {join} "
        f"WHERE {' AND '.join(where)} ORDER BY {order}, r.run_uuid LIMIT ? OFFSET ?"
    )
    try:
        with connect(db) as conn:
            rows = conn.execute(sql, [*args, query.limit + 1, offset]).fetchall()
            page = rows[: query.limit]
            ids = [row[0] for row in page]
            marks = ",".join("?" * len(ids)) or "NULL"  # IN () is not SQL everywhere
            run_tags: dict[str, dict[str, str]] = {i: {} for i in ids}
            wanted = (tags.KIND, tags.CELLS, tags.ERRORS, tags.NOTEBOOK_PATH, tags.DIED_IN_CELL)
            for run_id, key, value in conn.execute(
                f"SELECT run_uuid, key, value FROM tags WHERE run_uuid IN ({marks}) "  # noqa: S608
                f"AND key IN ({','.join('?' * len(wanted))})",
                [*ids, *wanted],
            ):
                run_tags[run_id][key] = value
            seeds = dict(
                conn.execute(
                    f"SELECT run_uuid, value FROM params WHERE run_uuid IN ({marks}) "  # noqa: S608
                    "AND key = ?",
                    [*ids, tags.SEED_PARAM],
                ).fetchall()
            )
            metrics: dict[str, dict[str, float]] = {i: {} for i in ids}
            for run_id, key, value, is_nan in conn.execute(
                f"SELECT run_uuid, key, value, is_nan FROM latest_metrics "  # noqa: S608
                f"WHERE run_uuid IN ({marks})",
                ids,
            ):
                metrics[run_id][key] = math.nan if is_nan else value
            # The table view's columns: only the params asked for, and the keys to choose from.
            params: dict[str, dict[str, str]] = {i: {} for i in ids}
            if query.params is not None:
                for run_id, key, value in conn.execute(
                    f"SELECT run_uuid, key, value FROM params "  # noqa: S608
                    f"WHERE run_uuid IN ({marks})",
                    ids,
                ):
                    params[run_id][key] = value
    except IndexReadError as exc:
        raise StoreError(f"cannot read runs from {display}: {exc}") from exc
    summaries = []
    for run_id, name, status, start, end, exp_id, exp_name, stage in page:
        row = run_row(
            run_id=run_id,
            name=name,
            experiment_id=str(exp_id),
            experiment=exp_name,
            status=status,
            start_time=start,
            end_time=end,
            lifecycle_stage=stage,
            run_tags=run_tags[run_id],
            seed=seeds.get(run_id),
            metrics=metrics[run_id],
        )
        if query.params is not None:
            row |= param_columns(params[run_id], query.params)
        summaries.append(row)
    token = offset_token(offset + query.limit) if len(rows) > query.limit else None
    return summaries, token


def warm(db: Path | str) -> None:
    """Open one connection and ask one row, so that the first list pays neither the driver's
    import nor the first connection (about a second for PostgreSQL on a busy machine); a
    failure is left for that list to report."""
    with contextlib.suppress(IndexReadError), connect(db) as conn:
        conn.execute(
            "SELECT r.run_uuid FROM runs r JOIN experiments e "
            "ON e.experiment_id = r.experiment_id ORDER BY r.start_time DESC LIMIT 1"
        ).fetchall()


def run_ids_with_prefix(
    db: Path | str, display: str, prefix: str, limit: int, archived: bool = False
) -> list[str]:
    """Ids of active runs (and archived ones with ``archived``) whose id starts with ``prefix``,
    at most ``limit`` (one indexed query)."""
    stages = ("active", "deleted") if archived else ("active", "active")
    try:
        with connect(db) as conn:
            rows = conn.execute(
                "SELECT run_uuid FROM runs WHERE run_uuid LIKE ? AND lifecycle_stage IN (?, ?) "
                "LIMIT ?",
                (f"{prefix}%", *stages, limit),
            ).fetchall()
    except IndexReadError as exc:
        raise StoreError(f"cannot read runs from {display}: {exc}") from exc
    return [row[0] for row in rows]


def run_params(db: Path | str, display: str, run_ids: list[str]) -> dict[str, dict[str, str]]:
    """Every param of each run in ``run_ids`` (for an export with param columns)."""
    found: dict[str, dict[str, str]] = {i: {} for i in run_ids}
    try:
        with connect(db) as conn:
            for start in range(0, len(run_ids), 500):
                chunk = run_ids[start : start + 500]
                for run_id, key, value in conn.execute(
                    f"SELECT run_uuid, key, value FROM params "  # noqa: S608
                    f"WHERE run_uuid IN ({','.join('?' * len(chunk))})",
                    chunk,
                ):
                    found[run_id][key] = value
    except IndexReadError as exc:
        raise StoreError(f"cannot read runs from {display}: {exc}") from exc
    return found
