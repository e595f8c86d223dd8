"""The installed jupyterlab-xp version, looked up on first use (importlib.metadata costs ~35 ms)."""

from __future__ import annotations

import functools


@functools.cache
def version() -> str:
    """The distribution's version, or ``0.0.0.dev0`` in a source checkout never installed."""
    from importlib import metadata

    try:
        return metadata.version("jupyterlab-xp")
    except metadata.PackageNotFoundError:
        return "0.0.0.dev0"
