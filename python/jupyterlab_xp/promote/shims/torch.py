"""PyTorch 2.6 made ``torch.load`` read weights only by default: a whole model a notebook saved
with ``torch.save(model, path)`` and loads back no longer loads.

Only a file this run's own ``torch.save`` wrote, unchanged since (the same size and modification
time), is loaded as before (``weights_only=False``): unpickling runs code, and the only code it
can run here is what this notebook pickled a moment ago. A file that came from elsewhere, or a
call that says ``weights_only`` itself, is left to PyTorch's default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jupyterlab_xp.promote.shims.log import Shim, record


def _key(f: Any) -> str | None:
    if isinstance(f, str | bytes | os.PathLike):
        try:
            return os.path.realpath(os.fsdecode(f))
        except (TypeError, ValueError):
            return None
    return None


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _own_files(module: Any) -> None:
    saved: dict[str, tuple[int, int] | None] = {}
    original_save, original_load = module.save, module.load

    def save(obj: Any, f: Any, *args: Any, **kwargs: Any) -> Any:
        result = original_save(obj, f, *args, **kwargs)
        key = _key(f)
        if key is not None:
            saved[key] = _stamp(key)
        return result

    def load(f: Any, *args: Any, **kwargs: Any) -> Any:
        key = _key(f)
        stamp = saved.get(key) if key is not None else None
        own = key is not None and stamp is not None and stamp == _stamp(key)
        if own and "weights_only" not in kwargs:
            record(
                "torch-load-own-file",
                f"torch.load({Path(str(key)).name!r}) with weights_only=False: "
                "the file this run's torch.save wrote",
            )
            kwargs["weights_only"] = False
        return original_load(f, *args, **kwargs)

    save.__doc__, load.__doc__ = original_save.__doc__, original_load.__doc__
    module.save, module.load = save, load


SHIMS = (
    Shim(
        "torch-load-own-file",
        "PyTorch 2.6 made torch.load read weights only: a file this run's torch.save wrote "
        "loads whole, as before",
        "torch",
        _own_files,
    ),
)
