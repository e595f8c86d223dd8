"""A checkpoint folder on its way to the store: its JSON redacted, its pickles scanned first.

State dicts and RNG states are numbers; they go unchanged, so that the sha256 checksums in
``metadata.json`` hold for the store's copy too. The JSON files (metadata, params, extra) pass
the redaction step like every other text that leaves the kernel: a secret in them reaches the
store as ``<redacted>``, and that copy then fails its checksum, by name, when loaded. A pickle
(``extra.pkl``, the ``data.pkl`` inside a ``.pt``) cannot be redacted without unpickling it:
its strings are scanned (:mod:`.pickle_scan`, never unpickled), and one that holds a secret,
or cannot be read to its end, stays in the run folder on this machine and is noted in the
redaction ledger; loading the store's copy then says the file is missing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from jupyterlab_xp.core.secrets import Hit, find
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.pickle_scan import Unreadable, file_strings
from jupyterlab_xp.store.redaction import Redactor

KEPT_LOCAL = "kept on this machine"  # the ledger's field for a file that was not uploaded


def pickle_secrets(path: Path) -> list[Hit]:
    """What keeps ``path`` from the store: the secrets in its pickles' strings, or that it holds
    a pickle that cannot be read whole (nothing for a file without pickles)."""
    try:
        strings = file_strings(path)
    except Unreadable:
        return [Hit(0, 0, "unreadable pickle")]
    hits: list[Hit] = []
    for before, text in strings or ():
        name = before if before is not None and before.isidentifier() else None
        hits += find(text, name)
    return hits


def upload_checkpoint(
    store: MlflowStore, redactor: Redactor, run_id: str, run_dir: Path, rel: str
) -> bool:
    """Upload ``run_dir/rel`` to the artifact path ``rel``; False for a folder deleted since."""
    folder = run_dir / rel
    if not rel or not folder.is_dir():
        return False
    with tempfile.TemporaryDirectory(prefix="xp-outbound-") as tmp:
        for path in sorted(folder.iterdir()):
            if not path.is_file():
                continue
            if path.suffix == ".json":
                copy = Path(tmp) / path.name
                copy.write_bytes(redactor.file_bytes(path, f"{rel}/{path.name}"))
                path = copy
            elif hits := pickle_secrets(path):
                redactor.ledger.add(f"checkpoint {rel}/{path.name}", KEPT_LOCAL, hits)
                continue
            store.log_artifact(run_id, path, rel)
    return True
