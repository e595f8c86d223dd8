"""A checkpoint folder on its way to the store: its files as they are, its JSON redacted.

State dicts and RNG states are numbers; they go unchanged, so that the sha256 checksums in
``metadata.json`` hold for the store's copy too. The JSON files (metadata, params, extra) pass
the redaction step like every other text that leaves the kernel: a secret in them reaches the
store as ``<redacted>``, and that copy then fails its checksum, by name, when loaded.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.redaction import Redactor


def upload_checkpoint(
    store: MlflowStore, redactor: Redactor, run_id: str, run_dir: Path, rel: str
) -> None:
    """Upload ``run_dir/rel`` to the artifact path ``rel`` (a folder deleted since is skipped)."""
    folder = run_dir / rel
    if not rel or not folder.is_dir():
        return
    with tempfile.TemporaryDirectory(prefix="xp-outbound-") as tmp:
        for path in sorted(folder.iterdir()):
            if not path.is_file():
                continue
            if path.suffix == ".json":
                copy = Path(tmp) / path.name
                copy.write_bytes(redactor.file_bytes(path, f"{rel}/{path.name}"))
                path = copy
            store.log_artifact(run_id, path, rel)
