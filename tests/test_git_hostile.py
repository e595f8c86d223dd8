"""A hostile repository runs nothing: every way git can be told to run a program, one repo each.

Each repository names small shell scripts (outside the repository) that leave a marker when they
run. The capture must leave no marker, write nothing into the repository (no index refresh, no
lock file, not even for a moment: folder mtimes are compared too) and still read the commit,
branch, dirty state and diff. Then plain git is run on the same repository to show that the trap
is real: it does run the script.
"""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import write_notebook
from jupyterlab_xp.capture.gitinfo import capture_git, capture_git_for_modules

HOOKS = [
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "pre-commit",
    "pre-merge-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "pre-rebase",
    "post-checkout",
    "post-merge",
    "pre-push",
    "pre-receive",
    "update",
    "proc-receive",
    "post-receive",
    "post-update",
    "reference-transaction",
    "push-to-checkout",
    "pre-auto-gc",
    "post-rewrite",
    "sendemail-validate",
    "fsmonitor-watchman",
    "p4-changelist",
    "p4-prepare-changelist",
    "p4-post-changelist",
    "p4-pre-submit",
    "post-index-change",
]
ME = ("-c", "user.name=t", "-c", "user.email=t@e")


class Trap:
    """Scripts that leave a marker named after themselves when anything runs them."""

    def __init__(self, root: Path) -> None:
        self.bin = root / "bin"
        self.markers = root / "markers"
        self.bin.mkdir(parents=True, exist_ok=True)
        self.markers.mkdir(parents=True, exist_ok=True)

    def script(self, name: str, passthrough: bool = False) -> str:
        """A script ``name``; a passthrough one behaves as a filter / textconv (``cat``)."""
        path = self.bin / name
        body = f'#!/bin/sh\necho "$0 $*" >> "{self.markers / name}"\n'
        if passthrough:
            body += 'if [ -f "$1" ]; then exec cat "$1"; fi\nexec cat\n'
        else:
            body += "exit 0\n"
        path.write_text(body)
        path.chmod(0o755)
        return str(path)

    def hooks_dir(self, folder: Path) -> str:
        folder.mkdir(parents=True, exist_ok=True)
        for hook in HOOKS:
            target = folder / hook
            shutil.copyfile(self.script(f"hook-{hook}"), target)
            target.chmod(0o755)
        return str(folder)

    def fired(self) -> list[str]:
        return sorted(p.name for p in self.markers.iterdir())

    def clear(self) -> None:
        for marker in self.markers.iterdir():
            marker.unlink()


def git(repo: Path, *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        check=False,
    )
    return done.stdout


def configure(repo: Path, settings: dict[str, str], file: Path | None = None) -> None:
    where = ["--file", str(file)] if file else []
    for key, value in settings.items():
        subprocess.run(["git", "-C", str(repo), "config", *where, key, value], check=True)


def snapshot(root: Path) -> dict[str, tuple[int, int, bytes | None]]:
    """Every file and folder under ``root``: mtime, size and, for files, the bytes."""
    out = {}
    for path in [root, *sorted(root.rglob("*"))]:
        st = path.lstat()
        data = path.read_bytes() if path.is_file() and not path.is_symlink() else None
        out[str(path.relative_to(root))] = (st.st_mtime_ns, st.st_size, data)
    return out


def evil_config(trap: Trap) -> dict[str, str]:
    """Every program-naming key git has (that this suite knows of), each a trap."""
    settings = {
        "core.fsmonitor": trap.script("fsmonitor"),
        "core.hooksPath": trap.hooks_dir(trap.bin / "hooks"),
        "core.pager": trap.script("core-pager"),
        "core.editor": trap.script("core-editor"),
        "core.sshCommand": trap.script("ssh-command"),
        "core.askPass": trap.script("askpass"),
        "core.gitProxy": trap.script("git-proxy"),
        "core.alternateRefsCommand": trap.script("alternate-refs"),
        "sequence.editor": trap.script("sequence-editor"),
        "diff.external": trap.script("diff-external"),
        "diff.evil.command": trap.script("diff-command"),
        "diff.evil.textconv": trap.script("textconv", passthrough=True),
        "diff.evil.cachetextconv": "true",
        "filter.evil.clean": trap.script("filter-clean", passthrough=True),
        "filter.evil.smudge": trap.script("filter-smudge", passthrough=True),
        "filter.evil.required": "true",
        "merge.evil.driver": trap.script("merge-driver"),
        "credential.helper": trap.script("credential-helper"),
        "gpg.program": trap.script("gpg"),
        "gpg.ssh.program": trap.script("gpg-ssh"),
        "gpg.x509.program": trap.script("gpg-x509"),
        "log.showSignature": "true",
        "uploadpack.packObjectsHook": trap.script("pack-objects-hook"),
        "core.untrackedCache": "true",
    }
    for pager in ("status", "diff", "log", "branch", "show"):
        settings[f"pager.{pager}"] = trap.script(f"pager-{pager}")
    return settings


