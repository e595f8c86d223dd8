"""Lines that background work leaves for the user: printed before the next cell (or at stop)."""

from __future__ import annotations

import sys
from collections import deque

_NOTICES: deque[str] = deque()


def add_notice(text: str) -> None:
    """Queue one line for the next cell's output (from any thread)."""
    _NOTICES.append(text)


def print_notices() -> None:
    """Print and forget the queued lines; cheap when there are none (every cell calls it)."""
    while _NOTICES:
        print(_NOTICES.popleft(), file=sys.stderr)
