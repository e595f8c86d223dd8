"""The hostile-store suite (issue 17): generated hostile runs against every REST route and every
``jupyter xp`` command.

Hypothesis generates runs as anyone with write access to a shared store could write them with
plain ``MlflowClient`` calls: random types, sizes, nesting, unicode and control characters in
every tag and ``xp/`` file the product reads, code that would leave a marker file if it ever
ran, and a model version registered from each run with a hostile name and lineage tags. The
routes come from the app's own route table and the commands from the CLI's own parser, so a new
route or command is driven here without new code. Every answer must be below 500 with a
one-line message, no command may raise, nothing may run, and the well-formed run stays listed.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import tornado.web
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import xp_server_config
from hostile_runs import (
    READ_ARTIFACTS,
    READ_TAGS,
    deep_json,
    hostile_run,
    hostile_version,
    plain_run,
)
from jupyterlab_xp.core import tags
from jupyterlab_xp.frontends import cli
from jupyterlab_xp.server.app import XpExtensionApp

pytest_plugins = ["pytest_jupyter.jupyter_server"]

API = "jupyterlab-xp/api/v1"
EXAMPLES = 4  # hostile runs per test: each mutates every tag and file at once
METRIC = "val/accuracy"  # the metric every generated run logged
NEVER_SEEN = "0" * 64  # a code digest no plan has: a request that ran code would need the real one
TRICKY = [
    "lots",
    "٣٣٣",
    "-1",
    "1e999",
    "NaN",
    "\x1b[2J\x1b]0;title\x07\r\n\t\x9b\u202e",
    "../../etc/passwd",
    "9" * 30,
    "",
]
text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30),
    st.sampled_from(TRICKY),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)
# The keys the recorder writes in each file, so that generated files also look almost right.
KNOWN_KEYS = {
    tags.SEEDS_ARTIFACT: ("seed", "seed_source", "libraries", "user_calls", "determinism"),
    tags.ORDER_ARTIFACT: ("linear", "reasons", "out_of_order", "re_run", "never_run"),
    tags.ENVIRONMENT_ARTIFACT: ("python", "platform", "packages", "container", "env"),
    tags.HARDWARE_ARTIFACT: ("cpu", "gpus", "memory", "torch"),
    tags.GIT_ARTIFACT: ("repository", "modules"),
    tags.VERIFY_ARTIFACT: ("verdict", "tolerance", "order", "python", "outputs", "metrics"),
    tags.CONFIG_ARTIFACT: ("model", "lr"),
    tags.CONFIG_SCHEMA_ARTIFACT: ("type", "properties", "$defs", "$ref", "anyOf"),
}
CELL_KEYS = ("seq", "execution_count", "cell_id", "source", "start", "status", "duration",
             # the readings each cell's verdict is judged from (views/verdict.py)
             "loader_wait", "busy", "peak_rss_mb", "swap_in_mb_per_s", "gpu_utilization_percent",
             "gpu_memory_busy_percent", "gpu_memory_share")  # fmt: skip
# What a dataset input's source JSON holds (capture/provenance.py), and its DVC pointer's part.
DATASET_KEYS = ("uri", "sha256", "dvc", "card", "card_note", "fingerprints", "splits", "revision",
                "pinned")  # fmt: skip
CARD_KEYS = ("path", "kind", "sha256", "bytes", "license")
DVC_KEYS = ("pointer", "stage", "out", "hash", "hash_name", "size", "nfiles", "remote", "git",
            "note")  # fmt: skip


def _shaped(keys: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.fixed_dictionaries({}, optional=dict.fromkeys(keys, json_values)).map(json.dumps)


def file_text(name: str, marker: Path) -> st.SearchStrategy[str]:
    """Text for ``xp/<name>``: any JSON, any text, almost the right shape, or far too deep."""
    code = f'open(r"{marker}", "w").write("ran")'
    if name == tags.CELLS_ARTIFACT:
        good = json.dumps({"seq": 1, "source": code, "start": 0.0, "status": "ok"})
        lines = st.lists(_shaped(CELL_KEYS) | text, max_size=4)
        return lines.map(lambda rows: "\n".join([good, *rows]))
    if name == tags.PROFILES_ARTIFACT:  # a list of profiled cells, each with its operators
        operator = _shaped(("name", "self_cpu_us", "calls", "self_cuda_us")).map(json.loads)
        cell = st.fixed_dictionaries(
            {"cell": json_values, "operators": st.lists(operator, max_size=3)},
            optional=dict.fromkeys(("steps", "cuda", "trace"), json_values),
        )
        return st.one_of(st.lists(cell, max_size=3).map(json.dumps), text)
    if name == tags.NOTEBOOK_ARTIFACT:
        cell = {"cell_type": "code", "source": code, "metadata": {}, "outputs": []}
        return st.one_of(st.just(json.dumps({"cells": [cell], "nbformat": 4})), text)
    return st.one_of(
        json_values.map(json.dumps),
        text,
        _shaped(KNOWN_KEYS.get(name, ("a",))),
        st.sampled_from([deep_json(100_000), "[]", "null", '{"format": "abc"}']),
    )


def dataset_source() -> st.SearchStrategy[str]:
    """A dataset input's source text: any JSON or text, almost the right shape, or too deep."""
    pointer = st.fixed_dictionaries({}, optional=dict.fromkeys(DVC_KEYS, json_values))
    card = st.fixed_dictionaries({}, optional=dict.fromkeys(CARD_KEYS, json_values))
    shaped = st.fixed_dictionaries(
        {"dvc": pointer, "card": card}, optional=dict.fromkeys(DATASET_KEYS[:2], json_values)
    )
    return st.one_of(
        json_values.map(json.dumps),
        text,
        _shaped(DATASET_KEYS),
        shaped.map(json.dumps),
        st.sampled_from([deep_json(100_000), "[]", "null"]),
    )


