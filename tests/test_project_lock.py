"""The project's own lock file (pylock.toml, uv.lock) is recorded as it is."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from conftest import write_notebook
from jupyterlab_xp.capture.project_lock import find_project_lock
from jupyterlab_xp.capture.startup import capture_all
from jupyterlab_xp.core import tags

UV_LOCK = 'version = 1\n\n[[package]]\nname = "numpy"\nversion = "2.1.0"\n'
TOKEN = "ghp_0123456789abcdefghij0123456789abcdef"


def test_the_nearest_lock_within_the_project_is_found(tmp_path: Path) -> None:
    # Given a project root (pyproject.toml) with uv.lock, a notebook two folders down, and a
    # lock above the project that belongs to something else
    (tmp_path / "uv.lock").write_text("outside")
    project = tmp_path / "project"
    notebooks = project / "notebooks" / "week1"
    notebooks.mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (project / "uv.lock").write_text(UV_LOCK)
    # Then the project's own lock is found from the notebook's folder
    assert find_project_lock(notebooks) == (project / "uv.lock").resolve()
    # ...a PEP 751 lock nearer the notebook wins, pylock.toml before a named one
    (notebooks / "pylock.gpu.toml").write_text("lock-version = '1.0'\n")
    assert find_project_lock(notebooks) == (notebooks / "pylock.gpu.toml").resolve()
    (notebooks / "pylock.toml").write_text("lock-version = '1.0'\n")
    assert find_project_lock(notebooks) == (notebooks / "pylock.toml").resolve()
    # ...and a project without one never borrows the lock above its root
    bare = tmp_path / "bare"
    (bare / "nb").mkdir(parents=True)
    (bare / ".git").mkdir()
    assert find_project_lock(bare / "nb") is None


def test_the_capture_copies_it_unchanged_with_its_digest(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (project / "uv.lock").write_text(UV_LOCK)
    out = tmp_path / "artifacts"
    out.mkdir()
    # When the start-of-run capture runs for a notebook in that project
    result = capture_all(out, project / "train.ipynb", module_files=[])
    # Then the lock is an artifact, byte for byte, and its name and digest a tag
    assert "project lock" not in result.errors
    assert "project-uv.lock" in result.files
    assert (out / "project-uv.lock").read_text() == UV_LOCK
    digest = hashlib.sha256(UV_LOCK.encode()).hexdigest()
    assert result.tags[tags.PROJECT_LOCK] == f"uv.lock sha256:{digest}"


@pytest.mark.stores("sqlite")
def test_a_recorded_run_carries_the_projects_lock_with_secrets_redacted(
    kernel_factory: Any, store: Any, tmp_path: Path
) -> None:
    # Given a notebook in a uv project whose lock names a private index with a token in its URL
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    lock = UV_LOCK + f'source = {{ registry = "https://me:{TOKEN}@pypi.example.com/simple" }}\n'
    (project / "uv.lock").write_text(lock)
    notebook = write_notebook(project / "train.ipynb", [{"source": "%xp start"}])
    kernel = kernel_factory(notebook)
    # When a run is recorded there
    assert kernel.execute("%load_ext jupyterlab_xp\n%xp start")["status"] == "ok"
    assert kernel.execute("%xp stop")["status"] == "ok"
    # Then the store has the project's lock, the token replaced, and its tag
    (run,) = store.search_runs()
    stored = store.artifacts.read_text(run.info.run_id, "xp/project-uv.lock")
    assert stored is not None and 'name = "numpy"' in stored
    assert TOKEN not in stored
    assert run.data.tags[tags.PROJECT_LOCK].startswith("uv.lock sha256:")
