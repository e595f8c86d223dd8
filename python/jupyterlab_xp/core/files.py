"""Small file helpers: atomic replace, private (0600) files, and a durable flush."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
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


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_json_atomic(path: Path, value: Any) -> None:
    """Write ``value`` as indented JSON, atomically (see :func:`write_atomic`)."""
    write_atomic(path, json.dumps(value, indent=2, sort_keys=True, default=str) + "\n")


def read_json(path: Path) -> Any:
    """Read a JSON file; None when it is missing or unreadable (a partial state is no state)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError, RecursionError):  # RecursionError: nested thousands deep
        return None


def _durable_flush_for(os_module: Any, fcntl_module: Any) -> Callable[[int], None]:
    """The durable flush this platform offers (arguments: the modules, so tests can stand in).

    ``fsync`` on macOS only hands data to the drive's cache; ``F_FULLFSYNC`` asks the drive to
    write it. Linux has ``fdatasync`` (skips the metadata an append need not wait for); other
    systems fall back to ``fsync``.
    """
    full_fsync = getattr(fcntl_module, "F_FULLFSYNC", None)
    if full_fsync is not None:
        return lambda fd: fcntl_module.fcntl(fd, full_fsync)
    if hasattr(os_module, "fdatasync"):
        flush: Callable[[int], None] = os_module.fdatasync
        return flush
    flush = os_module.fsync
    return flush


def durable_flush(fd: int) -> None:
    """Make what was written to ``fd`` survive a crash of the machine."""
    _flush(fd)


try:
    import fcntl as _fcntl
except ImportError:  # Windows
    _fcntl = None  # type: ignore[assignment]
_flush = _durable_flush_for(os, _fcntl)
