"""What ``jupyter xp`` prints, made inert: control characters are shown, never obeyed.

Run names, params, notes and notebook paths come from a shared store that anyone on the team
can write. An ESC in them would let a run move the cursor, rewrite earlier lines, set the
window title or plant an OSC 8 link or clipboard write in the reader's terminal. So the CLI's
output edge (:func:`inert_output` around every command) escapes every C0 and C1 control
character but newline and tab (which the layout uses), DEL, and the bidirectional overrides
that reorder what a line appears to say: ``\\x1b`` is printed as the four characters ``\\x1b``.
JSON output needs nothing more: ``json.dumps`` already writes them as ``\\u001b``.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from typing import TextIO

_KEPT = frozenset({"\n", "\t"})
_BIDI = (0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))


def _table() -> dict[int, str]:
    table = {
        code: f"\\x{code:02x}"
        for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))
        if chr(code) not in _KEPT
    }
    table.update({code: f"\\u{code:04x}" for code in _BIDI})
    return table


_ESCAPES = _table()


def inert(text: str) -> str:
    """``text`` with every control character written out as an escape (newline, tab kept)."""
    return text.translate(_ESCAPES)


class InertStream(io.TextIOBase):
    """A text stream that escapes what it is given (:func:`inert`) before passing it on."""

    def __init__(self, raw: TextIO) -> None:
        self._raw = raw

    def write(self, text: str) -> int:
        self._raw.write(inert(text))
        return len(text)

    def flush(self) -> None:
        self._raw.flush()

    def isatty(self) -> bool:
        return self._raw.isatty()

    def fileno(self) -> int:
        return self._raw.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self._raw, "encoding", "utf-8"))


@contextlib.contextmanager
def inert_output() -> Iterator[None]:
    """Within the block, ``sys.stdout`` and ``sys.stderr`` print through :class:`InertStream`."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = InertStream(out), InertStream(err)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = out, err