@dataclass
class Vector:
    """One way to make git run a program: how to plant it, and a plain git call that runs it."""

    install: Callable[[Path, Trap], None]
    proof: tuple[str, ...]
    files: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[Path], None] | None = None
    stdin: str = ""
    on_tty: bool = False
    environ: Callable[[Trap], dict[str, str]] | None = None


def _filters_in_info_attributes(repo: Path, trap: Trap) -> None:
    (repo / ".git" / "info" / "attributes").write_text("*.py filter=evil\n")
    configure(
        repo,
        {
            "filter.evil.clean": trap.script("clean", passthrough=True),
            "filter.evil.smudge": trap.script("smudge", passthrough=True),
            "filter.evil.required": "true",
        },
    )


def _filter_process(repo: Path, trap: Trap) -> None:
    configure(repo, {"filter.proc.process": trap.script("process")})


def _diff_external(repo: Path, trap: Trap) -> None:
    configure(repo, {"diff.external": trap.script("external")})


def _diff_command(repo: Path, trap: Trap) -> None:
    configure(repo, {"diff.evil.command": trap.script("command")})


def _textconv(repo: Path, trap: Trap) -> None:
    configure(
        repo,
        {
            "diff.tc.textconv": trap.script("textconv", passthrough=True),
            "diff.tc.cachetextconv": "true",
        },
    )


def _fsmonitor(repo: Path, trap: Trap) -> None:
    configure(repo, {"core.fsmonitor": trap.script("fsmonitor"), "core.untrackedCache": "true"})


def _hooks_path(repo: Path, trap: Trap) -> None:
    configure(repo, {"core.hooksPath": trap.hooks_dir(trap.bin / "hooks")})


def _hooks_dir(repo: Path, trap: Trap) -> None:
    trap.hooks_dir(repo / ".git" / "hooks")


def _pagers(repo: Path, trap: Trap) -> None:
    configure(
        repo,
        {
            "core.pager": trap.script("core-pager"),
            **{f"pager.{c}": trap.script(f"pager-{c}") for c in ("status", "diff", "log")},
        },
    )


def _editors(repo: Path, trap: Trap) -> None:
    configure(
        repo, {"core.editor": trap.script("editor"), "sequence.editor": trap.script("seq-editor")}
    )


def _ssh(repo: Path, trap: Trap) -> None:
    configure(
        repo,
        {"core.sshCommand": trap.script("ssh"), "remote.origin.url": "ssh://evil.invalid/r.git"},
    )


def _credentials(repo: Path, trap: Trap) -> None:
    configure(
        repo,
        {
            "core.askPass": trap.script("askpass"),
            "credential.helper": trap.script("helper"),
            "credential.https://example.com.helper": trap.script("url-helper"),
            "remote.origin.url": "https://example.com/r.git",
        },
    )


def _signed_head(repo: Path) -> None:
    """Re-write HEAD as a commit carrying a (fake) signature, so that verifying it runs gpg."""
    body = git(repo, "cat-file", "commit", "HEAD")
    head, _, message = body.partition("\n\n")
    sig = "gpgsig -----BEGIN PGP SIGNATURE-----\n \n AAAA\n -----END PGP SIGNATURE-----"
    signed = f"{head}\n{sig}\n\n{message}"
    oid = git(repo, "hash-object", "-t", "commit", "-w", "--stdin", stdin=signed).strip()
    git(repo, "update-ref", "refs/heads/main", oid)


def _gpg(repo: Path, trap: Trap) -> None:
    configure(
        repo,
        {
            "gpg.program": trap.script("gpg"),
            "gpg.ssh.program": trap.script("gpg-ssh"),
            "gpg.x509.program": trap.script("gpg-x509"),
            "log.showSignature": "true",
            "commit.gpgSign": "true",
        },
    )


