"""Nothing the store says chooses what a sweep runs: hostile runs and studies, real Optuna storage.

A sweep's storage comes only from the user (never from a run's ``xp.sweep.storage`` tag), a
study's notebook path is confined like a browser's, and every trial runs only the code whose
digest the sweep was created with: code swapped in the store after the plan was read is refused
before any kernel starts (marker files say nothing ran).
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import write_notebook
from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.promote import jobs
from jupyterlab_xp.sweep import results, sweeps, trial, worker
from jupyterlab_xp.sweep import study as studies
from test_promote_trust import _cli, hostile_run


def _marker_cells(marker: Path) -> list[dict[str, Any]]:
    """Cells whose running leaves ``marker`` behind (what says code ran)."""
    sources = [
        f"from pathlib import Path\nPath({str(marker)!r}).write_text(str(label))",
        "import jupyterlab_xp as xp\nxp.log({'val/score': 1.0})",
    ]
    return [
        {"seq": i + 1, "cell_id": f"c{i}", "source": s, "start": 1.7e9 + i, "status": "ok"}
        for i, s in enumerate(sources)
    ]


def test_a_trial_refuses_code_swapped_in_the_store_after_the_plan_was_read(
    store: Any, xp_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given: a run recorded elsewhere whose code writes a marker, and a sweep created with the
    # digest of the plan its user read
    shown, swapped = tmp_path / "shown-ran", tmp_path / "swapped-ran"
    run_id = hostile_run(store, tmp_path, cells=_marker_cells(shown))
    src = jobs.load_source(store, run_id, None, tmp_path)
    plan = jobs.plan(src)
    digest = plan["code"][plan["default_order"]]["sha256"]
    url = studies.default_storage(xp_home)
    sweep = sweeps.create(
        store,
        src,
        url,
        params=["label=choice:'a','b'"],
        objective="val/score",
        trials=2,
        pruner="none",
        code_sha256=digest,
    )
    assert sweep["code_sha256"] == digest
    # When: its cells.jsonl is swapped in the store for code that writes another marker
    upload = tmp_path / "swap"
    upload.mkdir()
    cells = "".join(json.dumps(c) + "\n" for c in _marker_cells(swapped))
    (upload / tags.CELLS_ARTIFACT).write_text(cells)
    store.log_artifacts(run_id, upload, tags.ARTIFACT_DIR)
    said: list[str] = []
    monkeypatch.setenv(tags.SWEEP_STORAGE_ENV, url)  # work() sets it for its kernels
    worker.work(store, url, sweep["study"], tmp_path, said.append)
    # Then: the trial is refused in one line, the sweep stops, and nothing ran
    refused = [line for line in said if "refused" in line]
    assert len(refused) == 1 and "not the code you were shown" in refused[0], said
    assert not shown.exists() and not swapped.exists()
    detail = results.detail(store, sweep["study"], url)
    assert [t["state"] for t in detail["trials"]] == ["FAIL"]
    assert "refused" in (detail["stopped"] or "")
    assert detail["code_sha256"] == digest
    assert not list(jobs.jobs_dir(store.location).glob("*"))  # no promotion was even created
    # And: a sweep created now would say the code is not the code that was shown
    with pytest.raises(XpError, match="not the code you were shown"):
        sweeps.check_request(
            jobs.load_source(store, run_id, None, tmp_path),
            params=["label=choice:'a','b'"],
            objective="val/score",
            code_sha256=digest,
        )


def test_a_study_without_a_code_digest_runs_no_trial(
    store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given: a study whose config has no digest (older, or not made by jupyter xp sweep)
    notebook = write_notebook(tmp_path / "n.ipynb", [{"source": "x = 1", "tags": ["parameters"]}])
    src = jobs.load_source(store, None, notebook)
    url = studies.default_storage(xp_home)
    sweep = sweeps.create(
        store, src, url, params=["x=int:1:3"], objective="m", trials=1, pruner="none"
    )
    storage = studies.open_storage(url)
    study, config = studies.load(storage, sweep["study"], sampling=False)
    study.set_user_attr(studies.CONFIG_ATTR, {**config, "code_sha256": None})
    # When / Then: a worker refuses before it asks for a trial
    with pytest.raises(XpError, match="records no digest"):
        worker.work(store, url, sweep["study"], tmp_path, print)
    assert studies.load(storage, sweep["study"], sampling=False)[0].get_trials() == []


def test_a_studys_notebook_is_confined_like_a_browsers_path(tmp_path: Path) -> None:
    # Given: a root folder with a notebook in it, and notebooks elsewhere
    root = tmp_path / "root"
    for folder in (root / "sub", root / ".hidden"):
        folder.mkdir(parents=True)
    inside = write_notebook(root / "sub" / "n.ipynb", [{"source": "x = 1"}])
    outside = write_notebook(tmp_path / "evil.ipynb", [{"source": "x = 2"}])
    hidden = write_notebook(root / ".hidden" / "n.ipynb", [{"source": "x = 3"}])
    (root / "link.ipynb").symlink_to(outside)
    # Then: only the notebook under the root is a source; each other path is one line
    assert trial.load_source(Any, {"notebook": str(inside)}, root).notebook_path == inside
    for path in (outside, hidden, root / "link.ipynb", "sub/../../evil.ipynb", "/etc/passwd"):
        with pytest.raises(XpError, match="sweep's notebook") as refused:
            trial.load_source(Any, {"notebook": str(path)}, root)
        assert "\n" not in str(refused.value)
    with pytest.raises(XpError, match="no folder to confine it to"):
        trial.load_source(Any, {"notebook": str(inside)}, None)  # no root: nothing is run


def test_the_storage_comes_from_the_user_never_from_a_runs_tag(
    store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given: a hostile sweep run whose storage tag names a database elsewhere
    evil = tmp_path / "evil" / "optuna.db"
    run_id = store.create_run(
        "hostile",
        "hostile",
        {
            tags.KIND: tags.KIND_SWEEP,
            tags.SWEEP_STUDY: "evil-study",
            tags.SWEEP_STORAGE: f"sqlite:///{evil}",
        },
        1_700_000_000_000,
    )
    # When: it is resolved, shown and joined without --storage
    found = results.resolve(store, run_id)
    shown = _cli("sweep", "show", run_id, home=xp_home, cwd=tmp_path)
    joined = _cli("sweep", "join", run_id, home=xp_home, cwd=tmp_path)
    # Then: the user's storage is opened, the tag is named as text, and no file is made there
    assert found["storage_url"] == studies.default_storage(xp_home)
    for done in (shown, joined):
        assert done.returncode == 2, done.stdout
        line = done.stderr.strip()
        assert "\n" not in line and "Traceback" not in line
        assert "its run says it lives in" in line and str(evil) in line and "--storage" in line
    assert not evil.parent.exists()
    # And: with --storage the user chooses it (here: the default, where no such study is)
    chosen = _cli(
        "sweep", "show", run_id, "--storage", found["storage_url"], home=xp_home, cwd=tmp_path
    )
    assert chosen.returncode == 2 and not evil.parent.exists()


def test_code_from_the_store_is_shown_and_asked_for_before_a_sweep_starts(
    store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given: a run recorded elsewhere (its code comes from the store)
    marker = tmp_path / "ran"
    run_id = hostile_run(store, tmp_path, cells=_marker_cells(marker))
    args = ("sweep", run_id, "--param", "label=choice:'a','b'", "--objective", "val/score",
            "--trials", "2", "--workers", "0")  # fmt: skip
    # When: a dry run prints the sweep
    dry = _cli(*args, "--dry-run", home=xp_home, cwd=tmp_path)
    # Then: it shows every cell and the digest, and creates nothing
    assert dry.returncode == 0, dry.stderr
    assert "dry run: nothing was run" in dry.stdout and "2 trials, val/score maximize" in dry.stdout
    assert str(marker) in dry.stdout and "code from   the store's copy" in dry.stdout
    digest = dry.stdout.split("code sha256 ", 1)[1].split()[0]
    assert len(digest) == 64
    assert results.list_sweeps(store) == []
    # When: started without the digest and with nobody to ask, then it is refused in one line
    asked = _cli(*args, home=xp_home, cwd=tmp_path)
    assert asked.returncode == 2 and "--code-sha256" in asked.stderr, asked.stderr
    # When: started with another digest, then it is refused: not the code that was shown
    other = _cli(*args, "--code-sha256", "0" * 64, home=xp_home, cwd=tmp_path)
    assert other.returncode == 2 and "not the code you were shown" in other.stderr
    assert results.list_sweeps(store) == []
    # When: started with the digest the dry run printed, then the sweep keeps it for its trials
    started = _cli(*args, "--code-sha256", digest, home=xp_home, cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    assert f"code sha256 {digest[:16]}" in started.stdout
    [made] = results.list_sweeps(store)
    url = studies.default_storage(xp_home)
    assert results.detail(store, made["study"], url)["code_sha256"] == digest
    assert not marker.exists()


def _at_a_terminal(args: list[str], answer: str, home: Path, cwd: Path) -> tuple[int, str]:
    """Run ``jupyter xp ARGS`` with a terminal as its stdin, typing ``answer`` there."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "XP_"))}
    env["XP_HOME"] = str(home)
    if "MLFLOW_TRACKING_URI" in os.environ:
        env["MLFLOW_TRACKING_URI"] = os.environ["MLFLOW_TRACKING_URI"]
    typist, terminal = pty.openpty()
    try:
        os.write(typist, answer.encode())  # waits in the terminal until the question reads it
        done = subprocess.run(
            [sys.executable, "-m", "jupyterlab_xp", *args],
            stdin=terminal,
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            timeout=300,
        )
    finally:
        os.close(typist)
        os.close(terminal)
    return done.returncode, done.stdout + done.stderr


def test_at_a_terminal_the_code_is_shown_and_a_sweep_starts_only_on_yes(
    store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given: a run recorded elsewhere
    marker = tmp_path / "ran"
    run_id = hostile_run(store, tmp_path, cells=_marker_cells(marker))
    args = ["sweep", run_id, "--param", "label=choice:'a','b'", "--objective", "val/score",
            "--trials", "2", "--workers", "0"]  # fmt: skip
    # When: the question is answered no, then the code was shown and nothing was created
    code, out = _at_a_terminal(args, "n\n", xp_home, tmp_path)
    assert code == 2 and "start 2 trials of this code? [y/N]" in out and "not started" in out
    assert str(marker) in out and "code sha256 " in out
    assert results.list_sweeps(store) == []
    # When: it is answered yes, then the sweep is created (its trials run that code only)
    code, out = _at_a_terminal(args, "y\n", xp_home, tmp_path)
    assert code == 0, out
    assert len(results.list_sweeps(store)) == 1 and not marker.exists()
