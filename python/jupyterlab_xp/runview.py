"""Plain-dict views of recorded runs, shared by the command line and the REST API."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from . import tags
from .mlflow_store import MlflowStore

if TYPE_CHECKING:
    from mlflow.entities import Run


def run_summary(run: Run, experiment_names: dict[str, str] | None = None) -> dict[str, Any]:
    """One line's worth of a run: ids, name, status, times, seed, counts, latest metrics."""
    info, data = run.info, run.data
    run_tags = data.tags
    end = info.end_time
    return {
        "run_id": info.run_id,
        "name": info.run_name,
        "experiment_id": info.experiment_id,
        "experiment": (experiment_names or {}).get(info.experiment_id, info.experiment_id),
        "status": info.status,
        "kind": run_tags.get(tags.KIND),
        "start_time": info.start_time,
        "end_time": end,
        "duration": (end - info.start_time) / 1000 if end and info.start_time else None,
        "seed": data.params.get(tags.SEED_PARAM),
        "cells": int(run_tags.get(tags.CELLS, "0") or 0),
        "errors": int(run_tags.get(tags.ERRORS, "0") or 0),
        "notebook": run_tags.get(tags.NOTEBOOK_PATH),
        "died_in_cell": run_tags.get(tags.DIED_IN_CELL),
        "metrics": dict(data.metrics),
    }


def _json_artifact(store: MlflowStore, run_id: str, name: str) -> Any:
    text = store.read_artifact_text(run_id, f"{tags.ARTIFACT_DIR}/{name}")
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def run_detail(store: MlflowStore, run: Run) -> dict[str, Any]:
    """Everything recorded for a run: params, metrics, tags, seeds, environment, hardware,
    git and the cell journal."""
    run_id = run.info.run_id
    detail = run_summary(run, store.experiment_names())
    detail["params"] = dict(run.data.params)
    detail["tags"] = {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")}
    detail["note"] = run.data.tags.get(tags.MLFLOW_NOTE)
    detail["seeds"] = _json_artifact(store, run_id, tags.SEEDS_ARTIFACT)
    detail["environment"] = _json_artifact(store, run_id, tags.ENVIRONMENT_ARTIFACT)
    detail["hardware"] = _json_artifact(store, run_id, tags.HARDWARE_ARTIFACT)
    detail["git"] = _json_artifact(store, run_id, tags.GIT_ARTIFACT)
    detail["order"] = _json_artifact(store, run_id, tags.ORDER_ARTIFACT)
    cells_text = store.read_artifact_text(run_id, f"{tags.ARTIFACT_DIR}/{tags.CELLS_ARTIFACT}")
    detail["cells_journal"] = [
        json.loads(line) for line in (cells_text or "").splitlines() if line.strip()
    ]
    return detail
