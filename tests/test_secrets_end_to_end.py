"""Secrets never reach the store: every form of the corpus, from every field a run records."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from conftest import write_notebook
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.journal.jsonl import read_journal
from jupyterlab_xp.promote.source import from_run
from jupyterlab_xp.views.runview import run_detail
from secret_corpus import FORMS

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


def _committed_repo(repo: Path, files: dict[str, str], remote: str | None = None) -> Path:
    """A git repository at ``repo`` whose one commit holds ``files``."""
    repo.mkdir()
    _git(repo, "init", "-q")
    if remote is not None:
        _git(repo, "remote", "add", "origin", remote)
    for name, text in files.items():
        (repo / name).write_text(text)
    _git(repo, "add", *files)
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "init")
    return repo


def _everything_written(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file())


# README: "Secrets never reach the store"
def test_canary_secrets_appear_nowhere_in_store_or_artifacts(
    kernel_factory: Any, store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # README: "`AWS_SECRET_ACCESS_KEY`, `HF_TOKEN` and the like are never read at all"; "Git
    # remotes are stored without credentials".
    # Given a notebook in a git repo whose remote carries a token, and a kernel whose
    # environment holds canary secrets
    remote = f"https://alice:{GIT_TOKEN}@example.com/team/repo.git"
    repo = _committed_repo(tmp_path / "project", {"train.py": "x = 1\n"}, remote)
    nb = write_notebook(repo / "nb.ipynb", [{"source": "%xp start"}])
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


# -- every secret form, planted everywhere a notebook run can carry it ---------------------------


def _saved_notebook(path: Path, cells: list[dict[str, Any]]) -> Path:
    """A notebook as JupyterLab saves it: code cells with their outputs."""
    doc = {
        "cells": [
            {
                "cell_type": "code",
                "id": c["id"],
                "metadata": {},
                "execution_count": n,
                "source": c["source"].splitlines(keepends=True),
                "outputs": c.get("outputs", []),
            }
            for n, c in enumerate(cells, start=1)
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(doc, indent=1))
    return path


def _store_as_text(store: Any, xp_home: Path, run_id: str, tmp_path: Path) -> dict[str, str]:
    """Everything the store holds: every SQLite table dumped, every artifact read back."""
    from mlflow.tracking import MlflowClient

    with sqlite3.connect(xp_home / "mlflow.db") as db:
        dump = "\n".join(db.iterdump())
    client = MlflowClient(tracking_uri=store.location.tracking_uri)
    local = Path(client.download_artifacts(run_id, "", str(tmp_path / "downloaded")))
    texts = {"mlflow.db": dump}
    for path in sorted(p for p in local.rglob("*") if p.is_file()):
        texts[path.relative_to(local).as_posix()] = path.read_bytes().decode("utf-8", "replace")
    return texts


def _status_until_redacted(k: Any, at_least: int = 1) -> str:
    """``%xp status`` once the sync thread has redacted ``at_least`` values.

    The sync thread takes the cells in batches (it lingers before it writes): the count
    grows while it catches up, so wait for the count the test needs, not for the first one.
    """
    out = ""
    for _ in range(240):
        out = k.execute("%xp status")["stdout"]
        found = re.search(r"redacted:\s+(\d+) value", out)
        if found and int(found.group(1)) >= at_least:
            return out
        time.sleep(0.5)
    return out


# README: "how many values were redacted on the way to the store, and where (never the values)"
# README: "say what was redacted and where, never the values"
def test_no_secret_form_reaches_the_store_from_any_field(
    kernel_factory: Any, store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # README "What is never recorded: secrets": "Secrets never reach the store" - from cell
    # sources, outputs and errors, the notebook snapshot, notes, params, tags, metric and dataset
    # names, allow-listed environment variables and the git diff; the run folder keeps the
    # exact text; %xp status, xp.redactions and redactions.json say where, "never the values".
    files = {"config.py": "# settings\n", "data.csv": "x,y\n1,2\n"}
    repo = _committed_repo(tmp_path / "project", files)
    # Given every form in code (committed file changed: a diff), in a cell with its printed
    # output, in a cell whose error shows it, and through the API into notes, params and tags
    (repo / "config.py").write_text("# settings\n" + "\n".join(f.code for f in FORMS) + "\n")
    cells: list[dict[str, Any]] = [
        {"id": "start", "source": "%load_ext jupyterlab_xp\n%xp start secrets --seed 1"}
    ]
    for i, form in enumerate(FORMS):
        shown = f"{form.name} = {form.text}\n"
        cells.append(
            {
                "id": f"s{i}",
                "source": f"{form.code}\nprint({form.name!r}, '=', {form.name})",
                "outputs": [{"output_type": "stream", "name": "stdout", "text": [shown]}],
            }
        )
        cells.append(
            {
                "id": f"e{i}",
                "source": f"raise RuntimeError({form.name + ': '!r} + {form.name})",
                "outputs": [
                    {
                        "output_type": "error",
                        "ename": "RuntimeError",
                        "evalue": f"{form.name}: {form.text}",
                        "traceback": [f"RuntimeError: {form.name}: {form.text}"],
                    }
                ],
            }
        )
    names = ", ".join(f.name for f in FORMS)
    api = (
        "import jupyterlab_xp as xp\n"
        f"for name, value in zip({[f.name for f in FORMS]!r}, [{names}]):\n"
        "    xp.note(name + ': ' + value)\n"
        "    xp.param(**{'p_' + name: value})\n"
        "    xp.tag(**{'t_' + name: value})\n"
        "xp.log({'loss/' + gh_token: 1.0, 'val/' + hf_token: 0.5})\n"
        "xp.dataset('data.csv', name=gh_oauth)\n"
    )
    cells += [{"id": "api", "source": api}, {"id": "status", "source": "%xp status"}]
    cells.append({"id": "stop", "source": "%xp stop"})
    nb = _saved_notebook(repo / "nb.ipynb", cells)
    env = {
        (f"XP_VALUE_{i}" if form.shaped else f"XP_{form.name.upper()}"): form.text
        for i, form in enumerate(FORMS)
    }
    k = kernel_factory(notebook=nb, extra_env=env)
    # When the cells run and the run stops
    for cell in cells[:-2]:
        k.execute(cell["source"], cell_id=cell["id"])
    status = _status_until_redacted(k, at_least=len(FORMS))
    assert k.execute("%xp stop", cell_id="stop")["status"] == "ok"
    run = store.search_runs()[0]
    run_id = run.info.run_id
    assert run.info.status == "FINISHED"
    # Then no part of any form is in any table of the store or any artifact read back
    stored = _store_as_text(store, xp_home, run_id, tmp_path)
    assert {"xp/cells.jsonl", "xp/journal.jsonl", "xp/notebook.ipynb", "xp/git.diff"} <= set(stored)
    assert {"xp/environment.json", "xp/redactions.json"} <= set(stored)
    leaks = [
        (form.label, where)
        for form in FORMS
        for part in form.parts
        for where, text in stored.items()
        if part in text
    ]
    assert leaks == []
    # ...while the code around them is kept, with the marker where each secret was
    cells_jsonl = [json.loads(x) for x in stored["xp/cells.jsonl"].splitlines()]
    db_cell = next(c for c in cells_jsonl if c["cell_id"] == f"s{FORMS.index(_form('db_url'))}")
    assert "postgresql://ml_user:<redacted>@db.internal.example.com:5432" in db_cell["source"]
    assert all(f"t_{f.name}" in run.data.tags for f in FORMS)
    assert run.data.params["p_password"] == "<redacted>"
    # ...and the local journal (mode 0600) still has the exact code, for a local replay
    journal = next((xp_home / "runs").glob("*/journal.jsonl"))
    sources = "".join(r.get("source", "") for r in read_journal(journal))
    assert all(f.code in sources for f in FORMS)
    # ...and %xp status, the tag and the run detail say how many values went and where
    count = int(run.data.tags["xp.redactions"])
    assert count >= 4 * len(FORMS)
    assert "redacted:" in status and " values: cell " in status, status
    detail = run_detail(store, store.get_run(run_id))
    assert detail["redactions"]["count"] == count
    places = {(p["where"], p["field"]) for p in detail["redactions"]["places"]}
    first = 2  # cell 1 is %xp start's own cell
    assert all((f"cell {first + 2 * i}", "source") in places for i in range(len(FORMS)))
    assert all((f"cell {first + 2 * i + 1}", "error") in places for i in range(len(FORMS)))
    assert ("git diff", "config.py") in places
    assert any(w.startswith("notebook cell") and f == "outputs" for w, f in places)
    assert "names" in json.dumps(detail["redactions"]) and FORMS[0].text not in json.dumps(detail)


def _form(name: str) -> Any:
    return next(f for f in FORMS if f.name == name)


# README: "it never runs `<redacted>` as code"
def test_a_run_with_redacted_code_replays_locally_and_is_refused_from_the_store_copy(
    kernel_factory: Any, store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # README: a run recorded here replays the real code; from a store copy that lost a secret,
    # promote "refuses it with one line naming the cells and variables ...: it never runs
    # `<redacted>` as code".
    key = _form("anthropic_api_key")
    cells = [
        {"id": "start", "source": "%load_ext jupyterlab_xp\n%xp start keyed --seed 3"},
        {"id": "key", "source": key.code},
        {"id": "use", "source": "result = len(anthropic_api_key)\nprint(result)"},
        {"id": "stop", "source": "%xp stop"},
    ]
    nb = _saved_notebook(tmp_path / "keyed.ipynb", cells)
    k = kernel_factory(notebook=nb)
    for cell in cells:
        assert k.execute(cell["source"], cell_id=cell["id"])["status"] == "ok"
    run_id = store.search_runs()[0].info.run_id
    # When it is promoted on the machine that recorded it: the exact code from the journal
    local = from_run(store, run_id)
    assert any(ex["source"] == key.code for ex in local.executions)
    assert key.code in json.dumps(local.notebook)
    # When its folder is gone (a run recorded elsewhere): the store copy is refused
    folder = next((xp_home / "runs").iterdir())
    folder.rename(tmp_path / "moved")
    with pytest.raises(XpError) as refused:
        from_run(store, run_id)
    message = str(refused.value)
    assert "\n" not in message and key.text not in message
    assert "cell 2: anthropic_api_key" in message
    assert 'anthropic_api_key = os.environ["ANTHROPIC_API_KEY"]' in message


def test_ordinary_ml_notebook_keeps_its_sources_and_outputs_in_the_store(
    kernel_factory: Any, store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # The false-positive side: hashes, run ids, commits, UUIDs, long numbers, inline images
    rng = random.Random(5)
    png = base64.b64encode(bytes(rng.randrange(256) for _ in range(40_000))).decode()
    values = (
        f"TRAIN_SHA256 = {hashlib.sha256(b'train').hexdigest()!r}\n"
        f"PARENT_RUN = {uuid.UUID(int=rng.getrandbits(128)).hex!r}\n"
        f"COMMIT = {hashlib.sha1(b'head').hexdigest()!r}\n"
        f"DATASET_ID = {str(uuid.UUID(int=rng.getrandbits(128)))!r}\n"
        "BIG = 123456789012345678901234567890\n"
        f"THUMB = {png[:4000]!r}\n"
        "print(TRAIN_SHA256, PARENT_RUN, COMMIT, DATASET_ID, BIG)"
    )
    code = (
        "tokenizer_name = 'bert-base-uncased'\nmax_tokens = 512\ncache_key = f'{COMMIT}-{BIG}'\n"
        "for key, value in sorted({'lr': 0.1, 'epochs': 3}.items()):\n    print(key, value)"
    )
    cells = [
        {"id": "start", "source": "%load_ext jupyterlab_xp\n%xp start ordinary --seed 0"},
        {
            "id": "values",
            "source": values,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": ["a b c d 1\n"]}],
        },
        {
            "id": "plot",
            "source": code,
            "outputs": [
                {"output_type": "display_data", "metadata": {}, "data": {"image/png": png}}
            ],
        },
        {"id": "stop", "source": "%xp stop"},
    ]
    nb = _saved_notebook(tmp_path / "ordinary.ipynb", cells)
    k = kernel_factory(notebook=nb)
    for cell in cells:
        assert k.execute(cell["source"], cell_id=cell["id"])["status"] == "ok"
    run = store.search_runs()[0]
    stored = _store_as_text(store, xp_home, run.info.run_id, tmp_path)
    executed = [json.loads(x) for x in stored["xp/cells.jsonl"].splitlines()]
    assert [c["source"] for c in executed] == [c["source"] for c in cells]
    assert json.loads(stored["xp/notebook.ipynb"]) == json.loads(nb.read_text())
    # (git.json may count markers in the diffs of the repositories of imported modules: in a
    # development checkout, jupyterlab-xp's own tests, which are full of fake secrets)
    places = run_detail(store, run)["redactions"]["places"]
    assert [p for p in places if not p["field"].startswith("modules")] == []


def _run_cell(k: Any, code: str, cell_id: str) -> list[dict[str, Any]]:
    """Run ``code`` in the kernel like JupyterLab; its outputs as a saved notebook holds them."""
    import queue

    msg = k.kc.session.msg(
        "execute_request",
        {"code": code, "silent": False, "store_history": True, "allow_stdin": False},
        metadata={"cellId": cell_id},
    )
    k.kc.shell_channel.send(msg)
    outputs: list[dict[str, Any]] = []
    while True:
        try:
            io = k.kc.get_iopub_msg(timeout=120)
        except queue.Empty:
            raise TimeoutError(code[:40]) from None
        if io["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
            continue
        kind, body = io["msg_type"], io["content"]
        if kind == "stream":
            outputs.append({"output_type": "stream", "name": body["name"], "text": body["text"]})
        elif kind in ("execute_result", "display_data", "error"):
            outputs.append({"output_type": kind, **body})
        elif kind == "status" and body["execution_state"] == "idle":
            return outputs


# README: "pickles are scanned before they are uploaded"
def test_the_forms_that_leaked_before_issue_17_never_reach_the_store(
    kernel_factory: Any, store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given the vectors of issue 17 written as a user writes them: a token in a pickled
    # checkpoint extra, a password in a coloured traceback, a bearer token wrapped by pprint,
    # a DataFrame's password column (text and HTML), passwords in !mysql and !curl, a
    # base64 token, a docker config and tokens concatenated from literals
    leaked = {f.name: f for f in FORMS}
    hf, bearer, column = _form("hf_token").text, "bearer" + uuid.uuid4().hex, "pw" + "x7" * 6
    traceback_pw = "tb" + uuid.uuid4().hex[:12]
    env = {"LEAK_HF": hf, "LEAK_BEARER": bearer, "LEAK_COLUMN": column}
    cells = [
        ("start", "%load_ext jupyterlab_xp\n%xp start leaks --seed 1"),
        (
            "ckpt",
            "import argparse, os\nimport jupyterlab_xp as xp\n"
            "args = argparse.Namespace(hub_token=os.environ['LEAK_HF'], lr=0.1)\n"
            "xp.checkpoint('ck', step=1, extra={'args': args})",
        ),
        (
            "tb",
            "def connect(host, password):\n    raise ConnectionError('refused')\n"
            f"connect(host='db', password='{traceback_pw}')",
        ),
        (
            "pprint",
            "from pprint import pprint\n"
            "pprint({'Authorization': 'Bearer ' + os.environ['LEAK_BEARER']}, width=30)",
        ),
        (
            "df",
            "import pandas as pd\n"
            "pd.DataFrame({'user': ['alice'], 'password': [os.environ['LEAK_COLUMN']]})",
        ),
        ("shell", leaked["mysql_cmd"].text + " 2>/dev/null || true\n"
         + leaked["curl_cmd"].text.replace("https://api.example.com", "http://127.0.0.1:9")
         + " -s 2>/dev/null || true"),
        ("code", "\n".join(leaked[n].code for n in (
            "encoded_token", "docker_config", "gh_concat", "akia_joined"))),
    ]  # fmt: skip
    nb = _saved_notebook(tmp_path / "leaks.ipynb", [{"id": c, "source": s} for c, s in cells])
    k = kernel_factory(notebook=nb, extra_env=env)
    saved = []
    for cell_id, code in cells:
        saved.append({"id": cell_id, "source": code, "outputs": _run_cell(k, code, cell_id)})
    _saved_notebook(nb, [*saved, {"id": "stop", "source": "%xp stop"}])
    outputs = json.dumps([c["outputs"] for c in saved])
    assert "\\u001b[" in outputs and traceback_pw in outputs  # a coloured traceback shows it
    assert "text/html" in outputs and column in outputs and "'Bearer '\\n" in outputs
    # When the run stops
    assert k.execute("%xp stop", cell_id="stop")["status"] == "ok"
    run = store.search_runs()[0]
    stored = _store_as_text(store, xp_home, run.info.run_id, tmp_path)
    # Then none of them is in the store: not in a table, not in an artifact
    secrets = {
        "hub_token": hf,
        "traceback": traceback_pw,
        "bearer": bearer,
        "column": column,
        **{f"{f.name}[{i}]": p for f in leaked.values() for i, p in enumerate(f.parts)},
    }
    leaks = [(k, where) for k, v in secrets.items() for where, t in stored.items() if v in t]
    assert leaks == []
    # ...the pickled extra stayed on this machine (the ledger says so) and the rest of the
    # checkpoint was uploaded; the local run folder keeps the exact pickle
    names = {Path(p).name for p in stored if p.startswith("checkpoints/")}
    assert "extra.pkl" not in names and "metadata.json" in names
    places = run_detail(store, store.get_run(run.info.run_id))["redactions"]["places"]
    kept = [p for p in places if p["field"] == "kept on this machine"]
    assert [p["where"].rsplit("/", 1)[-1] for p in kept] == ["extra.pkl"]
    assert kept[0]["names"] == ["hub_token"]
    local = next((xp_home / "runs").glob("*/checkpoints/ck/1/*/extra.pkl"))
    assert hf.encode() in local.read_bytes()
    # ...and the notebook snapshot kept its outputs, with the marker in place of each secret
    snapshot = json.loads(stored["xp/notebook.ipynb"])
    shown = json.dumps([c["outputs"] for c in snapshot["cells"]])
    assert "<redacted>" in shown and "alice" in shown and "ConnectionError" in shown
