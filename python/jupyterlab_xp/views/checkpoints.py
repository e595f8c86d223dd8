"""A run's checkpoints as the run detail lists them (read from ``xp/checkpoints.json``).

The index comes back from the store, so nothing in it is trusted: each entry is checked for
type and size, and one that is malformed is left out rather than shown.
"""

from __future__ import annotations

import re
from typing import Any

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_PATH = re.compile(r"^checkpoints/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}/\d{1,9}/\d{8}T\d{6,12}Z$")
MAX_LISTED = 500  # a run that checkpoints every step still answers in one small body


def checkpoint_list(index: Any) -> list[dict[str, Any]]:
    """The well-formed entries of a run's checkpoint index, newest last (at most 500)."""
    clean = []
    for entry in index if isinstance(index, list) else []:
        if not isinstance(entry, dict):
            continue
        name, version, step = entry.get("name"), entry.get("version"), entry.get("step")
        size, sha256, path = entry.get("size"), entry.get("sha256"), entry.get("path")
        if not (
            isinstance(name, str)
            and _NAME.match(name)
            and _is_int(version)
            and (step is None or _is_int(step))
            and _is_int(size)
            and isinstance(sha256, str)
            and _HEX64.match(sha256)
            and isinstance(path, str)
            and _PATH.match(path)
        ):
            continue
        clean.append(
            {
                "name": name,
                "version": version,
                "step": step,
                "size": size,
                "sha256": sha256,
                "path": path,
                "timestamp": str(entry.get("timestamp", ""))[:32],
            }
        )
    return clean[-MAX_LISTED:]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
