"""Content checksums of the data files and folders a run declares (``xp.dataset(path)``).

A folder's digest covers every regular file below it: its path relative to the folder and the
sha256 of its bytes, in sorted order, so renaming, adding, removing or editing any file changes
the digest, while copying the folder elsewhere does not.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from jupyterlab_xp.core.files import file_sha256


def dataset_checksum(path: Path) -> dict[str, Any]:
    """``{path, kind, sha256, files, bytes}`` for a file or a folder (hidden entries skipped).

    Raises:
        FileNotFoundError: the path does not exist.
    """
    path = path.expanduser().resolve()
    if path.is_file():
        return {
            "path": str(path),
            "kind": "file",
            "sha256": file_sha256(path),
            "files": 1,
            "bytes": path.stat().st_size,
        }
    if not path.is_dir():
        raise FileNotFoundError(f"no file or folder at {path}")
    outer = hashlib.sha256()
    files = size = 0
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(n for n in names if not n.startswith(".")):
            file = Path(root) / name
            if not file.is_file():
                continue
            relative = file.relative_to(path).as_posix()
            outer.update(f"{relative}\0{file_sha256(file)}\n".encode())
            files += 1
            size += file.stat().st_size
    return {
        "path": str(path),
        "kind": "folder",
        "sha256": outer.hexdigest(),
        "files": files,
        "bytes": size,
    }
