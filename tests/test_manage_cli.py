"""``jupyter xp rename | tag | note | archive | restore`` and ``jupyter xp runs --csv``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

import jupyterlab_xp as xp
from jupyterlab_xp.frontends.cli import main

# Every test here runs on the embedded SQLite store and on the team server (see conftest.py).
STORE_KINDS = ("sqlite", "team")


def _record(name: str, lr: str) -> str:
    with xp.start(name, experiment="cli-manage", seed=7, tags={"team": "vision"}) as run:
        xp.param(lr=lr)
        xp.log({"val/accuracy": 0.5})
    assert run.run_id is not None
    return run.run_id


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()  # what recording printed
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _shown(run_id: str, capsys: pytest.CaptureFixture[str]) -> Any:
    code, out, _ = _run(["show", run_id, "--json"], capsys)
    assert code == 0
    return json.loads(out)


def test_rename_tag_and_note_by_id_prefix(
    store: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a recorded run
    run_id = _record("first", "0.1")
    prefix = run_id[:8]
    # When it is renamed, tagged (one tag set, one deleted) and given a note from a file
    note = tmp_path / "note.md"
    note.write_text("## Why\n\nlabel smoothing *helped*", encoding="utf-8")
    assert _run(["rename", prefix, "smoothing"], capsys)[:2] == (
        0,
        f"renamed run {run_id} to 'smoothing'\n",
    )
    assert _run(["tag", prefix, "owner=ana", "--delete", "team"], capsys)[0] == 0
    assert _run(["note", prefix, "--file", str(note)], capsys)[0] == 0
    # Then the run shows all three
    detail = _shown(run_id, capsys)
    assert detail["name"] == "smoothing"
    assert detail["tags"]["owner"] == "ana" and "team" not in detail["tags"]
    assert detail["note"] == "## Why\n\nlabel smoothing *helped*"
    # When the note is replaced by text, then cleared
    assert _run(["note", prefix, "better"], capsys)[0] == 0
    assert _shown(run_id, capsys)["note"] == "better"
    assert _run(["note", prefix, "--clear"], capsys)[0] == 0
    # Then it has none
    assert _shown(run_id, capsys)["note"] is None


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["tag", "RUN", "xp.kind=script"], "read-only"),
        (["tag", "RUN", "mlflow.user=eve"], "read-only"),
        (["tag", "RUN", "novalue"], "KEY=VALUE"),
        (["tag", "RUN"], "--delete"),
        (["rename", "RUN", " "], "run name must be"),
        (["note", "RUN", "  "], "--clear removes"),
        (["note", "RUN", "--file", "/nonexistent/note.md"], "cannot read the note"),
        (["rename", "0" * 32, "x"], "no run"),
        (["archive", "../etc"], "not a run id"),
    ],
)
def test_bad_edits_exit_2_with_one_line(
    store: Any, capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    # Given a recorded run
    run_id = _record("kept", "0.1")
    before = _shown(run_id, capsys)
    # When an edit is malformed, forbidden or names no run
    code, _, err = _run([run_id if a == "RUN" else a for a in argv], capsys)
    # Then it exits 2 with one line that says why, and the run is as it was
    assert code == 2
    assert err.count("\n") == 1 and fragment in err
    assert _shown(run_id, capsys) == before


def test_archive_and_restore(store: Any, capsys: pytest.CaptureFixture[str]) -> None:
    # Given two recorded runs
    first = _record("first", "0.1")
    second = _record("second", "0.2")
    # When the first is archived by a prefix of its id
    code, out, _ = _run(["archive", first[:8]], capsys)
    assert (code, out) == (0, f"archived run {first} (first)\n")
    # Then the run list leaves it out, lists it as archived, and editing it says to restore it
    assert [r["run_id"] for r in json.loads(_run(["runs", "--json"], capsys)[1])] == [second]
    archived = _run(["runs", "--lifecycle", "archived"], capsys)[1]
    assert first in archived and "FINISHED (archived)" in archived and second not in archived
    code, _, err = _run(["rename", first[:8], "x"], capsys)
    assert code == 2 and "restore it" in err
    # When it is restored by its prefix (archived runs are found by prefix too)
    assert _run(["restore", first[:8]], capsys)[:2] == (0, f"restored run {first} (first)\n")
    # Then it is listed again
    listed = json.loads(_run(["runs", "--json"], capsys)[1])
    assert [r["run_id"] for r in listed] == [second, first]


def test_runs_csv_exports_every_run_with_param_and_metric_columns(
    store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given three runs, one of them archived and one with a param that starts like a formula
    first = _record("first", "0.1")
    second = _record("second", "=1+1")
    third = _record("third", "0.3")
    assert _run(["archive", third], capsys)[0] == 0
    # When the runs are exported as CSV (more than the table's 20-run default page would hold
    # is not needed: the export is not paged)
    code, out, _ = _run(["runs", "--csv"], capsys)
    everything = _run(["runs", "--csv", "--lifecycle", "all", "--limit", "2"], capsys)[1]
    # Then the active runs are rows, newest first, with param and metric columns, formulas quoted
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["run_id"] for r in rows] == [second, first]
    assert rows[0]["params.lr"] == "'=1+1" and rows[1]["params.lr"] == "0.1"
    assert rows[0]["metrics.val/accuracy"] == "0.5" and rows[0]["seed"] == "7"
    assert [r["run_id"] for r in csv.DictReader(io.StringIO(everything))] == [third, second]