def _remote_programs(repo: Path, trap: Trap) -> None:
    configure(
        repo,
        {
            "protocol.allow": "always",
            "remote.origin.url": f"ext::{trap.script('ext-remote')}",
            "remote.origin.uploadpack": trap.script("uploadpack"),
            "remote.origin.receivepack": trap.script("receivepack"),
            "core.gitProxy": trap.script("git-proxy"),
        },
    )


def _evil_file(repo: Path, trap: Trap) -> str:
    """A config file outside the repository with every trap in it, for the repo to include."""
    evil = trap.bin / "evil.gitconfig"
    configure(repo, evil_config(trap), file=evil)
    return str(evil)


def _include_path(repo: Path, trap: Trap) -> None:
    configure(repo, {"include.path": _evil_file(repo, trap)})
    (repo / ".git" / "info" / "attributes").write_text("* filter=evil diff=evil\n")


def _include_if_gitdir(repo: Path, trap: Trap) -> None:
    configure(repo, {f"includeIf.gitdir:{repo.resolve()}/.git.path": _evil_file(repo, trap)})


def _include_if_onbranch(repo: Path, trap: Trap) -> None:
    configure(repo, {"includeIf.onbranch:main.path": _evil_file(repo, trap)})


def _include_if_hasconfig(repo: Path, trap: Trap) -> None:
    configure(
        repo,
        {
            "remote.origin.url": "https://example.com/r.git",
            "includeIf.hasconfig:remote.*.url:https://example.com/**.path": _evil_file(repo, trap),
        },
    )


def _attributes_file(repo: Path, trap: Trap) -> None:
    attributes = trap.bin / "attributes"
    attributes.write_text("* filter=evil diff=evil\n")
    configure(repo, {"core.attributesFile": str(attributes), **evil_config(trap)})


def _user_driver(repo: Path, trap: Trap) -> None:
    # The user's own global config defines a driver (as git-lfs does); the repository's
    # attributes select it.
    configure(
        repo,
        {"filter.lfs.clean": trap.script("lfs-clean", passthrough=True)},
        file=Path(os.environ["HOME"]) / ".gitconfig",
    )


def _add_submodule(repo: Path) -> None:
    sub = repo.parent / "sub-origin"
    sub.mkdir()
    git(sub, "init", "-q", "-b", "main")
    (sub / "mod.py").write_text("a = 1\n")
    git(sub, "add", "mod.py")
    git(sub, *ME, "commit", "-qm", "sub")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "sub")
    git(repo, *ME, "commit", "-qm", "add sub")


def _submodule(repo: Path, trap: Trap) -> None:
    subgit = repo / ".git" / "modules" / "sub"
    (subgit / "info").mkdir(exist_ok=True)
    (subgit / "info" / "attributes").write_text("* filter=evil diff=evil\n")
    configure(repo / "sub", evil_config(trap))
    (repo / "sub" / "mod.py").write_text("a = 2\n")
    _stat_dirty(repo / "sub" / "mod.py")


def _no_config(repo: Path, trap: Trap) -> None:
    pass


def _environment(trap: Trap) -> dict[str, str]:
    """The kernel's own environment names programs too (not the repository's doing, but the
    reader must not care)."""
    return {
        "GIT_EXTERNAL_DIFF": trap.script("env-external-diff"),
        "GIT_PAGER": trap.script("env-git-pager"),
        "PAGER": trap.script("env-pager"),
        "GIT_EDITOR": trap.script("env-git-editor"),
        "EDITOR": trap.script("env-editor"),
        "VISUAL": trap.script("env-visual"),
        "GIT_SSH": trap.script("env-ssh"),
        "GIT_SSH_COMMAND": trap.script("env-ssh-command"),
        "GIT_ASKPASS": trap.script("env-git-askpass"),
        "SSH_ASKPASS": trap.script("env-ssh-askpass"),
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "core.fsmonitor",
        "GIT_CONFIG_VALUE_0": trap.script("env-fsmonitor"),
        "GIT_CONFIG_PARAMETERS": f"'core.hookspath'='{trap.hooks_dir(trap.bin / 'hooks')}'",
    }


