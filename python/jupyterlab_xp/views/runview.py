"""Plain-dict views of recorded runs, shared by the command line and the REST API."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.store import boundary, run_index
from jupyterlab_xp.store.dataset_reads import MAX_DATASETS, dataset_inputs
from jupyterlab_xp.store.query import MAX_LIMIT, offset_token, param_columns, token_offset
from jupyterlab_xp.views.artifacts import RunArtifacts, background
from jupyterlab_xp.views.checkpoints import checkpoint_list
from jupyterlab_xp.views.verdict import timeline_verdict, with_verdicts

if TYPE_CHECKING:
    from mlflow.entities import Run

    from jupyterlab_xp.store.mlflow_store import MlflowStore
    from jupyterlab_xp.store.query import RunQuery
    from jupyterlab_xp.store.team_mirror import TeamMirror


def run_summary(
    run: Run,
    experiment_names: dict[str, str] | None = None,
    params: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """One line's worth of a run: ids, name, status, times, seed, counts, latest metrics.

    With ``params`` (a list's ``params=`` argument) also those params and ``param_keys``, every
    param key the run holds (taken off by :func:`pop_param_keys` before it is sent).
    """
    info, data = run.info, run.data
    chosen = {} if params is None else param_columns(data.params, params)
    return chosen | boundary.run_row(
        run_id=info.run_id,
        name=info.run_name,
        experiment_id=info.experiment_id,
        experiment=(experiment_names or {}).get(info.experiment_id, info.experiment_id),
        status=info.status,
        start_time=info.start_time,
        end_time=info.end_time,
        lifecycle_stage=info.lifecycle_stage,
        run_tags=data.tags,
        seed=data.params.get(tags.SEED_PARAM),
        metrics=data.metrics,
    )


def pop_param_keys(summaries: list[dict[str, Any]], query: RunQuery) -> list[str] | None:
    """Take ``param_keys`` off each row: every key over the page, sorted (None: not asked)."""
    found = [s.pop("param_keys") for s in summaries if "param_keys" in s]
    return None if query.params is None else sorted(set().union(*found))


def list_runs(
    store: MlflowStore, query: RunQuery, mirror: TeamMirror | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of run summaries and the next page's token (see :func:`list_runs_from`)."""
    summaries, token, _ = list_runs_from(store, query, mirror)
    return summaries, token


def list_runs_from(
    store: MlflowStore, query: RunQuery, mirror: TeamMirror | None = None
) -> tuple[list[dict[str, Any]], str | None, str]:
    """A page of run summaries, the next page's token, and which source answered.

    MLflow's tables are read directly where they can be (:attr:`MlflowStore.index_source`: a
    local SQLite store, or a team server's database given by ``XP_STORE_DATABASE_URI``; fast at
    100,000 runs): ``"database"``. A tracking server over plain HTTP with a ``mirror`` (the
    server's; :mod:`~jupyterlab_xp.store.team_mirror`) answers from it once it is complete:
    ``"mirror"``. Any other store, or the mirror's first fill, through
    ``MlflowClient.search_runs``: ``"mlflow"``. A local store that does not exist yet holds no
    runs: answered at once, without creating and migrating it (seconds).
    """
    source = store.index_source
    if source is not None:
        return *run_index.list_summaries(source, store.location.display, query), "database"
    if mirror is not None:
        page = mirror.list_summaries(query)
        if page is not None:
            return *page, "mirror"
    db = store.local_sqlite
    if db is not None and _could_create(db):
        return [], None, "database"
    return *list_runs_mlflow(store, query), "mlflow"


def _could_create(path: Path) -> bool:
    """True when ``path`` is absent but its nearest existing ancestor is a folder.

    (A path "inside" a file such as ``/dev/null/x.db`` can never exist: MLflow then says why.)
    """
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return parent.is_dir()


def list_runs_mlflow(
    store: MlflowStore, query: RunQuery
) -> tuple[list[dict[str, Any]], str | None]:
    """:func:`list_runs` through MLflow's search API (any kind of store)."""
    if query.text and any(c in query.text for c in LIKE_WILDCARDS):
        return _literal_text_page(store, query)
    runs, token = store.search_page(
        query.experiments or None,
        query.mlflow_filter(),
        query.limit,
        query.mlflow_order_by(),
        query.page_token,
        query.lifecycle,
    )
    names = store.experiment_names()
    return [run_summary(r, names, query.params) for r in runs], token


# ``q`` is a literal, case-insensitive substring of the run name on every store. MLflow's
# ILIKE takes ``_`` and ``%`` as wildcards and has no escape, so such a ``q`` is searched as a
# superset and cut to the literal matches here (the SQLite read model escapes them in SQL).
LIKE_WILDCARDS = "_%"
LITERAL_SCAN_CAP = 10_000  # runs scanned for a q holding _ or %; stated in the README


def _literal_text_page(
    store: MlflowStore, query: RunQuery
) -> tuple[list[dict[str, Any]], str | None]:
    needle = (query.text or "").lower()
    matched, token, scanned = [], None, 0
    while scanned < LITERAL_SCAN_CAP:
        runs, token = store.search_page(
            query.experiments or None,
            query.mlflow_filter(),
            MAX_LIMIT,
            query.mlflow_order_by(),
            token,
            query.lifecycle,
        )
        scanned += len(runs)
        matched += [r for r in runs if needle in (r.info.run_name or "").lower()]
        if token is None:
            break
    offset = token_offset(query.page_token)
    page = matched[offset : offset + query.limit]
    more = len(matched) > offset + query.limit
    names = store.experiment_names()
    return [run_summary(r, names, query.params) for r in page], offset_token(
        offset + query.limit
    ) if more else None


def run_detail(store: MlflowStore, run: Run, experiment_name: str | None = None) -> dict[str, Any]:
    """Everything recorded for a run: params, metrics, tags, seeds, environment, hardware,
    git and the cell journal.

    ``experiment_name``: the run's experiment's name when the caller knows it (the team
    mirror's); else it is asked of the store beside the run's files, not before them.
    """
    exp_id = run.info.experiment_id
    if experiment_name is None:
        asked = background(store.experiment_name, exp_id)
    detail = run_summary(run)
    detail["params"] = dict(run.data.params)
    detail["tags"] = {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")}
    detail["note"] = run.data.tags.get(tags.MLFLOW_NOTE)
    artifacts = RunArtifacts(store, run)
    run_tags = run.data.tags
    artifacts.prefetch(
        [
            tags.SEEDS_ARTIFACT,
            tags.ENVIRONMENT_ARTIFACT,
            tags.HARDWARE_ARTIFACT,
            tags.GIT_ARTIFACT,
            tags.ORDER_ARTIFACT,
            tags.CELLS_ARTIFACT,
            tags.REDACTIONS_ARTIFACT,
            *([tags.VERIFY_ARTIFACT] if tags.VERDICT in run_tags else []),
            *([tags.CHECKPOINTS_ARTIFACT] if tags.CHECKPOINTS in run_tags else []),
            *([tags.PROFILES_ARTIFACT] if tags.PROFILES in run_tags else []),
        ]
    )
    unreadable: dict[str, str] = detail["unreadable"]

    def read(field: str, name: str) -> Any:
        try:
            return boundary.artifact(name, artifacts.text(name))
        except boundary.Unreadable as exc:
            unreadable[field] = str(exc)
            return None

    for field, name in (
        ("seeds", tags.SEEDS_ARTIFACT),
        ("environment", tags.ENVIRONMENT_ARTIFACT),
        ("hardware", tags.HARDWARE_ARTIFACT),
        ("git", tags.GIT_ARTIFACT),
        ("order", tags.ORDER_ARTIFACT),
    ):
        detail[field] = read(field, name)
    cells, problem = artifacts.cells()
    detail["cells_journal"] = with_verdicts(cells, detail["hardware"])  # the timeline shows them
    detail["time_verdict"] = timeline_verdict(detail["cells_journal"])
    if problem:
        unreadable["cells_journal"] = problem
    detail["source_run_id"] = run_tags.get(tags.SOURCE_RUN)
    detail["verification"] = (
        read("verification", tags.VERIFY_ARTIFACT) if tags.VERDICT in run_tags else None
    )
    detail["promoted_runs"] = [
        i for i in run_tags.get(tags.PROMOTED_RUNS, "").split(",") if boundary.is_run_id(i)
    ]
    detail["redactions"] = redactions(
        run_tags.get(tags.REDACTIONS), read("redactions", tags.REDACTIONS_ARTIFACT)
    )
    try:  # kept in refused.jsonl where it was recorded
        detail["sync_refused"] = boundary.count(run_tags.get(tags.SYNC_REFUSED), "sync_refused")
    except boundary.Unreadable as exc:
        detail["sync_refused"], unreadable["sync_refused"] = 0, str(exc)
    index = read("checkpoints", tags.CHECKPOINTS_ARTIFACT) if tags.CHECKPOINTS in run_tags else None
    detail["checkpoints"] = checkpoint_list(index)
    # %xp profile's cells: their top operators (the traces stay artifacts, megabytes each)
    profiles = read("profiles", tags.PROFILES_ARTIFACT) if tags.PROFILES in run_tags else None
    detail["profiles"] = profiles or []
    detail["datasets"], problems = dataset_inputs(_input_rows(run))
    if problems:
        unreadable["datasets"] = "; ".join(problems[:3])
    detail["artifacts_error"] = artifacts.error
    exp_name = asked.result() if experiment_name is None else experiment_name
    detail["experiment"] = exp_id if exp_name is None else exp_name
    return detail


def _input_rows(run: Run) -> list[tuple[object, object, object, object, object]]:
    """The run's MLflow dataset inputs as plain values, for the parsing boundary."""
    inputs = getattr(getattr(run, "inputs", None), "dataset_inputs", None) or []
    rows = []
    for item in inputs[: MAX_DATASETS + 1]:
        data = item.dataset
        context = next((t.value for t in item.tags or [] if t.key == "mlflow.data.context"), None)
        rows.append((data.name, data.digest, data.source_type, data.source, context))
    return rows


def redactions(count_tag: str | None, places: Any) -> dict[str, Any]:
    """How many values were redacted on their way to the store, and where (none of the values).

    The count is the tag (set as the run syncs); the places come with ``xp/redactions.json`` at
    the end. Both are read from the store, so anything malformed is left out.
    """
    clean = []
    for place in places if isinstance(places, list) else []:
        if not isinstance(place, dict) or not isinstance(place.get("count"), int):
            continue
        clean.append(
            {
                "where": str(place.get("where", ""))[:200],
                "field": str(place.get("field", ""))[:200],
                "count": place["count"],
                "kinds": [str(k)[:80] for k in place.get("kinds", []) if isinstance(k, str)],
                "names": [str(n)[:120] for n in place.get("names", []) if isinstance(n, str)],
            }
        )
    try:
        total = boundary.count(count_tag, "redactions")
    except boundary.Unreadable:
        total = 0
    return {"count": max(total, sum(p["count"] for p in clean)), "places": clean}
