"""A running run's detail, as the panel polls it: live cells, and no download it does not need."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_xp.core import tags
from jupyterlab_xp.journal.rundir import ARTIFACTS_DIR
from jupyterlab_xp.views.runview import run_detail

STORE_KINDS = ("sqlite", "team")

TOKEN = "ghp_" + "Zq8x" * 9  # a GitHub token's shape: redacted on its way to the store


# What the sync process captures at a run's start and then uploads, one file after another.
CAPTURED = (
    tags.ENVIRONMENT_ARTIFACT,
    tags.LOCK_ARTIFACT,
    tags.HARDWARE_ARTIFACT,
    tags.GIT_ARTIFACT,
    tags.GIT_DIFF_ARTIFACT,
)


def _running_run(store: Any, xp_home: Path) -> Any:
    """The test's one run, once the store has it and every file captured at its start.

    The captures are all on disk before the first upload, and uploaded one at a time: a detail
    read between two uploads would see the later ones arrive as changes (seen under load).
    """
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = store.search_runs()
        local_id = runs[0].data.tags.get(tags.LOCAL_ID, "") if runs else ""
        captured = xp_home / "runs" / local_id / ARTIFACTS_DIR
        if runs and (captured / tags.ENVIRONMENT_ARTIFACT).exists():
            listed = store.artifacts.sizes(runs[0].info.run_id, tags.ARTIFACT_DIR)
            wanted = {f"{tags.ARTIFACT_DIR}/{n}" for n in CAPTURED if (captured / n).exists()}
            if wanted <= listed.keys():
                return store.get_run(runs[0].info.run_id)
        time.sleep(0.2)
    raise AssertionError("the run and its captured files never reached the store")


class _Downloads:
    """Counts the store's artifact downloads (the real client does them)."""

    def __init__(self, store: Any) -> None:
        self.paths: list[str] = []
        real = store.client.download_artifacts

        def counted(run_id: str, path: str, dst: str | None = None) -> str:
            self.paths.append(path)
            return str(real(run_id, path, dst))

        store.client.download_artifacts = counted


@pytest.mark.kernel
def test_a_running_runs_detail_shows_its_cells_live_and_redacted(
    kernel_factory: Any, store: Any, xp_home: Path
) -> None:
    # Given a kernel recording on this machine, two cells in (one holding a token)
    k = kernel_factory()
    assert k.execute("%load_ext jupyterlab_xp\n%xp start live")["status"] == "ok"
    assert k.execute(f"token = {TOKEN!r}\nx = 41")["status"] == "ok"
    assert k.execute("x + 1")["status"] == "ok"
    run = _running_run(store, xp_home)
    assert run.info.status == "RUNNING"
    # When the panel polls its detail
    detail = run_detail(store, run)
    # Then the cells are there already (read from the local journal), redacted as uploads are
    sources = [cell.get("source", "") for cell in detail["cells_journal"]]
    assert any("x + 1" in s for s in sources), sources
    assert any("token =" in s for s in sources)
    assert not any(TOKEN in s for s in sources)
    assert detail["artifacts_error"] is None
    assert k.execute("%xp stop")["status"] == "ok"


@pytest.mark.kernel
def test_polling_a_running_run_downloads_only_what_changed(
    kernel_factory: Any, store: Any, xp_home: Path
) -> None:
    # Given a running run whose detail was read once
    k = kernel_factory()
    assert k.execute("%load_ext jupyterlab_xp\n%xp start polled")["status"] == "ok"
    assert k.execute("y = 1")["status"] == "ok"
    run = _running_run(store, xp_home)
    downloads = _Downloads(store)
    first = run_detail(store, run)
    assert first["environment"] is not None  # uploaded at start
    fetched = list(downloads.paths)
    # (files the run has not written yet, such as cells.jsonl and order.json, are not asked for)
    assert f"{tags.ARTIFACT_DIR}/{tags.CELLS_ARTIFACT}" not in fetched
    assert f"{tags.ARTIFACT_DIR}/{tags.ORDER_ARTIFACT}" not in fetched
    # When it is polled again, nothing having changed
    second = run_detail(store, store.get_run(run.info.run_id))
    # Then nothing is downloaded again, and the detail is the same
    assert downloads.paths == fetched
    assert second["environment"] == first["environment"]
    assert k.execute("%xp stop")["status"] == "ok"
