"""The project's own lock file (``pylock.toml``, ``uv.lock``), recorded as it is.

``requirements.lock`` says what was installed; a project managed by uv or by a PEP 751 locker
also says what it meant to install, with hashes and markers for every platform. That file is
found by walking up from the notebook's folder to the project's root (the first folder with
``.git`` or ``pyproject.toml``) and copied unchanged (its text goes through redaction on the way
to the store like every artifact: a private index URL may carry a token).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

# PEP 751 names: pylock.toml, or pylock.<name>.toml for one of several; then uv's own.
PATTERNS = ("pylock.toml", "pylock.*.toml", "uv.lock")
MAX_BYTES = 16 << 20  # a large uv.lock is a few MB
MAX_LEVELS = 8  # a notebook outside any project: look no further up than this


def find_project_lock(start: Path) -> Path | None:
    """The lock file nearest ``start`` within its project, or None."""
    folder = start.resolve()
    for _ in range(MAX_LEVELS):
        for pattern in PATTERNS:
            found = sorted(p for p in folder.glob(pattern) if p.is_file())
            if found:
                return found[0]
        if (folder / ".git").exists() or (folder / "pyproject.toml").is_file():
            return None  # the project's root: a lock above it belongs to something else
        if folder.parent == folder:
            return None
        folder = folder.parent
    return None


def copy_project_lock(start: Path, out: Path, prefix: str) -> tuple[str, str] | None:
    """Copy the project's lock into ``out`` as ``prefix + name``; its artifact name and
    ``"<name> sha256:<hex>"``. ValueError for a file too large to be a lock."""
    found = find_project_lock(start)
    if found is None:
        return None
    size = found.stat().st_size
    if size > MAX_BYTES:
        raise ValueError(f"{found.name} is {size} bytes, more than a lock file ({MAX_BYTES})")
    data = found.read_bytes()
    name = prefix + found.name
    (out / name).write_bytes(data)
    return name, f"{found.name} sha256:{hashlib.sha256(data).hexdigest()}"
