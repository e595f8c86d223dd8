"""The run list's local read model of a team server over plain HTTP (store/team_mirror.py).

Against the session's real ``mlflow server`` on PostgreSQL: the mirror answers every query of
``test_runquery`` as the server's own search does; runs started, ended, renamed, archived and
untagged by plain ``MlflowClient`` calls show after one refresh; edits made here at once;
hostile runs do not break it; with the server killed the list still answers from it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from typing import Any

import pytest

import jupyterlab_xp as xp
from jupyterlab_xp.core import tags
from jupyterlab_xp.core.config import STORE_DATABASE_ENV
from jupyterlab_xp.core.errors import StoreError
from jupyterlab_xp.store.mlflow_store import MlflowStore
from jupyterlab_xp.store.query import parse_run_query
from jupyterlab_xp.store.team_mirror import TeamMirror
from jupyterlab_xp.views import manage
from jupyterlab_xp.views.runview import list_runs_from, list_runs_mlflow, run_detail
from test_runquery import QUERIES, SPECS, nan_as_text

STORE_KINDS = ("team",)


@pytest.fixture
def mirror(store: MlflowStore) -> Iterator[TeamMirror]:
    """The store's mirror; pages of 3 so that the first fill takes several."""
    made = TeamMirror(store, page_size=3)
    yield made
    made.stop()


def record(n: int, experiment: str = "mirror") -> list[str]:
    ids = []
    for i in range(n):
        with xp.start(f"run {i}", experiment=experiment, seed=i) as run:
            xp.log({"loss": 1.0 / (i + 1)})
        ids.append(run.run_id)
    return ids


def listed(mirror: TeamMirror, **args: list[str]) -> dict[str, dict[str, Any]]:
    """Every run the mirror lists for ``args``, by id."""
    page = mirror.list_summaries(parse_run_query({"limit": ["1000"], **args}))
    assert page is not None
    return {row["run_id"]: row for row in page[0]}


def test_the_mirror_answers_every_query_as_the_servers_search(
    store: MlflowStore, mirror: TeamMirror
) -> None:
    # Given runs recorded through the team server, and no database URI
    for n, (name, experiment, status, run_tags, accuracy) in enumerate(SPECS):
        xp.start(name, experiment=experiment, seed=n, tags=run_tags)
        xp.param(width=n)
        if accuracy is not None:
            xp.log({"val/accuracy": accuracy})
        xp.stop(status)
    assert store.index_source is None
    # When the list is asked before the mirror is filled, then after
    first = list_runs_from(store, parse_run_query({}), mirror)
    mirror.refresh()
    # Then the first answer came from MLflow over HTTP, later ones from the mirror
    assert first[2] == "mlflow"
    assert mirror.complete
    assert list_runs_from(store, parse_run_query({}), mirror)[2] == "mirror"
    assert list_runs_from(store, parse_run_query({}))[2] == "mlflow"  # no mirror: HTTP
    # ...and every query lists the same runs, in the same order, as the server's search
    for args in QUERIES:
        query = parse_run_query(args)
        page = mirror.list_summaries(query)
        assert page is not None
        slow, slow_token = list_runs_mlflow(store, query)
        assert [r["run_id"] for r in page[0]] == [r["run_id"] for r in slow], args
        assert nan_as_text(page[0]) == nan_as_text(slow), args
        assert (page[1] is None) == (slow_token is None), args
    # ...the mirror is a private file named by a hash (the URI may hold credentials)
    assert stat.S_IMODE(os.stat(mirror.path).st_mode) == 0o600
    assert "127.0.0.1" not in mirror.path.name


