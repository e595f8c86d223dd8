"""A sweep read back: its trials (params, objective, state, duration), the best one, the objective
over trials and parameter importance, as one plain dict for ``sweep show``, ``%xp`` and REST.
"""

from __future__ import annotations

import math
import os
import warnings
from typing import Any

from jupyterlab_xp.core import columns, tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.promote.preview import visible
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.sweep import study as studies
from jupyterlab_xp.sweep.space import space_from_text
from jupyterlab_xp.views.lookup import find_run

IMPORTANCE_SEED = 0  # Optuna's evaluators are random forests: a fixed seed, the same answer


def storage_for(given: str | None, default: str) -> str:
    """The storage to open: ``--storage``, else ``$XP_SWEEP_STORAGE``, else the default.

    Only the user chooses it: a run's ``xp.sweep.storage`` tag is anyone's text on a shared
    store, so it is shown (see :func:`resolve`), never opened.
    """
    return given or os.environ.get(tags.SWEEP_STORAGE_ENV) or default


def resolve(store: MlflowStore, ident: str, storage_url: str | None = None) -> dict[str, Any]:
    """What ``SWEEP`` names: a parent run id (or unique prefix), else a study name.

    Returns:
        ``run_id`` (or None), ``study``, the ``storage_url`` to open (the user's) and
        ``tagged``, the storage the run's tag names (to show when the study is not found).
    """
    default = studies.default_storage(store.location.home)
    if ident.isalnum():
        try:
            run = find_run(store, ident)
        except XpError:
            run = None
        if run is not None:
            run_tags = dict(run.data.tags)
            if run_tags.get(tags.KIND) != tags.KIND_SWEEP:
                raise XpError(
                    f"run {run.info.run_id[:8]} is not a sweep (kind {run_tags.get(tags.KIND)})"
                )
            return {
                "run_id": run.info.run_id,
                "study": run_tags.get(tags.SWEEP_STUDY, ""),
                "storage_url": storage_for(storage_url, default),
                "tagged": run_tags.get(tags.SWEEP_STORAGE),
            }
    studies.check_study_name(ident)
    return {
        "run_id": None,
        "study": ident,
        "storage_url": storage_for(storage_url, default),
        "tagged": None,
    }


def open_detail(store: MlflowStore, found: dict[str, Any]) -> dict[str, Any]:
    """:func:`detail` of what :func:`resolve` found; a study missing from the user's storage is
    one line that names the storage the run's tag gives (as text: it is not opened)."""
    try:
        return detail(store, found["study"], found["storage_url"])
    except LookupError:
        tagged = found.get("tagged")
        if not tagged or tagged == studies.display_url(found["storage_url"]):
            raise
        said = visible(str(tagged)[:300], keep="")[0]
        raise XpError(
            f"no sweep study {found['study']} in {studies.display_url(found['storage_url'])}; "
            f"its run says it lives in {said!r}: open that storage with --storage URL or "
            f"{tags.SWEEP_STORAGE_ENV} if you trust it"
        ) from None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, (bool, int, float, str)) else repr(value)


