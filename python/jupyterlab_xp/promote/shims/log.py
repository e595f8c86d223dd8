"""What every shim shares: its description (:class:`Shim`) and the log of its uses.

A shim changes nothing until the notebook calls the removed API; then it answers the way the
old version did and calls :func:`record`, which appends a line to the log named by
``XP_SHIMS_LOG`` (the shim, what it did, the cell's execution count). The job reads that log
into the run's verdict: never silent.

This module runs in the user's kernel: it imports only the standard library.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LOG_ENV = "XP_SHIMS_LOG"  # the job names the log file in the kernel's environment
MAX_LOG_LINES = 500  # a loop that calls a shimmed API: the first uses tell the story


@dataclass(frozen=True)
class Shim:
    """One rename or removal: its name (in the verdict), what it does, where it applies."""

    name: str
    what: str
    module: str  # applied once this module is imported
    apply: Callable[[Any], None]


_lock = threading.Lock()
_logged = 0
_pending: list[dict[str, Any]] = []  # this cell's uses, written once its count is known
_hooked = False  # True once post_run_cell flushes the uses with their cell's count


def record(name: str, detail: str) -> None:
    """One use of a shim, in the log the job reads (nothing when no log is set).

    In a kernel the use waits for the end of its cell (``post_run_cell``), which knows the
    cell's execution count: during the cell IPython already counts the next one.
    """
    global _logged
    if not os.environ.get(LOG_ENV) or _logged >= MAX_LOG_LINES:
        return
    with _lock:
        _logged += 1
        _pending.append({"name": name, "detail": detail[:300], "cell": None})
    if not _hooked:
        _flush(None)


def _flush(cell: int | None) -> None:
    path = os.environ.get(LOG_ENV)
    with _lock:
        items, _pending[:] = list(_pending), []
    if not path or not items:
        return
    with open(path, "a", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps({**item, "cell": cell}) + "\n")


def _after_cell(result: Any) -> None:
    count = getattr(result, "execution_count", None)
    _flush(count if isinstance(count, int) else None)


def hook(shell: Any) -> None:
    """Write each cell's uses at the end of the cell, with its execution count."""
    global _hooked
    shell.events.register("post_run_cell", _after_cell)
    _hooked = True


class StarNames(list[str]):
    """A module's ``__all__`` with names it no longer has, for ``from module import *``: the
    statement reads ``__all__`` item by item from 0 until IndexError (CPython's
    import_all_from), which brackets one star import; it is recorded once, as ``detail``."""

    active = False  # inside a star import: the module's __getattr__ records nothing per name

    def __init__(self, names: list[str], shim: str, detail: str) -> None:
        super().__init__(names)
        self.shim, self.detail = shim, detail

    def __getitem__(self, index: Any) -> Any:
        if index == 0 and type(index) is int:
            StarNames.active = True
            if not _importer_installed():  # a library's own star import: not the notebook's
                record(self.shim, self.detail)
        try:
            return super().__getitem__(index)
        except IndexError:
            StarNames.active = False
            raise


def _installed(filename: str) -> bool:
    """Whether ``filename`` is installed code (a library, the standard library)."""
    import sysconfig

    parts = filename.replace("\\", "/").split("/")
    return any(p.endswith("-packages") for p in parts) or filename.startswith(
        sysconfig.get_paths()["stdlib"]
    )


def _importer_installed() -> bool:
    """Whether the star import being run is in installed code (an exec'd string counts as
    the code that ran it: scipy clones NumPy's namespace with exec)."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.startswith(("<string>", "<frozen")):
        frame = frame.f_back  # type: ignore[assignment]
    return frame is not None and _installed(frame.f_code.co_filename)


def in_star_import() -> bool:
    """Whether the module ``__getattr__`` that calls this answers a star import: importlib's
    _handle_fromlist first asks for every name of ``__all__``, then the statement binds them."""
    return StarNames.active or sys._getframe(2).f_code.co_name == "_handle_fromlist"
