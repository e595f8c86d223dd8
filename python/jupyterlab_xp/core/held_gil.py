"""Small writes and reads that keep the GIL: the recorder's system calls on the cell path.

``os.write`` and ``os.pread`` release the GIL around their system call. In a kernel that is a
cost out of all proportion to the call: a cell stores its input in IPython's history, which
wakes IPython's history writer thread, and the next release of the GIL lets that thread in at
once. Its SQLite commit (a flush to disk) then holds the lock that the *next* cell needs to
store its input. Measured in process (``benchmarks/bench_cells.py inproc``): IPython's
``run_cell`` took 0.39 ms with the recorder's journal written by ``os.write`` against 0.12 ms
without the recorder, and 0.20 ms with these calls, most of the difference being that lock.
With the GIL kept, the history writer runs where it would without the recorder: when the
kernel goes back to waiting for its next message.

The calls go through ``ctypes.PyDLL``, whose foreign calls keep the GIL. They are for a few
hundred bytes to a local file or ``/proc``, which the kernel's page cache takes in
microseconds; larger writes, and platforms without a C library to call (Windows), use the
``os`` functions.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

# Larger than any journal line of an ordinary cell; a cell with a huge source goes through
# os.write, which lets other threads run while the kernel copies it.
MAX_HELD_BYTES = 64 * 1024


def _libc() -> Any:
    """The C library, for calls that keep the GIL; None where there is none to call."""
    if os.name != "posix":
        return None
    try:
        libc = ctypes.PyDLL(None, use_errno=True)
        libc.write.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t)
        libc.write.restype = ctypes.c_ssize_t
        libc.pread.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_long)
        libc.pread.restype = ctypes.c_ssize_t
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _libc()


def _error(call: str) -> OSError:
    code = ctypes.get_errno()
    return OSError(code, f"{call}: {os.strerror(code)}")


def write(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd`` (a short write goes on), keeping the GIL when small."""
    if _LIBC is None or len(data) > MAX_HELD_BYTES:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        return
    while data:
        written = _LIBC.write(fd, data, len(data))
        if written < 0:
            raise _error("write")
        data = data[written:]


def pread(fd: int, size: int, offset: int) -> bytes:
    """Read up to ``size`` bytes of ``fd`` at ``offset``, keeping the GIL when small."""
    if _LIBC is None or size > MAX_HELD_BYTES:
        return os.pread(fd, size, offset)
    buffer = ctypes.create_string_buffer(size)
    got = _LIBC.pread(fd, buffer, size, offset)
    if got < 0:
        raise _error("pread")
    return buffer.raw[:got]
