"""Runs as a hostile teammate writes them: plain ``MlflowClient`` calls, any tag, any ``xp/`` file.

Shared by the boundary's regression tests and the property-based hostile-store suite.
"""

from __future__ import annotations

import contextlib
from typing import Any

from jupyterlab_xp.core import tags

# Every xp/ file the product reads from a run, by the name the recorder gives it.
READ_ARTIFACTS = (
    tags.CELLS_ARTIFACT,
    tags.SEEDS_ARTIFACT,
    tags.ORDER_ARTIFACT,
    tags.ENVIRONMENT_ARTIFACT,
    tags.HARDWARE_ARTIFACT,
    tags.GIT_ARTIFACT,
    tags.VERIFY_ARTIFACT,
    tags.REDACTIONS_ARTIFACT,
    tags.CHECKPOINTS_ARTIFACT,
    tags.PRELUDE_ARTIFACT,
    tags.NOTEBOOK_ARTIFACT,
    tags.LOCK_ARTIFACT,
    tags.CONFIG_ARTIFACT,
    tags.CONFIG_SCHEMA_ARTIFACT,
    tags.PROFILES_ARTIFACT,
)
# Every tag the product reads from a run besides MLflow's own.
READ_TAGS = (
    tags.CELLS,
    tags.ERRORS,
    tags.NOTEBOOK_PATH,
    tags.DIED_IN_CELL,
    tags.LOCAL_ID,
    tags.SOURCE_RUN,
    tags.PROMOTED_RUNS,
    tags.REDACTIONS,
    tags.SYNC_REFUSED,
    tags.VERDICT,
    tags.CHECKPOINTS,
    tags.DEVICE,
    tags.PYTHONHASHSEED,
    tags.PROFILES,
    tags.DATALOADER_WORKERS,  # compare flags a seed group whose runs differ in them
    tags.DATALOADER_PERSISTENT,
)


def hostile_run(
    tracking_uri: str,
    run_tags: dict[str, str],
    files: dict[str, str],
    params: dict[str, str] | None = None,
    experiment: str = "hostile",
    datasets: list[tuple[str, str]] | None = None,
) -> str:
    """A finished run written with plain MlflowClient calls; returns its id.

    ``run_tags`` are set as given (``xp.kind`` defaults to notebook so that lists show it);
    ``files`` maps an ``xp/`` file name to its text; ``datasets`` are ``(name, source text)``
    logged as MLflow dataset inputs (a name MLflow would refuse gets a ``d`` in front).
    """
    from mlflow.entities import Dataset, DatasetInput, InputTag
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri)
    found = client.get_experiment_by_name(experiment)
    experiment_id = found.experiment_id if found else client.create_experiment(experiment)
    run = client.create_run(
        experiment_id, run_name="hostile", tags={tags.KIND: tags.KIND_NOTEBOOK, **run_tags}
    )
    run_id: str = run.info.run_id
    for key, value in (params or {}).items():
        client.log_param(run_id, key, value)
    client.log_metric(run_id, "val/accuracy", 0.5)
    for name, text in files.items():
        client.log_text(run_id, text, f"{tags.ARTIFACT_DIR}/{name}")
    for n, (name, source) in enumerate(datasets or []):
        data = Dataset(f"d{name}"[:500], str(n), "local", source, profile=source)
        context = [InputTag("mlflow.data.context", name[:100] or "training")]
        client.log_inputs(run_id, datasets=[DatasetInput(data, context)])
    client.set_terminated(run_id)
    return run_id


def hostile_version(
    tracking_uri: str, run_id: str, name: str, lineage: dict[str, str]
) -> tuple[str, str]:
    """A model version registered from ``run_id`` with plain MlflowClient calls: ``name`` with
    what MLflow refuses in a model name taken out (``/``, ``:``), ``lineage`` as its
    ``xp.lineage.*`` tags; its name and number."""
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri)
    name = "m" + name.replace("/", "").replace(":", "")
    with contextlib.suppress(MlflowException):  # an earlier run's version has the same name
        client.create_registered_model(name)
    version = client.create_model_version(
        name,
        f"runs:/{run_id}/{tags.ARTIFACT_DIR}",
        run_id=run_id,
        tags={f"{tags.LINEAGE_PREFIX}{k}": v for k, v in lineage.items()},
    )
    return name, str(version.version)


def deep_json(depth: int) -> str:
    """A JSON object nested ``depth`` levels deep (no parser's recursion survives 100,000)."""
    return '{"a":' * depth + "1" + "}" * depth


def plain_run(tracking_uri: str, **extra: Any) -> str:
    """A well-formed run beside the hostile ones, that every view must still show."""
    return hostile_run(
        tracking_uri,
        {tags.CELLS: "1", tags.ERRORS: "0"},
        {tags.SEEDS_ARTIFACT: '{"seed": 1, "seed_source": "given"}'},
        params={"seed": "1"},
        **extra,
    )