def test_a_database_uri_is_read_before_the_mirror(
    store: MlflowStore, mirror: TeamMirror, postgres: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a run and the team database's URI
    record(1)
    monkeypatch.setenv(STORE_DATABASE_ENV, postgres.uri())
    # When the list is asked with a mirror at hand
    rows, _, source = list_runs_from(store, parse_run_query({}), mirror)
    # Then the database answers and the mirror is not even filled
    assert source == "database"
    assert len(rows) == 1
    assert not mirror.complete


def test_with_a_database_uri_the_servers_thread_connects_and_fills_nothing(
    store: MlflowStore, postgres: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    from jupyterlab_xp.store import index_db

    # Given a run and the team database's URI, as the server is given them
    record(1)
    uri = postgres.uri()
    monkeypatch.setenv(STORE_DATABASE_ENV, uri)
    earlier = index_db._ENGINES.pop(uri, None)  # a connection made before the server's
    if earlier is not None:
        earlier.dispose()
    made = TeamMirror(store)
    try:
        # When the server starts its mirror's thread
        made.start()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and any(
            t.name == "xp-team-mirror" and t.is_alive() for t in threading.enumerate()
        ):
            time.sleep(0.1)
        # Then the thread has connected to the database and ended, the mirror left unfilled
        # (lists read the database: filling it would read the whole server over HTTP)
        assert not any(t.name == "xp-team-mirror" and t.is_alive() for t in threading.enumerate())
        assert uri in index_db._ENGINES
        assert not made.complete
    finally:
        made.stop()


def test_changes_made_on_the_server_show_after_one_refresh(
    store: MlflowStore, mirror: TeamMirror, team_server: Any
) -> None:
    from mlflow.tracking import MlflowClient

    # Given a filled mirror over four finished runs
    first, second, third, fourth = record(4)
    mirror.refresh()
    assert set(listed(mirror)) == {first, second, third, fourth}
    client = MlflowClient(tracking_uri=team_server.url)
    exp_id = client.get_experiment_by_name("mirror").experiment_id
    # When a teammate starts a run with plain MLflow calls
    started = client.create_run(
        exp_id, run_name="theirs", tags={tags.KIND: tags.KIND_NOTEBOOK}
    ).info.run_id
    # ...and another in an experiment the mirror has not seen yet
    new_exp = client.create_experiment("their own")
    elsewhere = client.create_run(new_exp, tags={tags.KIND: tags.KIND_NOTEBOOK}).info.run_id
    # Then the next list shows both running (each list fetches new and running runs)
    rows = listed(mirror)
    assert rows[started]["status"] == rows[elsewhere]["status"] == "RUNNING"
    assert rows[elsewhere]["experiment"] == "their own"
    # When they end it, the next list shows it ended (running runs are read at every list)
    client.set_terminated(started, "FAILED")
    client.set_terminated(elsewhere)
    assert listed(mirror)[started]["status"] == "FAILED"
    # When they rename, archive and untag finished runs, and log a late metric
    client.set_tag(first, tags.MLFLOW_RUN_NAME, "renamed by a teammate")
    client.delete_run(second)
    client.delete_tag(third, tags.KIND)
    client.log_metric(fourth, "late", 2.5)
    mirror.refresh()
    # Then one refresh shows each change
    active = listed(mirror)
    assert active[first]["name"] == "renamed by a teammate"
    assert second not in active
    assert second in listed(mirror, lifecycle=["archived"])
    assert third not in active
    assert active[fourth]["metrics"]["late"] == 2.5
    # ...as the server's own search says
    slow, _ = list_runs_mlflow(store, parse_run_query({"limit": ["1000"]}))
    assert nan_as_text(list(active.values())) == nan_as_text(slow)


def test_a_run_created_long_after_it_started_is_found_by_the_background_pass(
    store: MlflowStore, mirror: TeamMirror, team_server: Any
) -> None:
    import time

    from mlflow.tracking import MlflowClient

    # Given a filled mirror
    record(2)
    mirror.refresh()
    client = MlflowClient(tracking_uri=team_server.url)
    exp_id = client.get_experiment_by_name("mirror").experiment_id
    # When a run that started two hours ago reaches the server only now (a recording synced
    # after an outage): older than every start-time margin the refreshes look back over
    two_hours_ago = int(time.time() * 1000) - 2 * 3600 * 1000
    late = client.create_run(
        exp_id, start_time=two_hours_ago, tags={tags.KIND: tags.KIND_NOTEBOOK}
    ).info.run_id
    client.set_terminated(late)
    # Then the lists' own refreshes do not see it, and the background pass does
    assert late not in listed(mirror)
    mirror.refresh()
    assert late in listed(mirror)


def test_the_background_pass_reads_the_list_once_and_drops_what_it_no_longer_sees(
    store: MlflowStore, team_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlflow.tracking import MlflowClient

    # Given a filled mirror over five finished runs, its background pass two runs a slice
    ids = record(5)
    mirror = TeamMirror(store, page_size=3, slice_size=2)
    try:
        mirror.refresh()
        assert set(listed(mirror)) == set(ids)
        client = MlflowClient(tracking_uri=team_server.url)
        # When a teammate untags a run in the middle of the list and renames the last one
        client.delete_tag(ids[2], tags.KIND)
        client.set_tag(ids[4], tags.MLFLOW_RUN_NAME, "renamed by a teammate")
        searches: list[str] = []
        real = store.search_every_run

        def counted(exp_ids: Any, filter_string: str = "", *args: Any, **kw: Any) -> Any:
            searches.append(filter_string)
            return real(exp_ids, filter_string, *args, **kw)

        monkeypatch.setattr(store, "search_every_run", counted)
        # ...and the background pass walks the whole list, a slice at a time
        rows = [listed(mirror)]
        for _ in range(3):
            mirror.refresh(hot=False)
            rows.append(listed(mirror))
        # Then the untagged run is gone and the rename shows, and no other run ever left
        assert set(rows[-1]) == set(ids) - {ids[2]}
        assert rows[-1][ids[4]]["name"] == "renamed by a teammate"
        assert all(set(r) >= set(ids) - {ids[2]} for r in rows)
        # ...from one page of the list per slice: the only run read again by id is the one
        # that page no longer listed (its absence confirmed before it is dropped)
        by_id = [s for s in searches if "run_id IN" in s]
        assert by_id, searches
        assert all(ids[2] in s and not any(i in s for i in ids if i != ids[2]) for s in by_id)
    finally:
        mirror.stop()


def test_edits_made_here_are_in_the_mirror_at_once(store: MlflowStore, mirror: TeamMirror) -> None:
    # Given a filled mirror over two finished runs
    first, second = record(2)
    mirror.refresh()
    # When one is renamed and the other archived through this server's views
    manage.edit_run(store, store.get_run(first), name="renamed here")
    run = store.get_run(first)
    assert run is not None
    mirror.apply(run)
    manage.archive_run(store, store.get_run(second))
    archived = store.get_run(second)
    assert archived is not None
    mirror.apply(archived)
    # Then the mirror shows both without a slice of finished runs
    active = listed(mirror)
    assert active[first]["name"] == "renamed here"
    assert second not in active
    assert listed(mirror, lifecycle=["archived"])[second]["archived"] is True


def test_hostile_runs_do_not_break_the_mirror(
    store: MlflowStore, mirror: TeamMirror, team_server: Any
) -> None:
    from hostile_runs import hostile_run, plain_run

    # Given a well-formed run beside runs with absurd tags, params and counts
    good = plain_run(team_server.url)
    hostile = [
        hostile_run(team_server.url, {tags.CELLS: "many", tags.ERRORS: "-1e309"}, {}),
        hostile_run(
            team_server.url,
            {"big": "x" * 7000, "émoji 🙂": "\u202e\x1b[31m\u0085", "team": "vision 🙂"},
            {},
        ),
        hostile_run(
            team_server.url,
            {tags.NOTEBOOK_PATH: "../../etc/passwd", tags.DIED_IN_CELL: "{" * 500},
            {},
            params={tags.SEED_PARAM: "not a seed", "p": "\x7f\u2028"},
        ),
    ]
    # When the mirror is filled and lists them
    mirror.refresh()
    rows = listed(mirror)
    # Then every run is listed, each as the server's search shows it
    assert set(rows) == {good, *hostile}
    slow, _ = list_runs_mlflow(store, parse_run_query({"limit": ["1000"]}))
    assert list(rows.values()) == slow
    assert rows[hostile[0]]["unreadable"]  # a count that does not parse is named, not fatal
    assert listed(mirror, tag=["team=vision 🙂"]).keys() == {hostile[1]}


def test_with_the_server_killed_the_list_answers_from_the_mirror(
    store: MlflowStore, mirror: TeamMirror, team_server: Any
) -> None:
    # Given a filled mirror over two runs
    ids = record(2)
    mirror.refresh()
    # When the team server is killed
    team_server.kill()
    try:
        # Then a refresh fails with a store error, and the list still answers, with its age
        with pytest.raises(StoreError):
            mirror.refresh()
        assert set(listed(mirror)) == set(ids)
        rows, _, source = list_runs_from(store, parse_run_query({}), mirror)
        assert source == "mirror"
        assert {r["run_id"] for r in rows} == set(ids)
        age = mirror.age()
        assert age is not None
        assert mirror.error
    finally:
        team_server.start()
    # ...and once the server is back, a refresh succeeds and clears the error
    mirror.refresh()
    assert mirror.error is None


def test_a_run_detail_reads_its_files_without_looking_the_run_up_again(
    store: MlflowStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a finished run with its xp/ files on the team server
    (run_id,) = record(1)
    run = store.get_run(run_id)
    assert run is not None
    # When its detail is read, counting the client's calls by run id
    calls: list[str] = []
    for name in ("get_run", "download_artifacts", "list_artifacts"):
        real = getattr(store.client, name)

        def counted(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(store.client, name, counted)
    detail = run_detail(store, run)
    # Then its files were read through the run's artifact repository (one request each),
    # not by run id (a lookup of the run for every file, and of logged models for a listing)
    assert detail["artifacts_error"] is None
    assert detail["environment"] is not None and detail["hardware"] is not None
    assert calls == []
