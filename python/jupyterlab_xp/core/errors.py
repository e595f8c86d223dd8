"""Exceptions jupyterlab-xp raises on purpose (their message is one line, meant for the user)."""

from __future__ import annotations


class XpError(ValueError):
    """Bad input or a wrong state (start twice, stop without start): nothing was changed."""


class StoreError(RuntimeError):
    """The tracking store failed or is unreachable (a 503 for the server, an exit 1 for the CLI)."""
