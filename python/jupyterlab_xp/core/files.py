"""Small file helpers: atomic replace and private (0600) files."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_atomic(path: Path, data: bytes | str, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A reader (or a crash) sees either the old file or the whole new one, never a torn write.
    """
    payload = data.encode() if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, value: Any) -> None:
    """Write ``value`` as indented JSON, atomically (see :func:`write_atomic`)."""
    write_atomic(path, json.dumps(value, indent=2, sort_keys=True, default=str) + "\n")


def parse_json(text: str | None) -> Any:
    """Parse JSON text; None when there is none or it is not JSON (e.g. an artifact)."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def read_json(path: Path) -> Any:
    """Read a JSON file; None when it is missing or unreadable (a partial state is no state)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None
