"""What a store error means for the records that met it: retry later, or set aside for good.

Transient (retried with back-off): the store is down or slow (connection refused, timeouts,
429/5xx, SQLite "database is locked"), or refuses our credentials (the user may fix them; the
journal keeps everything meanwhile). All but the lock say the store is failing, which cuts
every wait for it short; a lock only says it is slow. Permanent (set aside once, never
retried): MLflow says this very write can never succeed — a param changed value, the run or
experiment was deleted, a malformed value. Records set aside are written to ``refused.jsonl``
in the run folder and reported; nothing after them waits.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

REFUSED_FILE = "refused.jsonl"

# MLflow's error codes (mlflow.protos.databricks_pb2.ErrorCode) that no retry can cure.
PERMANENT_CODES = frozenset(
    {
        "INVALID_PARAMETER_VALUE",
        "BAD_REQUEST",
        "MALFORMED_REQUEST",
        "INVALID_STATE",
        "INVALID_STATE_TRANSITION",
        "RESOURCE_DOES_NOT_EXIST",
        "NOT_FOUND",
        "RESOURCE_ALREADY_EXISTS",
        "ALREADY_EXISTS",
        "RESOURCE_CONFLICT",
        "MAX_BLOCK_SIZE_EXCEEDED",
        "RESOURCE_LIMIT_EXCEEDED",
    }
)


def is_permanent(exc: BaseException) -> bool:
    """True when ``exc`` says the write can never succeed (MLflow's own error code says so).

    Anything else — connection errors, timeouts, 5xx, a locked database, an unknown failure —
    counts as transient: retrying costs a little, dropping a record costs the user's data.
    """
    code = getattr(exc, "error_code", None)
    return isinstance(code, str) and code in PERMANENT_CODES


def is_contention(exc: BaseException) -> bool:
    """True when the store answered but another writer held its lock past the driver's patience.

    SQLite's "database is locked" (Python's driver waits 5 s for the lock first): the store is
    slow, not down, so callers keep a slow store's (bounded) patience rather than a failed
    one's. Retried like any transient error.
    """
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text


def describe(exc: BaseException) -> str:
    """One line for the user: the error's type and the first line of its message."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:500]


def set_aside(run_dir: Path, record: dict[str, Any], exc: BaseException) -> None:
    """Append a refused record (and why) to the run's ``refused.jsonl`` (mode 0600)."""
    line = {
        "seq": record.get("seq"),
        "type": record.get("type"),
        "refused_at": time.time(),
        "error": describe(exc),
        "record": record,
    }
    fd = os.open(run_dir / REFUSED_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(line, default=str) + "\n").encode())
    finally:
        os.close(fd)


def read_refused(run_dir: Path) -> list[dict[str, Any]]:
    """The records a run's store refused, oldest first (an empty list when none)."""
    try:
        text = (run_dir / REFUSED_FILE).read_text(encoding="utf-8")
    except OSError:
        return []
    found = []
    for line in text.splitlines():
        try:
            found.append(json.loads(line))
        except ValueError:
            continue
    return found
