"""Where a declared dataset came from, and the MLflow dataset input that records it.

``xp.dataset(path)`` records a file or folder's content checksum (``datasets.py``) and, here,
its provenance: the DVC pointer that tracks it (``dvc.py``) and its data card
(``data_cards.py``). The journal's ``dataset`` record
becomes one MLflow dataset input (:func:`mlflow_input`), whose ``source`` JSON carries all of
it, so that a plain ``MlflowClient`` reads it back with the run. A Hugging Face ``datasets``
object (``kernel/hf_datasets.py``) becomes an input of MLflow's ``hugging_face`` source type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jupyterlab_xp.capture.data_cards import find_data_card
from jupyterlab_xp.capture.dvc import dvc_provenance

SOURCE_KEYS = ("dvc", "card")  # provenance fields a dataset record carries into its source
MLFLOW_DIGEST_CHARS = 36  # MLflow's digest column holds 36 characters


def local_provenance(path: Path) -> dict[str, Any]:
    """The provenance of a local file or folder: ``dvc`` (None when DVC does not track it) and
    ``card``, its data card (None when it has none)."""
    return {"dvc": dvc_provenance(path), "card": find_data_card(path.expanduser().absolute())}


def mlflow_input(record: dict[str, Any]) -> dict[str, Any]:
    """``{name, digest, source_type, source, profile, context}`` of a journal ``dataset`` record:
    the MLflow dataset input it becomes (``source`` and ``profile`` as JSON text)."""
    sha256 = str(record.get("sha256") or "")
    hub = record.get("hf")
    if isinstance(hub, dict):  # a Hugging Face datasets object: MLflow's own source type
        hub_source = {"path": hub.get("repo") or hub.get("dataset_name"), **hub}
        return {
            "name": str(record["name"]),
            "digest": sha256[:MLFLOW_DIGEST_CHARS],
            "source_type": "hugging_face",
            "source": json.dumps(hub_source, sort_keys=True, default=str),
            "profile": json.dumps({"num_rows": hub.get("splits")}, sort_keys=True, default=str),
            "context": record.get("context"),
        }
    source: dict[str, Any] = {"uri": Path(str(record.get("path", ""))).as_uri(), "sha256": sha256}
    source.update({k: record[k] for k in SOURCE_KEYS if k in record})
    profile = {k: record[k] for k in ("kind", "files", "bytes") if k in record}
    return {
        "name": str(record["name"]),
        "digest": sha256[:MLFLOW_DIGEST_CHARS],
        "source_type": "local",
        "source": json.dumps(source, sort_keys=True, default=str),
        "profile": json.dumps(profile, sort_keys=True) if profile else None,
        "context": record.get("context"),
    }
