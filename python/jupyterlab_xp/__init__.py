"""jupyterlab-xp: reproducible ML experiments in Jupyter notebooks.

The public face of the package: the Python API (``import jupyterlab_xp as xp``), the IPython
extension (``%load_ext jupyterlab_xp``) and the Jupyter server and lab extension entry points.
Nothing inside the package imports this module: it sits above every layer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.version import version

if TYPE_CHECKING:
    from jupyterlab_xp.kernel.api import (
        RunHandle,
        active_run,
        checkpoint,
        dataset,
        device,
        load_checkpoint,
        log,
        note,
        param,
        seed,
        seed_everything,
        start,
        stop,
        tag,
    )
    from jupyterlab_xp.kernel.comparing import compare
    from jupyterlab_xp.kernel.predictions import log_predictions
    from jupyterlab_xp.kernel.splits import split
    from jupyterlab_xp.kernel.trial_report import TrialPruned

# The Python API, imported on first use: every process that imports a module of the package
# runs this file first (the command line, a promotion's job, the shims cell of a promoted
# kernel), and the kernel's API with its recorder costs 0.15 s to import that those never use.
_API = {
    **dict.fromkeys(
        (
            "RunHandle",
            "active_run",
            "checkpoint",
            "dataset",
            "device",
            "load_checkpoint",
            "log",
            "note",
            "param",
            "seed",
            "seed_everything",
            "start",
            "stop",
            "tag",
        ),
        "jupyterlab_xp.kernel.api",
    ),
    "compare": "jupyterlab_xp.kernel.comparing",
    "log_predictions": "jupyterlab_xp.kernel.predictions",
    "split": "jupyterlab_xp.kernel.splits",
    "TrialPruned": "jupyterlab_xp.kernel.trial_report",
}


def __getattr__(name: str) -> Any:
    # The version is looked up on first use too: importlib.metadata costs ~35 ms to import, and
    # `%load_ext jupyterlab_xp` must stay cheap.
    if name == "__version__":
        return version()
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    # The built extension lives at the repository root (non-default layout), two levels up.
    return [{"src": "../../labextension", "dest": "jupyterlab-xp"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from jupyterlab_xp.server.app import XpExtensionApp

    return [{"module": "jupyterlab_xp", "app": XpExtensionApp}]


def load_ipython_extension(ipython: Any) -> None:
    """Register the ``%xp`` magic and the cell hooks (``%load_ext jupyterlab_xp``)."""
    from jupyterlab_xp.kernel.extension import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove the ``%xp`` hooks (``%unload_ext jupyterlab_xp``)."""
    from jupyterlab_xp.kernel.extension import unload_ipython_extension as _unload

    _unload(ipython)


__all__ = [
    "RunHandle",
    "TrialPruned",
    "XpError",
    "__version__",
    "active_run",
    "checkpoint",
    "compare",
    "dataset",
    "device",
    "load_checkpoint",
    "log",
    "log_predictions",
    "note",
    "param",
    "seed",
    "seed_everything",
    "split",
    "start",
    "stop",
    "tag",
]
