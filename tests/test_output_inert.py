"""Output that leaves the product is inert: CSV cells, what the CLI prints, the store's files."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import write_notebook
from jupyterlab_xp.core import tags
from jupyterlab_xp.frontends.terminal import inert
from jupyterlab_xp.views.export import runs_csv

FORMULA = re.compile(r"^[=+\-@]")
# A run name as a hostile teammate would write it: a CR, then a formula (issue 17).
HOSTILE_CELL = "baseline\r=cmd|' /C calc'!A0"


def _run_row(name: str, params: dict[str, str]) -> dict[str, Any]:
    return {
        "run_id": "a" * 32,
        "name": name,
        "experiment": "Default",
        "status": "FINISHED",
        "start_time": 0,
        "duration": 1.0,
        "seed": "1",
        "params": params,
        "metrics": {"val/acc": 0.5},
    }


# README: "every cell is quoted"
def test_a_cr_inside_a_value_neither_starts_a_row_nor_a_formula() -> None:
    # Given a run whose name and param hold a CR or LF followed by a formula
    runs = [_run_row(HOSTILE_CELL, {"lr": "0.1\n@SUM(A1)", "note": "-2+3"})]
    # When it is exported as CSV
    out = runs_csv(runs)
    # Then a CSV reader reads one header and one row, with every value kept after a quote
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["name"] == "baseline\r'=cmd|' /C calc'!A0"
    assert row["params.lr"] == "0.1\n'@SUM(A1)" and row["params.note"] == "'-2+3"
    assert row["metrics.val/acc"] == "0.5"
    # ...and a reader that splits rows at every CR or LF, quotes or not, finds no cell and no
    # line that starts like a formula
    for line in re.split(r"\r\n|\r|\n", out):
        assert not FORMULA.match(line), line
        for cell in line.split(","):
            assert not FORMULA.match(cell.strip('"')), cell
    # ...and every cell is quoted
    assert all(line.startswith('"') and line.endswith('"') for line in out.splitlines()[:1])


def test_control_characters_are_written_out_and_newline_and_tab_kept() -> None:
    # Given text with ESC (CSI and OSC), BEL, CR, a C1 CSI, DEL and a bidi override
    text = "a\x1b[2J\x1b]0;title\x07b\rc\x9b31m\x7f\u202ed\ne\tf"
    # When it is made inert
    clean = inert(text)
    # Then no control character is left but newline and tab, each shown as an escape
    assert clean == "a\\x1b[2J\\x1b]0;title\\x07b\\x0dc\\x9b31m\\x7f\\u202ed\ne\tf"
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", clean)


def _cli(*argv: str, home: Path) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env |= {"XP_HOME": str(home), "MLFLOW_DISABLE_TELEMETRY": "true"}
    return subprocess.run(
        [sys.executable, "-m", "jupyterlab_xp", *argv], capture_output=True, env=env, timeout=120
    )


# README: "printed escaped"
def test_the_cli_prints_no_raw_escape_from_the_store(store: Any, xp_home: Path) -> None:
    # Given a run written straight into the store (as a teammate could) whose name, param and
    # notebook path carry ESC/OSC sequences: clear screen, window title, a hyperlink, a bell
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=store.location.tracking_uri)
    hostile = "ok\x1b[2J\x1b]0;pwned\x07\x1b]8;;https://evil.example/\x1b\\here\x1b]8;;\x1b\\"
    run = client.create_run(
        client.create_experiment("hostile"),
        run_name=hostile,
        tags={tags.KIND: tags.KIND_NOTEBOOK, tags.NOTEBOOK_PATH: f"/tmp/{hostile}.ipynb"},
    )
    client.log_param(run.info.run_id, "lr", "0.1\x1b[31m\r\x9b2K")
    client.set_terminated(run.info.run_id)
    # When the run list and the run are printed by `jupyter xp` (a subprocess, as in a shell)
    listed = _cli("runs", home=xp_home)
    shown = _cli("show", run.info.run_id, home=xp_home)
    # Then both succeed and hold no raw ESC, BEL, CR or C1 byte, the sequences shown as text
    for done in (listed, shown):
        assert done.returncode == 0, done.stderr
        for raw in (b"\x1b", b"\x07", b"\r", "\x9b".encode()):
            assert raw not in done.stdout + done.stderr
    assert run.info.run_id.encode() in listed.stdout and b"ok\\x1b[2J" in listed.stdout
    assert b"\\x1b]0;pwned\\x07" in shown.stdout and b"0.1\\x1b[31m\\x0d" in shown.stdout


def _shared(home: Path) -> list[str]:
    """Every path under ``home`` that its group or others may read, write or enter."""
    found = [home, *home.rglob("*")]
    return [f"{oct(p.lstat().st_mode & 0o777)} {p}" for p in found if p.lstat().st_mode & 0o077]


# README: "created 0700, its files 0600"
@pytest.mark.kernel
def test_the_embedded_store_and_everything_in_xp_home_are_private_under_umask_022(
    kernel_factory: Any, store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given umask 022 and an XP_HOME with no store yet, made 0755 by someone else
    (xp_home / "mlflow.db").unlink()
    xp_home.chmod(0o755)
    old = os.umask(0o022)
    try:
        k = kernel_factory(notebook=write_notebook(tmp_path / "nb.ipynb", [{"source": "1"}]))
        # When a notebook run is recorded with a checkpoint (JSON and a pickle), stopped, and
        # shown by the CLI
        start = "%load_ext jupyterlab_xp\n%xp start private --seed 1"
        assert k.execute(start)["status"] == "ok"
        save = "import jupyterlab_xp as xp\nxp.checkpoint('c', step=1, extra={'kept': {1, 2}})"
        assert k.execute(save)["status"] == "ok"
        assert k.execute("%xp stop")["status"] == "ok"
        k.shutdown()  # its sync process ends with it: the CLI need not wait for it to finish
        run_id = store.search_runs()[0].info.run_id
        assert _cli("show", run_id, home=xp_home).returncode == 0  # fills the artifact cache
    finally:
        os.umask(old)
    # Then the store, its artifacts and the run folders exist, and nothing under XP_HOME is
    # open to group or others
    assert (xp_home / "mlflow.db").stat().st_size > 0
    uploaded = {p.name for p in (xp_home / "artifacts").rglob("*") if p.is_file()}
    assert {"notebook.ipynb", "cells.jsonl", "metadata.json"} <= uploaded
    shared = _shared(xp_home)
    assert shared == [], "\n".join(shared)