VECTORS: dict[str, Vector] = {
    "filter drivers in .git/info/attributes": Vector(_filters_in_info_attributes, ("status",)),
    "filter process in in-tree .gitattributes": Vector(
        _filter_process, ("status",), files={".gitattributes": "*.py filter=proc\n"}
    ),
    "diff.external": Vector(_diff_external, ("diff",)),
    "diff.<driver>.command in .gitattributes": Vector(
        _diff_command, ("diff",), files={".gitattributes": "*.py diff=evil\n"}
    ),
    "diff.<driver>.textconv in .gitattributes": Vector(
        _textconv, ("diff",), files={".gitattributes": "*.py diff=tc\n"}
    ),
    "core.fsmonitor": Vector(_fsmonitor, ("status",)),
    "core.hooksPath": Vector(_hooks_path, (*ME, "commit", "-q", "--allow-empty", "-m", "x")),
    ".git/hooks (index refresh)": Vector(_hooks_dir, ("update-index", "-q", "--refresh")),
    "pagers": Vector(_pagers, ("status",), on_tty=True),
    "editors": Vector(_editors, (*ME, "commit", "--allow-empty")),
    "core.sshCommand": Vector(_ssh, ("ls-remote", "origin")),
    "askpass and credential helpers": Vector(
        _credentials, ("credential", "fill"), stdin="protocol=https\nhost=example.com\n\n"
    ),
    "gpg programs on a signed HEAD": Vector(_gpg, ("log", "-1"), prepare=_signed_head),
    "remote helpers and upload-pack": Vector(_remote_programs, ("ls-remote", "origin")),
    "include.path": Vector(_include_path, ("diff",)),
    'includeIf "gitdir:"': Vector(
        _include_if_gitdir, ("diff",), files={".gitattributes": "* filter=evil diff=evil\n"}
    ),
    'includeIf "onbranch:"': Vector(
        _include_if_onbranch, ("diff",), files={".gitattributes": "* filter=evil diff=evil\n"}
    ),
    'includeIf "hasconfig:"': Vector(
        _include_if_hasconfig, ("status",), files={".gitattributes": "* filter=evil\n"}
    ),
    "core.attributesFile": Vector(_attributes_file, ("diff",)),
    "the user's own filter, selected by the repository": Vector(
        _user_driver, ("status",), files={".gitattributes": "*.py filter=lfs\n"}
    ),
    "a submodule's own config and attributes": Vector(
        _submodule, ("status",), prepare=_add_submodule
    ),
    "programs named by the environment": Vector(_no_config, ("diff",), environ=_environment),
}


def _stat_dirty(path: Path) -> None:
    """Move the mtime on: git must read the file (through its filters) to know if it changed."""
    later = time.time() + 60
    os.utime(path, (later, later))


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No developer's own git config (or GIT_* variables) in play; undone after each test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")  # for the test's own git calls
    for name in list(os.environ):
        if name.startswith("GIT_") and name != "GIT_CONFIG_NOSYSTEM":
            monkeypatch.delenv(name)
    for name in ("PAGER", "EDITOR", "VISUAL", "SSH_ASKPASS"):
        monkeypatch.delenv(name, raising=False)


def make_repo(where: Path, files: dict[str, str], prepare: Callable[[Path], None] | None) -> str:
    """A committed repository at ``where`` on ``main``; returns the commit."""
    where.mkdir(parents=True)
    git(where, "init", "-q", "-b", "main")
    (where / "train.py").write_text("lr = 0.1\n")
    (where / "touched.py").write_text("x = 1\n")
    for name, text in files.items():
        (where / name).write_text(text)
    git(where, "add", "-A")
    git(where, *ME, "commit", "-qm", "first")
    if prepare is not None:
        prepare(where)
    return git(where, "rev-parse", "HEAD").strip()


def dirty(repo: Path) -> None:
    """A change of the same size (git must hash it) and a file that is only touched."""
    (repo / "train.py").write_text("lr = 0.2\n")
    _stat_dirty(repo / "train.py")
    _stat_dirty(repo / "touched.py")


def assert_state(info: dict[str, Any] | None, repo: Path, commit: str) -> None:
    assert info is not None and "error" not in info, info
    assert info["toplevel"] == str(repo.resolve())
    assert info["commit"] == commit
    assert info["branch"] == "main"
    assert info["dirty"] is True
    assert "-lr = 0.1\n+lr = 0.2" in info["diff"], info["diff"]
    assert "touched.py" not in info["diff"]


def prove(repo: Path, vector: Vector) -> None:
    """Run the vector's plain git call (on a terminal when a pager needs one)."""
    if not vector.on_tty:
        git(repo, *vector.proof, stdin=vector.stdin)
        return
    main_fd, sub_fd = pty.openpty()
    try:
        subprocess.run(
            ["git", "-C", str(repo), *vector.proof],
            stdin=subprocess.DEVNULL,
            stdout=sub_fd,
            stderr=sub_fd,
            timeout=60,
            check=False,
        )
    finally:
        os.close(sub_fd)
        os.close(main_fd)


