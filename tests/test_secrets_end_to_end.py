"""Secrets never reach the store: canaries in the kernel's environment and in a git remote."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import write_notebook

pytestmark = pytest.mark.kernel

CANARIES = {
    "AWS_SECRET_ACCESS_KEY": "canaryAWS0123456789secretvalue",
    "HF_TOKEN": "hf_canaryHF0123456789abcdef",
    "DATABASE_URL": "postgres://u:canaryDBpass@db.internal/app",
    # A token-shaped value under an innocent, allow-listed name.
    "CUDA_VISIBLE_DEVICES": "ghp_canaryGH0123456789abcdefABCDEF",
    "MLFLOW_EXPERIMENT_NAME": "secret-free",
}
GIT_TOKEN = "canaryGITtoken987"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _everything_written(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file())


def test_canary_secrets_appear_nowhere_in_store_or_artifacts(
    kernel_factory: Any, store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given a notebook in a git repo whose remote carries a token, and a kernel whose
    # environment holds canary secrets
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "remote", "add", "origin", f"https://alice:{GIT_TOKEN}@example.com/team/repo.git")
    nb = write_notebook(repo / "nb.ipynb", [{"source": "%xp start"}])
    _git(repo, "add", "nb.ipynb")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "init")
    k = kernel_factory(notebook=nb, extra_env=CANARIES)
    # When a run is recorded and stopped
    assert k.execute("%load_ext jupyterlab_xp\n%xp start")["status"] == "ok"
    assert k.execute("%xp stop")["status"] == "ok"
    # Then no canary is in the SQLite store, the artifacts, or the journals
    written = _everything_written(xp_home)
    for name, value in CANARIES.items():
        if name == "MLFLOW_EXPERIMENT_NAME":
            continue
        assert value.encode() not in written, name
    assert b"canaryDBpass" not in written
    assert GIT_TOKEN.encode() not in written
    # ...while the run and its git remote (without the token) are recorded
    run = store.search_runs()[0]
    assert run.data.tags["xp.git.remote"].startswith("https://")
    assert "example.com/team/repo.git" in run.data.tags["xp.git.remote"]
    assert run.info.status == "FINISHED"
    assert store.get_run(run.info.run_id) is not None
