"""The recorder's cell-path system calls that keep the GIL (core/held_gil.py)."""

from __future__ import annotations

import errno
import os
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_xp.core import held_gil


@pytest.fixture(params=["held", "os"])
def calls(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs with the C library's calls and with the ``os`` fallback (Windows)."""
    if request.param == "os":
        monkeypatch.setattr(held_gil, "_LIBC", None)
    return str(request.param)


def _append_fd(path: Path) -> int:
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)


def test_writes_append_every_byte_and_reads_come_back_at_their_offset(
    tmp_path: Path, calls: str
) -> None:
    # Given a file opened for appending, as the journal is
    path = tmp_path / "journal.jsonl"
    fd = _append_fd(path)
    try:
        # When a small line, then one larger than the held limit, are written
        big = b"x" * (held_gil.MAX_HELD_BYTES + 10) + b"\n"
        held_gil.write(fd, b'{"seq":1}\n')
        held_gil.write(fd, big)
    finally:
        os.close(fd)
    # Then the file holds both, whole and in order
    assert path.read_bytes() == b'{"seq":1}\n' + big
    # And reads at an offset return what is there, short at the end of the file
    fd = os.open(path, os.O_RDONLY)
    try:
        assert held_gil.pread(fd, 5, 2) == b'seq":'
        assert held_gil.pread(fd, 64, len(big) + 5) == big[-5:]
        assert held_gil.pread(fd, 8, 10**9) == b""
    finally:
        os.close(fd)


def test_a_short_write_goes_on_until_every_byte_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a C library whose write takes at most 3 bytes a call (a disk that takes less)
    class ShortLibc:
        def write(self, fd: int, data: bytes, size: int) -> int:
            return os.write(fd, data[: min(3, size)])

    monkeypatch.setattr(held_gil, "_LIBC", ShortLibc())
    path = tmp_path / "short"
    fd = _append_fd(path)
    try:
        # When a line is written
        held_gil.write(fd, b"0123456789\n")
    finally:
        os.close(fd)
    # Then all of it is in the file
    assert path.read_bytes() == b"0123456789\n"


def test_a_failing_call_raises_oserror_with_its_errno(tmp_path: Path, calls: str) -> None:
    # Given a descriptor that is closed
    fd = _append_fd(tmp_path / "closed")
    os.close(fd)
    # When it is written or read, then the error is the system's own, as os.write's is
    with pytest.raises(OSError) as written:
        held_gil.write(fd, b"line\n")
    assert written.value.errno == errno.EBADF
    with pytest.raises(OSError) as read:
        held_gil.pread(fd, 16, 0)
    assert read.value.errno == errno.EBADF


@pytest.mark.skipif(os.name != "posix", reason="the C library's calls are for POSIX systems")
def test_a_small_write_lets_no_other_thread_in(tmp_path: Path) -> None:
    # Given the C library's calls (the path every POSIX kernel takes)
    assert held_gil._LIBC is not None
    # And a thread that is ready to run as soon as it gets the GIL, with no forced switch
    # (a switch interval far longer than the test)
    ready, woke = threading.Event(), []

    def waiter() -> None:
        ready.wait()
        woke.append(True)

    thread = threading.Thread(target=waiter)
    thread.start()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(30.0)
    fd = os.open(tmp_path / "journal.jsonl", os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        ready.set()
        # When the journal's lines and /proc-sized reads are made
        for i in range(2000):
            held_gil.write(fd, b'{"seq":%d}\n' % i)
            held_gil.pread(fd, 96, 0)
        during: list[Any] = list(woke)
    finally:
        sys.setswitchinterval(interval)
        os.close(fd)
        thread.join(10)
    # Then the other thread did not run meanwhile (it ran once the GIL was let go)
    assert during == [] and woke == [True]
