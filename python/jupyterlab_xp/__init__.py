"""jupyterlab-xp: reproducible ML experiments in Jupyter notebooks."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # The version is looked up on first use: importlib.metadata costs ~35 ms to import, and
    # `%load_ext jupyterlab_xp` must stay cheap.
    if name == "__version__":
        from importlib import metadata

        try:
            return metadata.version("jupyterlab-xp")
        except metadata.PackageNotFoundError:  # a source checkout that was never installed
            return "0.0.0.dev0"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    # The built extension lives at the repository root (non-default layout), two levels up.
    return [{"src": "../../labextension", "dest": "jupyterlab-xp"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server import XpExtensionApp

    return [{"module": "jupyterlab_xp", "app": XpExtensionApp}]


def load_ipython_extension(ipython: Any) -> None:
    """Register the ``%xp`` magic and the cell hooks (``%load_ext jupyterlab_xp``)."""
    from .magics import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove the ``%xp`` hooks (``%unload_ext jupyterlab_xp``)."""
    from .magics import unload_ipython_extension as _unload

    _unload(ipython)


from .api import (  # noqa: E402 - after the hooks above, which must not need these
    RunHandle,
    active_run,
    dataset,
    device,
    log,
    note,
    param,
    seed_everything,
    start,
    stop,
    tag,
)
from .errors import XpError  # noqa: E402

__all__ = [
    "RunHandle",
    "XpError",
    "__version__",
    "active_run",
    "dataset",
    "device",
    "log",
    "note",
    "param",
    "seed_everything",
    "start",
    "stop",
    "tag",
]