def detail(store: MlflowStore, study_name: str, storage_url: str) -> dict[str, Any]:
    """The sweep's trials, best trial, objective series, importance and config."""
    import optuna

    storage = studies.open_storage(storage_url)
    study, config = studies.load(storage, study_name, sampling=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fail_stale_trials is "experimental"
        optuna.storages.fail_stale_trials(study)  # a worker that died elsewhere
    trials = [  # a trial asked past the budget by a racing worker never ran
        t
        for t in study.get_trials(deepcopy=False)
        if not t.user_attrs.get(studies.OVER_BUDGET_ATTR)
    ]
    maximize = config["direction"] == "maximize"
    rows, series, best_so_far = [], [], None
    for trial in trials:
        value = _number(trial.value)
        duration = trial.duration.total_seconds() if trial.duration is not None else None
        steps = trial.intermediate_values
        rows.append(
            {
                "number": trial.number,
                "state": trial.state.name,
                "params": {k: _plain(v) for k, v in trial.params.items()},
                "value": value,
                "duration": duration,
                "run_id": trial.user_attrs.get(studies.RUN_ATTR),
                "last_step": max(steps) if steps else None,
                "worker": trial.user_attrs.get(studies.WORKER_ATTR),
            }
        )
        if trial.state == optuna.trial.TrialState.COMPLETE and value is not None:
            better = best_so_far is None or (
                value > best_so_far if maximize else value < best_so_far
            )
            best_so_far = value if better else best_so_far
            series.append({"number": trial.number, "value": value, "best": best_so_far})
    complete = [r for r in rows if r["state"] == "COMPLETE" and r["value"] is not None]
    ranked = sorted(complete, key=lambda r: r["value"], reverse=maximize)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["state"]] = counts.get(row["state"], 0) + 1
    space = space_from_text(config["space"])
    return {
        "run_id": config["parent_run_id"],
        "study": study_name,
        "storage": studies.display_url(storage_url),
        "objective": config["objective"],
        "direction": config["direction"],
        "sampler": config["sampler"],
        "pruner": config["pruner"],
        "seed": config["seed"],
        "source_run_id": config.get("source_run_id"),
        "notebook": config.get("notebook"),
        "order": config.get("order"),
        "code_sha256": config.get("code_sha256"),
        "trials_target": config["trials"],
        "space": [
            {
                "name": d.name,
                "kind": d.kind,
                "low": d.low,
                "high": d.high,
                "choices": [_plain(c) for c in d.choices],
            }
            for d in space.values()
        ],
        "trials": rows,
        "counts": counts,
        "best": ranked[0] if ranked else None,
        "runner_up": ranked[1] if len(ranked) > 1 else None,
        "series": series,
        "importance": importance(study, len(complete)),
        "stopped": study.user_attrs.get(studies.STOP_ATTR),
        "state": _state(store, config["parent_run_id"]),
    }


def _state(store: MlflowStore, run_id: str) -> str | None:
    run = store.get_run(run_id)
    return run.data.tags.get(tags.SWEEP_STATE) if run is not None else None


def importance(study: Any, complete: int) -> dict[str, float]:
    """Optuna's parameter importance (fANOVA, fixed seed); empty below two complete trials."""
    if complete < 2:
        return {}
    import optuna

    evaluator = optuna.importance.FanovaImportanceEvaluator(seed=IMPORTANCE_SEED)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = optuna.importance.get_param_importances(study, evaluator=evaluator)
    except (RuntimeError, ValueError, ZeroDivisionError):
        return {}  # e.g. every trial had the same params
    return {k: float(v) for k, v in found.items() if math.isfinite(v)}


def list_sweeps(store: MlflowStore, limit: int = 100) -> list[dict[str, Any]]:
    """Sweep parent runs, newest first, from their tags (no storage opened)."""
    runs = store.search_runs(
        filter_string=f"{columns.search_field(columns.TAGS, tags.KIND)} = '{tags.KIND_SWEEP}'",
        max_results=limit,
    )
    out = []
    for run in runs:
        t = dict(run.data.tags)
        out.append(
            {
                "run_id": run.info.run_id,
                "name": t.get(tags.MLFLOW_RUN_NAME),
                "study": t.get(tags.SWEEP_STUDY),
                "status": run.info.status,
                "state": t.get(tags.SWEEP_STATE),
                "objective": t.get(tags.SWEEP_OBJECTIVE),
                "sampler": t.get(tags.SWEEP_SAMPLER),
                "pruner": t.get(tags.SWEEP_PRUNER),
                "space": t.get(tags.SWEEP_SPACE),
                "storage": t.get(tags.SWEEP_STORAGE),
                "best_trial": t.get(tags.SWEEP_BEST_TRIAL),
                "best_value": t.get(tags.SWEEP_BEST_VALUE),
                "best_run": t.get(tags.SWEEP_BEST_RUN),
                "source_run_id": t.get(tags.SOURCE_RUN),
                "start_time": run.info.start_time,
                "error": t.get(tags.SWEEP_ERROR),
            }
        )
    return out
