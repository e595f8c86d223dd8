"""The journal: append-only, checksummed, private, and readable up to any cut."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

from jupyterlab_xp.core.files import write_atomic
from jupyterlab_xp.journal.jsonl import CellJournal, read_journal


def _journal_with_records(path: Path, n: int) -> list[dict]:
    journal = CellJournal(path)
    written = [
        journal.append("cell_start", durable=i % 2 == 0, cell=i, source=f"x = {i}  # é ✓\n")
        for i in range(1, n + 1)
    ]
    journal.close()
    return written


def test_records_read_back_in_order_with_sequence_numbers(tmp_path: Path) -> None:
    # Given a journal with five records
    path = tmp_path / "journal.jsonl"
    written = _journal_with_records(path, 5)
    # When it is read back
    read = list(read_journal(path))
    # Then every record comes back, numbered 1..5, with its checksum verified and removed
    assert [r["seq"] for r in read] == [1, 2, 3, 4, 5]
    assert [r["source"] for r in read] == [w["source"] for w in written]
    assert all("sum" not in r for r in read)


def test_a_forked_child_writes_nothing_to_its_parents_journal(tmp_path: Path) -> None:
    # Given a journal with two records, and a fork of its process (a DataLoader's worker)
    journal = CellJournal(tmp_path / "journal.jsonl")
    journal.append("cell_start", cell=1)
    journal.append("seed_call", fn="torch.manual_seed")
    pid = os.fork()
    if pid == 0:  # the child: torch seeds its worker through the wrapped seed functions
        try:
            journal.append("seed_call", fn="random.seed")
            journal.append("seed_call", fn="numpy.random.seed")
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    # When the parent goes on
    journal.append("cell_end", cell=1)
    journal.close()
    # Then the journal holds the parent's records only, numbered without a repeat or a gap
    records = list(read_journal(tmp_path / "journal.jsonl"))
    assert [(r["seq"], r["type"]) for r in records] == [
        (1, "cell_start"),
        (2, "seed_call"),
        (3, "cell_end"),
    ]


# README: "mode 0600"
def test_journal_file_is_private(tmp_path: Path) -> None:
    # Given a new journal
    path = tmp_path / "journal.jsonl"
    _journal_with_records(path, 1)
    # Then only its owner may read or write it
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# README: "A journal cut at any byte reads back as its valid prefix"
def test_a_journal_cut_at_any_byte_reads_as_its_valid_prefix(tmp_path: Path) -> None:
    # Given a complete journal and the byte offset where each record ends
    path = tmp_path / "journal.jsonl"
    _journal_with_records(path, 4)
    data = path.read_bytes()
    ends = [i + 1 for i, b in enumerate(data) if b == ord("\n")]
    cut = tmp_path / "cut.jsonl"
    for offset in range(len(data) + 1):
        # When the file is cut at this offset (a crash mid-write)
        cut.write_bytes(data[:offset])
        # Then exactly the records that ended before the cut are read
        whole = sum(1 for end in ends if end <= offset)
        assert [r["seq"] for r in read_journal(cut)] == list(range(1, whole + 1)), offset


def test_a_corrupted_record_ends_the_valid_prefix(tmp_path: Path) -> None:
    # Given a journal whose second record had one byte changed
    path = tmp_path / "journal.jsonl"
    _journal_with_records(path, 3)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1].replace(b"x = 2", b"x = 9")
    path.write_bytes(b"".join(lines))
    # When it is read
    # Then only the first record is trusted
    assert [r["seq"] for r in read_journal(path)] == [1]


def test_reopening_after_a_torn_write_continues_the_sequence(tmp_path: Path) -> None:
    # Given a journal whose last record was torn by a crash
    path = tmp_path / "journal.jsonl"
    _journal_with_records(path, 3)
    data = path.read_bytes()
    path.write_bytes(data[:-7])
    # When the journal is reopened and appended to
    journal = CellJournal(path)
    journal.append("note", text="after the crash")
    journal.close()
    # Then the torn record is gone and numbering continues without a gap
    records = list(read_journal(path))
    assert [r["seq"] for r in records] == [1, 2, 3]
    assert records[-1]["type"] == "note"


def test_records_are_json_lines(tmp_path: Path) -> None:
    # Given a journal
    path = tmp_path / "journal.jsonl"
    _journal_with_records(path, 2)
    # Then every line is a JSON object any tool can read
    for line in path.read_text().splitlines():
        assert isinstance(json.loads(line), dict)


def test_write_atomic_replaces_whole_file_privately(tmp_path: Path) -> None:
    # Given an existing file
    target = tmp_path / "state.json"
    target.write_text("old")
    # When it is replaced atomically
    write_atomic(target, "new")
    # Then it holds the new content, mode 0600, and no temporary file is left behind
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


# README: "a group commit that costs the cell nothing"
def test_the_durable_flush_is_the_platforms_own(tmp_path: Path, monkeypatch) -> None:
    import os
    from types import SimpleNamespace

    from jupyterlab_xp.core import files

    calls: list[tuple[str, int]] = []
    # Given macOS: fcntl offers F_FULLFSYNC (fsync alone stops at the drive's cache)
    mac_fcntl = SimpleNamespace(F_FULLFSYNC=51, fcntl=lambda fd, op: calls.append(("fcntl", op)))
    files._durable_flush_for(os, mac_fcntl)(3)
    # And a system without fdatasync nor F_FULLFSYNC
    plain_os = SimpleNamespace(fsync=lambda fd: calls.append(("fsync", fd)))
    fallback = files._durable_flush_for(plain_os, SimpleNamespace())
    fallback(4)
    # Then each uses its platform's call, and Linux keeps fdatasync
    assert calls == [("fcntl", 51), ("fsync", 4)]
    assert files._durable_flush_for(os, SimpleNamespace()) is os.fdatasync

    # When the journal runs on the fallback, durable records still land on disk: flushed in
    # the background (group commit) for a durable record, and once more at close
    monkeypatch.setattr(files, "_flush", lambda fd: (calls.append(("flush", fd)), os.fsync(fd)))
    journal = CellJournal(tmp_path / "journal.jsonl")
    journal.append("metric", metrics={"a": 1.0})  # not durable: no flush asked
    journal.append("cell_start", durable=True, source="x = 1")
    deadline = time.monotonic() + 30
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [c[0] for c in calls[2:]] == ["flush"]
    journal.close()
    assert [r["type"] for r in read_journal(tmp_path / "journal.jsonl")] == ["metric", "cell_start"]
    assert [c[0] for c in calls[2:]] == ["flush", "flush"]


def test_looking_whether_a_live_owner_is_gone_leaves_no_descriptor_open(tmp_path: Path) -> None:
    from jupyterlab_xp.journal.rundir import hold_lock, lock_path, owner_gone, release_lock

    def open_on_the_lock() -> int:  # this process's descriptors on the run's lock file
        fds = Path("/proc/self/fd")
        lock = str(lock_path(tmp_path))
        return sum(1 for fd in fds.iterdir() if _link(fd) == lock) if fds.is_dir() else 0

    # Given a run whose owner (a kernel) holds its lock
    held = hold_lock(tmp_path)
    try:
        # When its sync process looks whether the owner is gone, as it does four times a second
        looks = [owner_gone(tmp_path) for _ in range(200)]
        # Then the owner is alive every time, and no look kept a descriptor on the lock file
        # (a soft limit of 1,024 would have ended the sync process's file opens in minutes)
        assert not any(looks)
        assert open_on_the_lock() in (0, 1)  # the owner's own (where /proc lists them)
    finally:
        release_lock(held)
    # And once the owner lets go, the look says so
    assert owner_gone(tmp_path)


def _link(fd: Path) -> str | None:
    try:
        return os.readlink(fd)
    except OSError:  # closed meanwhile (another thread's)
        return None
