"""The sync process's first seconds: wait for the kernel to be between cells, then start.

Starting costs the sync process about 3 s of CPU (importing MLflow and its SQL store, then the
package), which, even niced, takes a share of the CPU the kernel's first cells after
``%xp start`` run on (issue 22: those cells ran up to 10 % slower). So the process first waits,
for at most :data:`MAX_SECONDS`, until the kernel is between cells and has been quiet for
:data:`QUIET_SECONDS` (a notebook's "run all" goes on, a person reading goes quiet), and starts at
once when the run already ended or the kernel asks for the run (a cell that calls MLflow itself
waits for it: :data:`WANTED_FILE`). Meanwhile it keeps the journal's durable flush, so a crash
of the machine loses no more than it would later.

Standard library only: the sync process runs this by path (``runpy``) before it imports the
package, whose own import is part of what is deferred.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

MAX_SECONDS = 3.0
QUIET_SECONDS = 0.3
# A cell open this long is a long computation, not one of a burst of short cells: waiting on
# would leave it without the sampler's readings (its verdict), so the process starts.
LONG_CELL_SECONDS = 0.5
POLL_SECONDS = 0.05
WANTED_FILE = "run-wanted"  # the kernel waits for the run's id: start now
_JOURNAL = "journal.jsonl"  # journal/rundir.JOURNAL_FILE (imported there, checked by a test)
_FLUSH = getattr(os, "fdatasync", os.fsync)


def settle(run_dir: str, max_seconds: float = MAX_SECONDS) -> str:
    """Return once the sync process should start, and why (``quiet``, ``ended``, ``wanted``,
    ``long-cell``, ``timeout``; for its log and the tests)."""
    journal = Path(run_dir) / _JOURNAL
    wanted = Path(run_dir) / WANTED_FILE
    start = time.monotonic()
    deadline = start + max_seconds
    fd: int | None = None
    offset = 0
    open_cells = 0
    opened = start  # when the cell now open started (as far as the polls can tell)
    changed = start
    rest = b""
    try:
        while True:
            now = time.monotonic()
            if wanted.exists():
                return "wanted"
            if fd is None:
                try:
                    fd = os.open(journal, os.O_RDONLY | os.O_CLOEXEC)
                except OSError:
                    fd = None
            if fd is not None:
                size = os.fstat(fd).st_size
                if size > offset:
                    data = rest + os.pread(fd, size - offset, offset)
                    offset = size
                    whole, _, rest = data.rpartition(b"\n")
                    # Compact JSON with "type" as its third key; a quote inside a value is
                    # escaped, so these bytes only ever come from a record's own type.
                    was_open = open_cells > 0
                    open_cells += whole.count(b'"type":"cell_start"')
                    ended = whole.count(b'"type":"cell_end"')
                    open_cells -= ended
                    if ended or not was_open:
                        opened = now  # a cell that is open now started since the last look
                    if b'"type":"run_end"' in whole:
                        return "ended"
                    with contextlib.suppress(OSError):
                        _FLUSH(fd)  # the journal's group commit, until the process takes over
                    changed = now
            if open_cells <= 0 and now - changed >= QUIET_SECONDS:
                return "quiet"
            if open_cells > 0 and now - opened >= LONG_CELL_SECONDS:
                return "long-cell"
            if now >= deadline:
                return "timeout"
            time.sleep(POLL_SECONDS)
    finally:
        if fd is not None:
            os.close(fd)
