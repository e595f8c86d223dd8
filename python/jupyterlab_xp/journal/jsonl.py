"""The cell journal: an append-only JSON-lines file, written before anything else.

Each line is one record ``{"seq": n, "t": unix-time, "type": ..., ..., "sum": checksum}``.
``seq`` counts up from 1 without gaps and ``sum`` is a truncated sha256 of the line's bytes up to
the checksum, so a reader can tell a complete record from a torn or corrupted one and keep the
valid prefix: whatever was on disk when a kernel died is readable, up to the last whole record.

Every record is written with one ``write`` system call before ``append`` returns: a dying
*process* (a killed, crashed or OOM-killed kernel) loses nothing that ``write`` returned from,
so "cell started" is safe before the cell runs. The call keeps the GIL
(:mod:`jupyterlab_xp.core.held_gil`: releasing it on the cell path lets IPython's history writer
in at the wrong moment). Records marked ``durable`` are also flushed to the disk for a crash
of the *machine*, by group commit: a background thread runs the platform's durable flush
(:func:`~jupyterlab_xp.core.files.durable_flush`) as soon as one is asked for, and one flush
covers every record written meanwhile. The cell does not wait for the disk; a machine crash
loses at most the records of the flush in flight (well under a millisecond of them here).
A recording kernel opens its journal with ``flush_here=False``: its sync process, which reads
every record anyway, runs that group commit instead (within ~50 ms of the write), so the
kernel runs no flusher thread of its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jupyterlab_xp.core import held_gil
from jupyterlab_xp.core.files import durable_flush

_SUM_KEY = b',"sum":"'
_SUM_LEN = 16


def _checksum(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:_SUM_LEN]


def encode_record(record: dict[str, Any]) -> bytes:
    """Serialise one record (which already holds ``seq``) to a checksummed line."""
    body = json.dumps(record, separators=(",", ":"), ensure_ascii=False, default=str).encode()
    # body ends with "}"; the checksum covers everything before the closing brace.
    head = body[:-1]
    return head + _SUM_KEY + _checksum(head).encode() + b'"}\n'


def decode_line(line: bytes) -> dict[str, Any] | None:
    """Return the record in ``line`` when it is whole and its checksum matches, else None."""
    if not line.endswith(b'"}\n'):
        return None
    cut = line.rfind(_SUM_KEY)
    if cut < 0:
        return None
    head, digest = line[:cut], line[cut + len(_SUM_KEY) : -3]
    if _checksum(head).encode() != digest:
        return None
    try:
        record = json.loads(head + b"}")
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


class CellJournal:
    """Appends records to one run's journal file (mode 0600, append-only).

    Thread-safe: the kernel's main thread writes cell records while other threads may add
    metrics or notes.
    """

    def __init__(self, path: Path, flush_here: bool = True) -> None:
        self.path = path
        self._flush_here = flush_here
        self._seq, valid = 0, 0
        for record, end in _scan(path):
            self._seq, valid = record["seq"], end
        if path.exists() and path.stat().st_size != valid:
            # Cut a torn tail (a crash mid-write) so new records follow the valid prefix.
            os.truncate(path, valid)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
        self._fd = os.open(path, flags, 0o600)
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._flush_wanted = threading.Event()
        self._flusher: threading.Thread | None = None
        self._closing = False

    @property
    def seq(self) -> int:
        """Sequence number of the last record written."""
        return self._seq

    def append(self, kind: str, /, durable: bool = False, **fields: Any) -> dict[str, Any]:
        """Append one record and return it (with its ``seq`` and time).

        Args:
            kind: the record type (``cell_start``, ``metric``, ...).
            durable: also flush it to the disk (group commit, in the background), so that it
                survives a crash of the machine, not only of the process (left to the reader
                when the journal was opened with ``flush_here=False``).
            **fields: the record's content; must be JSON-serialisable (others become ``str``).

        In a forked child of the process that opened the journal nothing is written (the
        record is returned unwritten): the child's copy of ``seq`` would repeat the parent's
        numbers, and a reader stops at the first record out of sequence.
        """
        if os.getpid() != self._pid:
            return {"seq": self._seq, "t": time.time(), "type": kind, **fields}
        with self._lock:
            record: dict[str, Any] = {"seq": self._seq + 1, "t": time.time(), "type": kind}
            record.update(fields)
            line = encode_record(record)
            held_gil.write(self._fd, line)
            self._seq += 1
            if durable and self._flush_here:
                self._request_flush()
        return record

    def _request_flush(self) -> None:
        """Ask the flusher thread for a durable flush (called with ``_lock`` held)."""
        if self._flusher is None:
            # The flusher owns a duplicate of the descriptor, so close() can never leave it
            # flushing a number the process has meanwhile reused for another file.
            own_fd = os.dup(self._fd)
            self._flusher = threading.Thread(
                target=self._flush_loop, args=(own_fd,), name="xp-journal-flush", daemon=True
            )
            self._flusher.start()
        self._flush_wanted.set()

    def _flush_loop(self, fd: int) -> None:
        try:
            while True:
                self._flush_wanted.wait()
                self._flush_wanted.clear()
                if self._closing:
                    return
                try:
                    durable_flush(fd)
                except OSError:  # a failing disk shows up on the next write, in the cell path
                    return
        finally:
            os.close(fd)

    def close(self) -> None:
        """Flush to disk and close the file (idempotent)."""
        with self._lock:
            if self._fd >= 0:
                durable_flush(self._fd)
                os.close(self._fd)
                self._fd = -1
                self._closing = True
                self._flush_wanted.set()  # the flusher closes its own descriptor and ends


def _scan(path: Path) -> Iterator[tuple[dict[str, Any], int]]:
    """Yield ``(record, byte offset after it)`` for the valid prefix of a journal."""
    if not path.exists():
        return
    with open(path, "rb") as handle:
        expected, offset = 1, 0
        for line in handle:
            record = decode_line(line)
            if record is None or record.get("seq") != expected:
                return
            offset += len(line)
            record.pop("sum", None)
            yield record, offset
            expected += 1


def read_journal(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the valid prefix of a journal: whole records with matching checksums and seq 1..n.

    Stops at the first torn, corrupted or out-of-sequence line; a missing file yields nothing.
    """
    for record, _ in _scan(path):
        yield record