def run_specs(marker: Path) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "tags": st.fixed_dictionaries(dict.fromkeys(READ_TAGS, text)),
            "files": st.fixed_dictionaries(
                {name: file_text(name, marker) for name in READ_ARTIFACTS}
            ),
            "params": st.dictionaries(
                st.sampled_from(["seed", "seed.data", "lr", "x"]), text, max_size=3
            ),
            "model": text,
            "lineage": st.dictionaries(st.sampled_from(["source_run", "params", "gate"]), text),
            "datasets": st.lists(st.tuples(text, dataset_source()), max_size=3),
        }
    )


def generated(marker: Path) -> list[dict[str, Any]]:
    """EXAMPLES hostile run specs, the same on every machine (derandomized, no database)."""
    found: list[dict[str, Any]] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(run_specs(marker))
    def collect(spec: dict[str, Any]) -> None:
        found.append(spec)

    collect()
    return found


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return xp_server_config()


@pytest.fixture
def hostile_store(store: Any, tmp_path: Path) -> dict[str, Any]:
    """A store holding one well-formed run and the generated hostile runs (with valid tag
    values MLflow accepts: long values are cut to its limit)."""
    marker = tmp_path / "executed"
    uri = store.location.tracking_uri
    hostile, versions = [], []
    for spec in generated(marker):
        run_id = hostile_run(
            uri, spec["tags"], spec["files"], spec["params"], datasets=spec["datasets"]
        )
        versions.append(hostile_version(uri, run_id, spec["model"], spec["lineage"]))
        hostile.append(run_id)
    plain = plain_run(uri, experiment="plain")
    run_tags = [(k, v) for spec in generated(marker) for k, v in spec["tags"].items() if v]
    return {
        "plain": plain,
        "hostile": hostile,
        "versions": versions,
        "marker": marker,
        "tags": run_tags,
    }


def routes() -> list[tuple[str, type[tornado.web.RequestHandler]]]:
    """The app's route table, as the server registers it."""
    app = XpExtensionApp()
    app.initialize_handlers()
    return list(app.handlers)


def _methods(handler: type[tornado.web.RequestHandler]) -> list[str]:
    base = tornado.web.RequestHandler
    return [
        m
        for m in ("GET", "PATCH", "POST", "DELETE", "PUT")
        if getattr(handler, m.lower()) is not getattr(base, m.lower())
    ]


