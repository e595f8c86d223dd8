"""git capture treats the repository as hostile: no configured program ever runs."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from jupyterlab_xp.capture.gitinfo import capture_git, capture_git_for_modules


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@e", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    _git(path, "init", "-q", "-b", "main")
    (path / "train.py").write_text("lr = 0.1\n")
    _git(path, "add", "train.py")
    _git(path, "commit", "-qm", "first")
    return path


def _marker_script(tmp_path: Path, name: str) -> tuple[Path, Path]:
    marker = tmp_path / f"{name}.ran"
    script = tmp_path / f"{name}.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\nexit 0\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script, marker


def test_commit_branch_dirty_and_diff(repo: Path) -> None:
    # Given a repository with an uncommitted change and an untracked file
    (repo / "train.py").write_text("lr = 0.2\n")
    (repo / "notes.txt").write_text("x")
    # When it is captured
    info = capture_git(repo)
    # Then commit, branch, dirty state and the diff are there
    assert info is not None
    assert info["commit"] == _git(repo, "rev-parse", "HEAD").strip()
    assert info["branch"] == "main"
    assert info["dirty"] is True and info["untracked"] == 1
    assert "+lr = 0.2" in info["diff"] and info["diff_truncated"] is False


def test_configured_programs_never_run(repo: Path, tmp_path: Path) -> None:
    # Given a repo whose config names programs for fsmonitor, external diff and textconv
    fsmonitor, fs_marker = _marker_script(tmp_path, "fsmonitor")
    external, ext_marker = _marker_script(tmp_path, "extdiff")
    textconv, tc_marker = _marker_script(tmp_path, "textconv")
    _git(repo, "config", "core.fsmonitor", str(fsmonitor))
    _git(repo, "config", "diff.external", str(external))
    _git(repo, "config", "diff.evil.textconv", str(textconv))
    (repo / ".gitattributes").write_text("*.py diff=evil\n")
    (repo / "train.py").write_text("lr = 0.3\n")
    # ...and the trap is real: a naive git diff runs them
    subprocess.run(["git", "-C", str(repo), "diff"], capture_output=True, check=False)
    subprocess.run(["git", "-C", str(repo), "status"], capture_output=True, check=False)
    assert ext_marker.exists() and fs_marker.exists()
    for marker in (fs_marker, ext_marker, tc_marker):
        marker.unlink(missing_ok=True)
    # When the recorder captures the repository
    info = capture_git(repo)
    # Then none of them ran, and the change is still seen
    assert info is not None and info["dirty"] is True
    assert not fs_marker.exists() and not ext_marker.exists() and not tc_marker.exists()
    assert "+lr = 0.3" in info["diff"]


def test_remote_token_is_stripped(repo: Path) -> None:
    # Given a remote URL with a user and token
    _git(repo, "remote", "add", "origin", "https://user:tok3n@example.com/r.git")
    # Then the recorded remote has no credentials
    info = capture_git(repo)
    assert info is not None and info["remote_url"] == "https://example.com/r.git"


def test_large_diff_is_capped_and_flagged(repo: Path) -> None:
    # Given a change larger than the cap
    (repo / "train.py").write_text("x = 1\n" * 5000)
    # When captured with a small cap
    info = capture_git(repo, max_diff_bytes=1000)
    # Then the diff is cut and says so
    assert info is not None and info["diff_truncated"] is True
    assert len(info["diff"].encode()) <= 1000


def test_outside_a_repository_there_is_nothing(tmp_path: Path) -> None:
    assert capture_git(tmp_path) is None


def test_local_module_repositories_are_captured_once(repo: Path, tmp_path: Path) -> None:
    # Given two modules from one other repository and one from the notebook's own repo
    lib = tmp_path / "lib"
    lib.mkdir()
    _git(lib, "init", "-q")
    (lib / "a.py").write_text("")
    (lib / "sub").mkdir()
    (lib / "sub" / "b.py").write_text("")
    files = [str(lib / "a.py"), str(lib / "sub" / "b.py"), str(repo / "train.py"), os.__file__]
    # When module repositories are captured, excluding the notebook's own
    found = capture_git_for_modules(files, exclude_toplevel=str(repo))
    # Then the library repo appears once and the stdlib and the notebook's repo not at all
    assert [Path(r["toplevel"]) for r in found] == [lib.resolve()]
