"""The strings inside a pickle, read from its opcodes: nothing is ever unpickled here.

A checkpoint's ``extra.pkl`` (``extra={'args': argparse.Namespace(hub_token=...)}``) and the
``data.pkl`` inside a torch ``.pt`` zip can carry a token. :func:`pickle_strings` walks the
opcodes with :func:`pickletools.genops` and keeps every string and bytes constant, each with
the string before it (a dict key or attribute name is pickled just before its value), so that
the secret scanner judges ``hub_token``'s value as it would judge ``hub_token = ...``.
"""

from __future__ import annotations

import io
import pickletools
import zipfile
from collections.abc import Iterator
from pathlib import Path

MAX_SCANNED = 256 * 1024 * 1024  # bytes of pickle read per file; a larger one is not scanned
MAX_CONSTANT = 1024 * 1024  # a bytes constant longer than this is data (an array), not text


class Unreadable(ValueError):
    """The file is a pickle (or holds pickles) that cannot be read to its end."""


def pickle_strings(data: bytes) -> list[tuple[str | None, str]]:
    """``(the string before it, string)`` for every string constant in the pickles of ``data``.

    ``data`` may hold several pickles one after another (torch's legacy format: after them
    come raw tensor bytes, where reading stops once at least one pickle was read whole).

    Raises:
        Unreadable: not even one pickle could be read whole.
    """
    if len(data) > MAX_SCANNED:
        raise Unreadable(f"larger than {MAX_SCANNED} bytes")
    found: list[tuple[str | None, str]] = []
    stream = io.BytesIO(data)
    complete = 0
    while stream.tell() < len(data):
        try:
            found += _strings(pickletools.genops(stream))
        except Exception as exc:  # genops raises ValueError, EOFError, KeyError...
            if complete:
                break
            raise Unreadable(f"{type(exc).__name__}: {exc}") from None
        complete += 1
    return found


Found = list[tuple[str | None, str]]


def _strings(ops: Iterator[tuple[pickletools.OpcodeInfo, object, int | None]]) -> Found:
    found: Found = []
    before: str | None = None
    for _op, arg, _pos in ops:
        text: str | None = None
        if isinstance(arg, str):
            text = arg
        elif isinstance(arg, bytes | bytearray) and len(arg) <= MAX_CONSTANT:
            text = bytes(arg).decode("utf-8", errors="replace")
        if text is not None:
            found.append((before, text))
            before = text
    return found


def file_strings(path: Path) -> list[tuple[str | None, str]] | None:
    """The strings of a checkpoint file's pickles; None when the file holds no pickle.

    A torch ``.pt`` is a zip whose ``*.pkl`` members are pickles (the tensors' bytes beside
    them are numbers); a ``.pkl``, or a file that starts like a pickle, is one itself.

    Raises:
        Unreadable: a pickle that cannot be read whole, or a broken zip.
    """
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.infolist() if m.filename.endswith(".pkl")]
                if sum(m.file_size for m in members) > MAX_SCANNED:
                    raise Unreadable(f"pickles larger than {MAX_SCANNED} bytes")
                return [s for m in members for s in pickle_strings(archive.read(m))]
        except (zipfile.BadZipFile, OSError) as exc:
            raise Unreadable(str(exc)) from None
    with path.open("rb") as handle:
        head = handle.read(2)
    if path.suffix in (".pkl", ".pickle", ".pt", ".pth") or head[:1] == b"\x80":
        return pickle_strings(path.read_bytes())
    return None
