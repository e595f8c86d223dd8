"""Which notebook this kernel runs: named by the caller, or told by the frontend."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jupyterlab_xp.core.errors import XpError


def given_notebook(path: str | Path) -> Path:
    """A notebook named by the caller (``%xp start --notebook``): a local .ipynb file."""
    resolved = Path(path).expanduser().resolve()
    if resolved.suffix != ".ipynb" or not resolved.is_file():
        raise XpError(f"--notebook must name an existing .ipynb file, got {str(path)[:200]!r}")
    return resolved


def find_notebook(user_ns: Mapping[str, Any] | None) -> Path | None:
    """The notebook this kernel runs, when a frontend told us (``XP_NOTEBOOK`` wins).

    jupyter_server starts kernels with ``JPY_SESSION_NAME`` set to the notebook's path and
    ipykernel copies it into ``__session__``; a plain console or a script has neither.
    """
    for candidate in (
        os.environ.get("XP_NOTEBOOK"),
        (user_ns or {}).get("__session__"),
        os.environ.get("JPY_SESSION_NAME"),
    ):
        if isinstance(candidate, str) and candidate.endswith(".ipynb"):
            path = Path(candidate).expanduser()
            if path.is_file():
                return path.resolve()
    return None
