"""jupyterlab-xp: reproducible ML experiments in Jupyter notebooks.

The public face of the package: the Python API (``import jupyterlab_xp as xp``), the IPython
extension (``%load_ext jupyterlab_xp``) and the Jupyter server and lab extension entry points.
Nothing inside the package imports this module: it sits above every layer.
"""

from __future__ import annotations

from typing import Any

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.version import version
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


def __getattr__(name: str) -> Any:
    # The version is looked up on first use: importlib.metadata costs ~35 ms to import, and
    # `%load_ext jupyterlab_xp` must stay cheap.
    if name == "__version__":
        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
