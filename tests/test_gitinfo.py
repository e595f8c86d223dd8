"""What git capture records, on ordinary repositories (hostile ones: test_git_hostile.py)."""

from __future__ import annotations

import os
import subprocess
import sys
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


def _staged(path: Path, branch: str, name: str, text: str) -> Path:
    """A new repository at ``path`` on ``branch`` with one file staged and no commit."""
    path.mkdir()
    _git(path, "init", "-q", "-b", branch)
    (path / name).write_text(text)
    _git(path, "add", name)
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = _staged(tmp_path / "repo", "main", "train.py", "lr = 0.1\n")
    _git(path, "commit", "-qm", "first")
    return path


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


# README: "Git remotes are stored without credentials"
def test_remote_token_is_stripped(repo: Path) -> None:
    # Given a remote URL with a user and token
    _git(repo, "remote", "add", "origin", "https://user:tok3n@example.com/r.git")
    # Then the recorded remote has no credentials
    info = capture_git(repo)
    assert info is not None and info["remote_url"] == "https://example.com/r.git"


# README: "diffs are capped and pass through the same secret filter"
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


def test_diff_is_what_git_diff_head_shows(repo: Path) -> None:
    # Given staged, unstaged, deleted, binary, mode-only and no-newline-at-end changes
    (repo / "gone.txt").write_text("keep\n")
    (repo / "b.bin").write_bytes(b"\x00\x01bin")
    (repo / "run.sh").write_text("echo\n")
    _git(repo, "add", "gone.txt", "b.bin", "run.sh")
    _git(repo, "commit", "-qm", "more")
    (repo / "train.py").write_text("lr = 0.2\nepochs = 3")
    (repo / "gone.txt").unlink()
    (repo / "b.bin").write_bytes(b"\x00\x02bin")
    (repo / "run.sh").chmod(0o755)
    (repo / "staged.py").write_text("new = 1\n")
    _git(repo, "add", "staged.py")
    # When it is captured
    info = capture_git(repo)
    # Then the diff is byte for byte the one plain git gives (in this harmless repository)
    assert info is not None
    assert info["diff"] == _git(repo, "diff", "--no-ext-diff", "--no-textconv", "HEAD")
    assert "+new = 1" in info["diff"] and "Binary files" in info["diff"]


def test_detached_head_has_no_branch(repo: Path) -> None:
    # Given a checkout of a commit rather than a branch
    commit = _git(repo, "rev-parse", "HEAD").strip()
    _git(repo, "checkout", "-q", "--detach", commit)
    # Then the commit is recorded and the branch is not
    info = capture_git(repo)
    assert info is not None and info["commit"] == commit and info["branch"] is None
    assert info["dirty"] is False and info["diff"] == ""


def test_a_repository_without_commits(tmp_path: Path) -> None:
    # Given a new repository with a staged file and no commit yet
    path = _staged(tmp_path / "fresh", "dev", "a.py", "a = 1\n")
    # Then there is no commit, the branch to be is named, and the staged file makes it dirty
    info = capture_git(path / "a.py")
    assert info is not None and "error" not in info
    assert info["commit"] is None and info["branch"] == "dev"
    assert info["dirty"] is True and info["diff"] == ""


def test_untracked_folders_count_once(repo: Path) -> None:
    # Given an untracked folder with several files, and an untracked file
    (repo / "out").mkdir()
    for i in range(3):
        (repo / "out" / f"{i}.txt").write_text("x")
    (repo / "notes.txt").write_text("x")
    # Then they count as git status counts them, and they do not make the tree dirty
    info = capture_git(repo)
    assert info is not None and info["untracked"] == 2 and info["dirty"] is False


def test_a_bare_repository_has_no_work_tree(tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    _git(tmp_path, "init", "-q", "--bare", str(bare))
    assert capture_git(bare) is None


# README: "Git remotes are stored without credentials"
def test_origin_is_preferred_and_credentials_stripped(repo: Path) -> None:
    # Given two remotes, origin's URL carrying a token
    _git(repo, "remote", "add", "upstream", "https://example.com/up.git")
    _git(repo, "remote", "add", "origin", "https://x-access-token:t0k@example.com/r.git?token=t")
    # Then origin is recorded, without its credentials
    info = capture_git(repo)
    assert info is not None and info["remote"] == "origin"
    assert info["remote_url"] == "https://example.com/r.git"


# README: "diffs are capped and pass through the same secret filter"
def test_secrets_in_the_diff_are_redacted(repo: Path) -> None:
    # Given a change that adds a token to the code
    (repo / "train.py").write_text('TOKEN = "ghp_abcdefghijklmnop0123456789"\n')
    # Then the recorded diff shows the change without the token
    info = capture_git(repo)
    assert info is not None and "TOKEN = " in info["diff"]
    assert "ghp_abcdefghijklmnop0123456789" not in info["diff"]


def test_a_cap_inside_a_multibyte_character_gives_valid_text(repo: Path) -> None:
    # Given a change of many multi-byte characters
    (repo / "train.py").write_text("é" * 3000 + "\n")
    # When the cap falls at an odd byte
    info = capture_git(repo, max_diff_bytes=1001)
    # Then the diff is valid text under the cap, flagged as cut
    assert info is not None and info["diff_truncated"] is True
    assert len(info["diff"].encode()) <= 1001 and "\ufffd" not in info["diff"]


def test_a_reader_that_cannot_start_is_an_error_not_an_exception(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given no Python to start the reader with
    monkeypatch.setattr(sys, "executable", str(repo / "no-such-python"))
    # Then the capture says so in its error field
    info = capture_git(repo)
    assert info is not None and info["error"].startswith("git reader could not start")
    assert info["commit"] is None
    modules = capture_git_for_modules([str(repo / "train.py")])
    assert [m["error"] for m in modules] == [info["error"]]