def requests(
    run_ids: list[str], plain: str, versions: list[tuple[str, str]]
) -> Iterator[tuple[str, str, Any]]:
    """(method, path with query, body) for every route and method over ``run_ids`` (a model
    version's route over ``versions``, each name percent-encoded as a client sends it)."""
    bodies = [{}, {"name": "renamed", "note": "n"}, {"run_id": None, "code_sha256": NEVER_SEEN}]
    # Overrides checked against the run's recorded config (a promotion's; a sweep's are a list)
    bodies.append({"code_sha256": NEVER_SEEN, "params": {"model.lr": 0.1, "lr": 0.2}})
    for pattern, handler in routes():
        groups = re.findall(r"\(\?P<(\w+)>", pattern)
        fills = [{"key": METRIC, "run_id": r} for r in (run_ids if groups else [plain])]
        if "version" in groups:
            fills = [{"name": quote(n, safe=""), "version": v} for n, v in versions]
        for fill in fills:
            run_id = fill.get("run_id", plain)
            path = re.sub(
                r"\(\?P<(\w+)>[^)]*\)",
                lambda m, f=fill, r=run_id: f.get(m.group(1), r),
                pattern,
            ).removeprefix("/")
            queries = [""]
            if not groups:
                every = ",".join([*run_ids, plain][:20])
                queries += [f"?ids={every}", f"?ids={every}&metric={METRIC}"]
                queries.append(f"?ids={every}&hold_seed=data")  # compare holds seed.data
                queries.append(f"?ids={every}&metric={METRIC}&hold_seed=data")  # its curves
                queries += [f"?run_id={r}" for r in run_ids] + ["?q=%1B%FF", "?format=csv"]
            for method in _methods(handler):
                for query in queries if method == "GET" else [""]:
                    sent = bodies if method in ("POST", "PATCH", "PUT") else [None]
                    for body in sent:
                        body = body if body is None else {**body, "run_id": run_id}
                        yield method, path + query, body


def cli_invocations(run_ids: list[str], plain: str) -> Iterator[list[str]]:
    """argv for every ``jupyter xp`` command over each hostile run, from the CLI's parser."""
    parser = cli._parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        for run_id in run_ids:
            argv = [name]
            for action in command._actions:
                if action.option_strings:
                    if action.required:
                        value = next(iter(action.choices)) if action.choices else run_id
                        argv += [action.option_strings[0], str(value)]
                elif action.nargs in ("+", "*"):
                    argv += [run_id, plain]
                elif action.nargs == argparse.REMAINDER:
                    argv += ["show", run_id]
                else:
                    argv.append(run_id)
            options = command._option_string_actions
            argv += ["--dry-run"] if "--dry-run" in options else []
            yield argv
            if "--hold-seed" in options:  # compare holding seed.data, which runs may record
                yield [*argv, "--hold-seed", "data"]
            if "--json" in options:
                yield [*argv, "--json"]


async def test_every_route_over_hostile_runs(
    http_server_client: Any, jp_auth_header: Any, jp_base_url: str, hostile_store: Any
) -> None:
    # Given a store with a well-formed run and generated hostile runs
    plain, hostile = hostile_store["plain"], hostile_store["hostile"]
    versions = hostile_store["versions"]
    answered = []
    # When every route of the app is asked every way over them
    for method, path, body in requests(hostile, plain, versions):
        response = await http_server_client.fetch(
            f"{jp_base_url}{path}",
            method=method,
            headers=jp_auth_header,
            body=None if body is None else json.dumps(body),
            raise_error=False,
            allow_nonstandard_methods=True,
            request_timeout=300,  # compare imports SciPy on first use: slow on a loaded machine
        )
        answered.append((method, path, response.code, response.body))
    listed = await http_server_client.fetch(
        f"{jp_base_url}jupyterlab-xp/api/v1/runs", headers=jp_auth_header
    )
    # Then no answer is a 5xx or a traceback, errors are one line, and nothing ran
    assert len({(m, p.split("?")[0]) for m, p, _, _ in answered}) > len(routes())
    whole = (
        {f"{API}/runs/{r}{part}" for r in hostile for part in ("", "/models")}
        | {f"{API}/compare?ids={','.join(hostile)},{plain}"}
        | {f"{API}/models/{quote(n, safe='')}/{v}" for n, v in versions}
    )
    assert {p for m, p, code, _ in answered if m == "GET" and code == 200} >= whole
    for method, path, code, raw in answered:
        assert code < 500, (method, path, raw[:300])
        assert b"Traceback" not in raw, (method, path)
        if code >= 400:
            assert "\n" not in json.loads(raw)["message"], (method, path)
    assert not hostile_store["marker"].exists()
    # ...and the well-formed run is still listed
    assert plain in {r["run_id"] for r in json.loads(listed.body)["runs"]}