# README: "git itself never runs"
# docs/design.md: "Reading git state runs no program the repository names"
@pytest.mark.parametrize("name", list(VECTORS))
def test_no_program_runs_and_nothing_is_written(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vector = VECTORS[name]
    trap = Trap(tmp_path)
    # Given a repository (and a module in it) that names programs for git to run
    repo = tmp_path / "repo"
    commit = make_repo(repo, vector.files, vector.prepare)
    vector.install(repo, trap)
    for key, value in (vector.environ(trap) if vector.environ else {}).items():
        monkeypatch.setenv(key, value)
    dirty(repo)
    trap.clear()
    before = snapshot(repo)
    # When the notebook's repository and a module's repository are captured
    info = capture_git(repo)
    modules = capture_git_for_modules([str(repo / "train.py")])
    # Then nothing ran and nothing in the repository changed, not even for a moment
    assert trap.fired() == []
    assert snapshot(repo) == before
    assert not (repo / ".git" / "index.lock").exists()
    # ...and the state was read all the same
    assert_state(info, repo, commit)
    assert len(modules) == 1
    assert_state(modules[0], repo, commit)
    assert modules[0]["modules_from"] == str(repo.resolve())
    # ...while plain git does run what the repository names: the trap is real
    prove(repo, vector)
    assert trap.fired(), f"plain git ran nothing for {name!r}: the test proves nothing"


def test_a_hanging_repository_is_given_up_in_time(tmp_path: Path) -> None:
    # Given a repository whose config includes a FIFO (opening it blocks forever)
    repo = tmp_path / "repo"
    make_repo(repo, {}, None)
    fifo = tmp_path / "never.fifo"
    os.mkfifo(fifo)
    configure(repo, {"include.path": str(fifo)})
    before = snapshot(repo)
    # When it is captured with a short timeout
    started = time.monotonic()
    info = capture_git(repo, timeout=2.0)
    # Then the capture gives up with an error instead of hanging, and wrote nothing
    assert time.monotonic() - started < 10
    assert info is not None and "within 2 s" in info["error"]
    assert info["commit"] is None and info["dirty"] is False
    assert snapshot(repo) == before


# README: "git itself never runs"
# README: "so a hostile repository cannot run code through the recorder"
@pytest.mark.kernel
def test_xp_start_and_stop_in_a_hostile_repository_run_nothing(
    kernel_factory: Any, store: Any, tmp_path: Path
) -> None:
    # Given a notebook in a repository that names every program it can, in config, includes
    # and attributes, and a kernel whose environment names more
    trap = Trap(tmp_path)
    repo = tmp_path / "project"
    commit = make_repo(repo, {".gitattributes": "* filter=evil diff=evil\n"}, None)
    configure(
        repo,
        {"include.path": _evil_file(repo, trap), "remote.origin.url": "https://u:t0k@h.invalid/r"},
    )
    trap.hooks_dir(repo / ".git" / "hooks")
    nb = write_notebook(repo / "nb.ipynb", [{"source": "%xp start"}])
    dirty(repo)
    env = {
        "GIT_EXTERNAL_DIFF": trap.script("env-external-diff"),
        "GIT_PAGER": trap.script("env-pager"),
        "GIT_ASKPASS": trap.script("env-askpass"),
        "GIT_SSH_COMMAND": trap.script("env-ssh"),
        "GIT_EDITOR": trap.script("env-editor"),
    }
    trap.clear()
    before = snapshot(repo)
    k = kernel_factory(notebook=nb, extra_env=env)
    # When a run is started and stopped there
    assert k.execute("%load_ext jupyterlab_xp\n%xp start")["status"] == "ok"
    assert k.execute("%xp stop")["status"] == "ok"
    # Then no program ran and nothing in the repository changed
    assert trap.fired() == []
    assert snapshot(repo) == before
    # ...and the run has the repository's state
    run = store.search_runs()[0]
    assert run.data.tags["xp.git.commit"] == commit
    assert run.data.tags["xp.git.branch"] == "main"
    assert run.data.tags["xp.git.dirty"] == "true"
    assert run.data.tags["xp.git.remote"] == "https://h.invalid/r"
    diff = store.artifacts.read_text(run.info.run_id, "xp/git.diff")
    assert diff is not None and "+lr = 0.2" in diff
    recorded = json.loads(store.artifacts.read_text(run.info.run_id, "xp/git.json"))
    assert recorded["repository"]["toplevel"] == str(repo.resolve())
