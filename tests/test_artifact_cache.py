"""A finished run's artifacts are fetched from the store once, then from the local cache."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import jupyterlab_xp as xp
from jupyterlab_xp.store.artifact_cache import ArtifactCache
from jupyterlab_xp.views.runview import run_detail


def test_a_finished_runs_detail_reads_its_artifacts_once(store: Any, xp_home: Path) -> None:
    # Given a finished run whose detail was opened once
    with xp.start("cached", seed=3) as handle:
        xp.log({"loss": 0.5})
    first = run_detail(store, store.get_run(handle.run_id))
    assert first["seeds"]["seed"] == 3 and first["environment"]
    # When its artifacts disappear from the store (as if the server's artifact store were away)
    shutil.rmtree(xp_home / "artifacts")
    second = run_detail(store, store.get_run(handle.run_id))
    # Then the detail is the same, read from the cache
    assert second["seeds"] == first["seeds"]
    assert second["environment"] == first["environment"]
    assert second["cells_journal"] == first["cells_journal"]


def test_a_running_runs_artifacts_are_not_cached(store: Any, xp_home: Path) -> None:
    # Given a run still recording, whose detail is opened
    handle = xp.start("live", seed=1)
    try:
        handle.run_id  # noqa: B018 - waits until the run exists
        run_detail(store, store.get_run(handle.run_id))
    finally:
        xp.stop()
    # Then nothing of it was kept: its artifacts may still change
    assert not list((xp_home / "cache" / "artifacts").glob("*/*"))


def test_the_cache_keeps_to_its_size_oldest_first(tmp_path: Path) -> None:
    cache = ArtifactCache(tmp_path, "sqlite:////x.db", max_bytes=250)
    for i in range(5):
        cache.put(f"run{i}", "xp/seeds.json", "x" * 100)
    kept = [i for i in range(5) if cache.get(f"run{i}", "xp/seeds.json") is not None]
    assert kept == [3, 4]
    # Keys are the store, the run and the path: another store does not see these entries
    assert ArtifactCache(tmp_path, "http://other").get("run4", "xp/seeds.json") is None
