"""The order verdict: what a top-to-bottom run would and would not replay."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from conftest import write_notebook
from jupyterlab_xp.journal.order import notebook_code_cells, order_verdict


def _ex(seq: int, cell_id: str | None, source: str, status: str = "ok") -> dict[str, Any]:
    return {
        "seq": seq,
        "cell_id": cell_id,
        "source": source,
        "status": status,
        "sha256": hashlib.sha256(source.encode()).hexdigest(),
    }


def _notebook(tmp_path: Path) -> list[dict[str, Any]]:
    path = write_notebook(
        tmp_path / "nb.ipynb",
        [
            {"id": "a", "source": "x = 1"},
            {"id": "b", "source": "y = x + 1"},
            {"id": "c", "source": "z = y * 2"},
        ],
    )
    cells = notebook_code_cells(path)
    assert cells is not None
    return cells


def test_top_to_bottom_execution_is_linear(tmp_path: Path) -> None:
    # Given executions in notebook order
    runs = [_ex(1, "a", "x = 1"), _ex(2, "b", "y = x + 1"), _ex(3, "c", "z = y * 2")]
    # Then the verdict is linear
    verdict = order_verdict(runs, _notebook(tmp_path))
    assert verdict["linear"] is True
    assert verdict["reasons"] == ["a top-to-bottom run replays the recorded executions"]


def test_each_way_of_breaking_order_is_named(tmp_path: Path) -> None:
    # Given a run that re-runs, goes backwards, fails, edits and skips
    runs = [
        _ex(1, "a", "x = 1"),
        _ex(2, "c", "z = y * 2", status="error"),
        _ex(3, "c", "z = 5"),  # edited since: the notebook says z = y * 2
        _ex(4, "a", "x = 1"),  # back up: out of order and a re-run
        _ex(5, "gone", "w = 0"),  # deleted from the notebook since
    ]
    # When judged against the notebook
    verdict = order_verdict(runs, _notebook(tmp_path))
    # Then it is not linear, and each reason names its cells
    assert verdict["linear"] is False
    assert verdict["out_of_order"] == ["a"]
    assert verdict["re_run"] == ["a"]
    assert verdict["edited_after_run"] == ["c"]
    assert verdict["deleted"] == ["gone"]
    assert verdict["failed"] == ["c"]
    assert verdict["never_run"] == ["b"]
    assert len(verdict["reasons"]) == 5


def test_without_cell_ids_cells_match_by_source(tmp_path: Path) -> None:
    # Given executions from a frontend that sends no cell ids (papermill)
    runs = [_ex(1, None, "x = 1"), _ex(2, None, "y = x + 1"), _ex(3, None, "z = y * 2")]
    # Then they still match the notebook's cells
    assert order_verdict(runs, _notebook(tmp_path))["linear"] is True


def test_unknown_notebook_gives_no_verdict() -> None:
    verdict = order_verdict([_ex(1, "a", "x = 1")], None)
    assert verdict["linear"] is None and "unknown" in verdict["reasons"][0]


def test_no_recorded_cells_gives_no_verdict(tmp_path: Path) -> None:
    verdict = order_verdict([], _notebook(tmp_path))
    assert verdict["linear"] is None and "no cell executions" in verdict["reasons"][0]
