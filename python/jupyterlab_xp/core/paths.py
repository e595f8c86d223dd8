"""Confine notebook paths sent by clients to the server's root folder.

A path from a client is text to check, never a path to trust: NUL bytes, absolute or drive
paths, URLs, ``..`` parts and hidden parts are refused before the file system is touched, then
symlinks are resolved and the result must still lie inside the root and be a local ``.ipynb``.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from jupyterlab_xp.core.errors import XpError

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def confine_notebook(root: Path, relative: str) -> Path:
    """The notebook ``relative`` names under ``root``, resolved; XpError when it is not one."""
    if not isinstance(relative, str) or not relative or len(relative) > 1024:
        raise XpError("notebook must be a path of 1 to 1024 characters")
    shown = relative[:120]
    if "\x00" in relative or not relative.isprintable():
        raise XpError(f"notebook path holds control characters: {shown!r}")
    if _SCHEME.match(relative) or "://" in relative:
        raise XpError(f"notebook must be a local file under the server root, got {shown!r}")
    if relative.startswith(("/", "\\", "~")) or "\\" in relative:
        raise XpError(f"notebook must be relative to the server root, got {shown!r}")
    parts = PurePosixPath(relative).parts
    if any(part in ("..", ".") or part.startswith(".") for part in parts):
        raise XpError(f"notebook path may not hold '..' or hidden parts: {shown!r}")
    if not relative.endswith(".ipynb"):
        raise XpError(f"notebook must be a .ipynb file, got {shown!r}")
    base = root.resolve()
    resolved = (base / relative).resolve()
    if not resolved.is_relative_to(base):
        raise XpError(f"notebook {shown!r} resolves outside the server root")
    if not resolved.is_file():
        raise LookupError(f"no notebook {shown!r} under the server root")
    return resolved
