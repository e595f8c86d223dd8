"""The sync process's first seconds (kernel/sync_settle.py): it starts once the kernel is between
cells and quiet, at once when the run ended or a cell waits for the run, else after its bound.

The journals are written by the recorder's own CellJournal, so the bytes the settle step looks
for are the ones the kernel really writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyterlab_xp.journal.jsonl import CellJournal
from jupyterlab_xp.journal.rundir import JOURNAL_FILE
from jupyterlab_xp.kernel import sync_process, sync_settle
from jupyterlab_xp.kernel.sync_settle import WANTED_FILE, settle


def _journal(run_dir: Path, *records: tuple[str, dict[str, Any]]) -> None:
    journal = CellJournal(run_dir / JOURNAL_FILE, flush_here=False)
    for kind, fields in records:
        journal.append(kind, **fields)
    journal.close()


def test_the_journal_name_is_the_recorders() -> None:
    assert sync_settle._JOURNAL == JOURNAL_FILE


def test_a_run_that_ended_starts_the_process_at_once(tmp_path: Path) -> None:
    _journal(
        tmp_path,
        ("run_start", {"name": "r"}),
        ("cell_start", {"cell": 1, "source": "x = 1"}),
        ("run_end", {"status": "FINISHED"}),
    )
    # A cell is still open in the journal, and the bound is far: only the run's end decides.
    assert settle(str(tmp_path), max_seconds=60.0) == "ended"


def test_a_cell_waiting_for_the_run_starts_the_process_at_once(tmp_path: Path) -> None:
    _journal(tmp_path, ("run_start", {}), ("cell_start", {"cell": 1, "source": "mlflow"}))
    (tmp_path / WANTED_FILE).touch()
    assert settle(str(tmp_path), max_seconds=60.0) == "wanted"


def test_a_running_cell_holds_the_start_until_the_bound(tmp_path: Path) -> None:
    # The cell's own source names a cell's end: escaped inside its value, it is not one.
    source = 'print(\'"type":"cell_end"\')'
    _journal(tmp_path, ("run_start", {}), ("cell_start", {"cell": 1, "source": source}))
    assert settle(str(tmp_path), max_seconds=sync_settle.LONG_CELL_SECONDS / 2) == "timeout"


def test_a_long_cell_starts_the_process_so_that_the_sampler_sees_it(tmp_path: Path) -> None:
    # A cell still open after LONG_CELL_SECONDS is a computation, not a burst of short cells
    _journal(tmp_path, ("run_start", {}), ("cell_start", {"cell": 1, "source": "train()"}))
    assert settle(str(tmp_path), max_seconds=60.0) == "long-cell"


def test_a_kernel_between_cells_and_quiet_lets_it_start(tmp_path: Path) -> None:
    _journal(
        tmp_path,
        ("run_start", {}),
        ("cell_start", {"cell": 1, "source": "x = 1"}),
        ("cell_end", {"cell": 1, "status": "ok"}),
    )
    assert settle(str(tmp_path), max_seconds=60.0) == "quiet"


def test_no_journal_yet_is_quiet(tmp_path: Path) -> None:
    assert settle(str(tmp_path), max_seconds=60.0) == "quiet"


def test_the_kernel_asks_for_the_run_when_a_cell_waits_for_it(tmp_path: Path) -> None:
    """SyncChannel.wait (a cell calling MLflow, RunHandle.run_id) leaves the file settle reads."""
    from jupyterlab_xp.kernel.sync_client import SyncChannel

    class _Sync:
        dir = tmp_path
        ended = True

        def reload(self) -> None:
            pass

    channel = SyncChannel(None, _Sync())  # type: ignore[arg-type]
    assert channel.wait(lambda: True, 1.0, 1.0)
    assert (tmp_path / WANTED_FILE).exists()


def test_the_sync_process_runs_the_settle_step_by_path_before_importing_the_package() -> None:
    assert sync_process._SETTLE.is_file()
    entry = sync_process._ENTRY
    assert entry.index("runpy.run_path") < entry.index("from jupyterlab_xp")
    # Standard library only: nothing of the package is imported by the settle step itself.
    text = sync_process._SETTLE.read_text()
    assert "jupyterlab_xp" not in text.split('"""', 2)[2]
