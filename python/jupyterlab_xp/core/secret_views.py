"""Other readings of a text in which a secret shows: plain (no colour codes, no wrapping), decoded.

A secret is not always one run of characters. IPython colours a traceback, so ANSI codes sit
between ``password=`` and its value; ``pprint(..., width=30)`` wraps ``'Bearer '`` and the
token into two literals on two lines; code writes ``"ghp_" + "..."`` or ``("AKIA" "...")``;
a docker config holds ``"auth": base64(user:token)``. :func:`plain_view` gives the text with
colour codes (raw or escaped as in JSON and ``repr``) dropped, adjacent string literals joined
and escaped newlines made real, with a map from each of its spans back to the text;
:func:`decoded_runs` gives the base64 runs that decode to text. Both are gated: a text with
none of what they undo costs one regular-expression pass.
"""

from __future__ import annotations

import base64
import binascii
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

_ANSI = r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]{0,2000}(?:\x07|\x1b\\)|\x1b[@-Z\\-_]"
_ESCAPED_ANSI = r"\\(?:x1[bB]|u001[bB]|033|e)\[[0-?]*[ -/]*[@-~]"
# Between two literals: blanks, line breaks (real, escaped or continued), at most one "+".
_SEP = r"(?:[ \t]|\r?\n|\\\r?\n|\\r\\n|\\n)"
_JOIN = rf"(?P<q>[\"'])(?:{_SEP}*\+{_SEP}*|{_SEP}+)(?P=q)"
_VIEW = re.compile(rf"(?P<drop>{_ANSI}|{_ESCAPED_ANSI}|{_JOIN})|(?P<nl>\\r\\n|\\n)")
_VIEW_DROPS = re.compile(rf"(?P<drop>{_ANSI}|{_ESCAPED_ANSI}|{_JOIN})(?P<nl>)")
MAX_VIEW = 2_000_000  # characters: longer texts (a huge output) are read as they are

_BASE64 = re.compile(r"(?<![A-Za-z0-9+/_\-=])[A-Za-z0-9+/_\-]{16,4096}={0,2}(?![A-Za-z0-9+/_\-=])")
MAX_DECODED_RUNS = 200  # per text: the cost stays bounded on a dump of identifiers


@dataclass(frozen=True)
class View:
    """A reading of ``source`` and the map from its offsets back to ``source``.

    Each segment is ``(view start, source start, source end, copied)``: a copied segment maps
    character for character, a replaced one (one view character) stands for its whole span.
    """

    text: str
    segments: tuple[tuple[int, int, int, bool], ...]

    def windows(self, reach: int = 300) -> list[tuple[int, int]]:
        """Spans of ``text`` around every place the reading changed (merged, cut at blanks):
        a secret that no change touches was already found in the text itself."""
        changes = [v for v, *_ in self.segments[1:] if v]
        changes += [v for v, _, _, copied in self.segments if not copied]
        spans: list[tuple[int, int]] = []
        for at in sorted(changes):
            lo, hi = max(0, at - reach), min(len(self.text), at + reach)
            lo = max(self.text.rfind(" ", max(0, lo - 100), lo), self.text.rfind("\n", 0, lo), 0)
            if spans and lo <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
            else:
                spans.append((lo, hi))
        return [(lo, _to_blank(self.text, hi)) for lo, hi in spans]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``source`` that ``text[start:end]`` was read from."""
        starts = [s[0] for s in self.segments]
        first = self.segments[bisect_right(starts, start) - 1]
        last = self.segments[bisect_right(starts, end - 1) - 1]
        src_start = first[1] + (start - first[0]) if first[3] else first[1]
        src_end = last[1] + (end - 1 - last[0]) + 1 if last[3] else last[2]
        return src_start, src_end


def _to_blank(text: str, at: int) -> int:
    """``at`` moved on to the next blank within 100 characters (a window cuts no token)."""
    found = [i for i in (text.find(" ", at, at + 100), text.find("\n", at, at + 100)) if i >= 0]
    return min(found) if found else min(len(text), at + 100)


def plain_view(text: str, lines: bool = True) -> View | None:
    """``text`` without colour codes, with adjacent literals joined and (``lines``) escaped
    newlines made real; None when nothing is dropped (or, with ``lines``, made real)."""
    if len(text) > MAX_VIEW:
        return None
    parts: list[str] = []
    segments: list[tuple[int, int, int, bool]] = []
    last = at = 0
    dropped = False
    for m in (_VIEW if lines else _VIEW_DROPS).finditer(text):
        dropped = dropped or not m.group("nl")
        if m.start() > last:
            parts.append(text[last : m.start()])
            segments.append((at, last, m.start(), True))
            at += m.start() - last
        if m.group("nl"):
            parts.append("\n")
            segments.append((at, m.start(), m.end(), False))
            at += 1
        last = m.end()
    if last == 0 or not (dropped or lines):
        return None
    parts.append(text[last:])
    segments.append((at, last, len(text), True))
    return View("".join(parts), tuple(segments))


def decoded_runs(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, decoded)`` for each base64 run in ``text`` that decodes to printable text.

    Runs of 16 to 4,096 characters whose length is a multiple of four (padded), at most
    :data:`MAX_DECODED_RUNS` of them; binary data (an image, a hash read as base64) does not
    decode to UTF-8 text and is passed over.
    """
    tried = 0
    for m in _BASE64.finditer(text):
        run = m.group()
        if len(run) % 4:
            continue
        tried += 1
        if tried > MAX_DECODED_RUNS:
            return
        urlsafe = "-" in run or "_" in run
        if urlsafe and ("+" in run or "/" in run):
            continue
        try:
            raw = base64.b64decode(run, altchars=b"-_" if urlsafe else None, validate=True)
            decoded = raw.decode("utf-8")
        except (binascii.Error, ValueError):
            continue
        if len(decoded) >= 8 and all(c.isprintable() or c in "\n\r\t" for c in decoded):
            yield m.start(), m.end(), decoded