def test_every_cli_command_over_hostile_runs(
    hostile_store: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a store with a well-formed run and generated hostile runs
    plain, hostile = hostile_store["plain"], hostile_store["hostile"]
    done = []
    # When every `jupyter xp` command is run over each of them (in process: a raised exception
    # is a traceback in a shell)
    for argv in cli_invocations(hostile, plain):
        code = cli.main(argv)
        out = capsys.readouterr()
        done.append((argv, code, out.err))
    assert cli.main(["runs", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    # Then each exits 0, 1 or 2 with at most a one-line error, nothing ran, and the
    # well-formed run is still listed
    assert {argv[0] for argv, _, _ in done} >= {"runs", "show", "compare", "promote"}
    for argv, code, err in done:
        assert code in (0, 1, 2), argv
        assert "Traceback" not in err and err.count("\n") <= 1, (argv, err)
    assert not hostile_store["marker"].exists()
    assert plain in {r["run_id"] for r in listed}


@pytest.mark.stores("team")
async def test_the_run_list_through_the_team_mirror_over_hostile_runs(
    jp_serverapp: Any,
    http_server_client: Any,
    jp_auth_header: Any,
    jp_base_url: str,
    hostile_store: Any,
    store: Any,
) -> None:
    import asyncio
    from urllib.parse import urlencode

    from jupyterlab_xp.core.errors import XpError
    from jupyterlab_xp.store.query import parse_run_query
    from jupyterlab_xp.views.runview import list_runs_mlflow
    from test_runquery import QUERIES

    # Given the generated hostile runs on a team server reached over plain HTTP (no database
    # URI), and the server's local read model of it filled
    plain, hostile = hostile_store["plain"], hostile_store["hostile"]
    mirror = jp_serverapp.web_app.settings["xp_mirror"]
    await asyncio.to_thread(mirror.refresh)
    # When the list is asked every way the parity tests ask it, and each hostile run's tags
    # are asked for as a filter
    asked = [*QUERIES, {"limit": ["1000"]}]
    asked += [{"tag": [f"{key}={value}"]} for key, value in hostile_store["tags"][:3]]
    for args in asked:
        response = await http_server_client.fetch(
            f"{jp_base_url}{API}/runs?{urlencode(args, doseq=True)}",
            headers=jp_auth_header,
            raise_error=False,
        )
        # Then each answers from the mirror, below 500, and lists what MLflow's search lists
        try:
            query = parse_run_query(args)
        except XpError:  # a filter the list refuses (a hostile tag value): 400, one line
            assert response.code == 400, (args, response.body[:300])
            continue
        assert response.code == 200, (args, response.body[:300])
        assert response.headers["X-XP-Runs-Source"] == "mirror", args
        rows = json.loads(response.body)["runs"]
        slow, _ = await asyncio.to_thread(list_runs_mlflow, store, query)
        assert [r["run_id"] for r in rows] == [r["run_id"] for r in slow], args
    listed = await http_server_client.fetch(
        f"{jp_base_url}{API}/runs?limit=1000", headers=jp_auth_header
    )
    assert {plain, *hostile} <= {r["run_id"] for r in json.loads(listed.body)["runs"]}
    # ...and each run's detail (its experiment's name from the mirror) is below 500
    for run_id in [plain, *hostile]:
        response = await http_server_client.fetch(
            f"{jp_base_url}{API}/runs/{run_id}", headers=jp_auth_header, raise_error=False
        )
        assert response.code < 500, (run_id, response.body[:300])
        assert b"Traceback" not in response.body
    assert not hostile_store["marker"].exists()
