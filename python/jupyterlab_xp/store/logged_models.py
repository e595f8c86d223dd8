"""Checkpoints as MLflow 3 logged models: what ``search_logged_models`` and MLflow's UI list.

A checkpoint's files stay where ``xp.checkpoint`` put them, in the run's artifacts
(``xp/checkpoints/...``: resume and ``jupyter xp register`` read them there). The logged model
holds no second copy (a checkpoint can be gigabytes), only where they are (``runs:/`` URI in a
tag), its step and version as params, and the run's metrics as they stood when it was saved.
One logged model per checkpoint version: a batch the sync retries finds the one it made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jupyterlab_xp.core.metric_points import MetricPoint
from jupyterlab_xp.store.mlflow_store import MlflowStore

PATH_TAG = "xp.checkpoint.path"  # the checkpoint's artifact folder in its run
URI_TAG = "xp.checkpoint.uri"  # runs:/<run id>/<that folder>
SHA256_TAG = "xp.checkpoint.sha256"  # of its metadata.json, which lists every file's sha256


def log_checkpoint_model(
    store: MlflowStore,
    run_id: str,
    checkpoint: Mapping[str, Any],
    rel: str,
    metrics: Iterable[MetricPoint],
) -> str:
    """The logged model of the checkpoint uploaded to ``rel`` in ``run_id``; its model id."""
    from mlflow.entities import LoggedModelOutput, Metric

    client = store.client
    experiment_id = client.get_run(run_id).info.experiment_id
    escaped = rel.replace("'", "")  # rel is ours (checkpoints/<key>/<n>/<stamp>): no quotes
    found = client.search_logged_models(
        [experiment_id],
        filter_string=f"source_run_id = '{run_id}' AND tags.`{PATH_TAG}` = '{escaped}'",
        max_results=1,
    )
    if found:
        return str(found[0].model_id)
    step = int(checkpoint.get("step") or 0)
    model = client.create_logged_model(
        experiment_id,
        name=str(checkpoint.get("name") or "checkpoint"),
        source_run_id=run_id,
        tags={
            PATH_TAG: rel,
            URI_TAG: f"runs:/{run_id}/{rel}",
            SHA256_TAG: str(checkpoint.get("sha256") or ""),
        },
        params={"step": str(step), "version": str(checkpoint.get("version") or "")},
        model_type="xp.checkpoint",
    )
    points = [
        Metric(p.key, p.value, p.timestamp_ms, p.step, model_id=model.model_id) for p in metrics
    ]
    if points:
        client.log_batch(run_id, metrics=points, synchronous=True)
    client.log_outputs(run_id, [LoggedModelOutput(model.model_id, step)])
    client.finalize_logged_model(model.model_id, "READY")
    return str(model.model_id)
