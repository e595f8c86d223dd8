"""A promotion's own environment: ``--with SPEC`` and ``--env recorded`` (issue 13, section 3).

Unit tests: specs checked (hostile ones refused), the overlay's digest and folder, the recorded
lock's differing pins against a fake installed set, one build at a time under the lock, the
REST request's fields. End to end (real pip from PyPI, real papermill, real store): a notebook
run with ``--with 'tabulate==0.9.0'`` (not this environment's version) prints that version,
its run records the overlay, a second promotion reuses it without running pip, and a pin that
does not exist fails before any cell runs; a recorded run's lock with one package that differs
from today's installs that package only.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from conftest import write_notebook
from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.frontends.render_env import render_environment, render_used
from jupyterlab_xp.frontends.render_verify import render_verification
from jupyterlab_xp.promote import envs, jobs
from jupyterlab_xp.promote import pins as pinning
from jupyterlab_xp.promote.source import Source, from_notebook
from jupyterlab_xp.server.models import PromoteRequest, Promotion
from test_promote import wait_job
from test_promote_routes import call, refused

pytest_plugins = ["pytest_jupyter.jupyter_server"]

IMPORTS = "import tabulate, jupyterlab_xp, ipykernel; print(tabulate.__version__)"
PINNED = "tabulate==0.9.0"  # small, pure Python, and not this environment's version of it


def _pypi_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
    except OSError:
        return False
    return True


needs_pypi = pytest.mark.skipif(
    not _pypi_reachable(), reason="PyPI is unreachable from here: the overlay cannot be built"
)


@pytest.mark.parametrize(
    ("spec", "rebuilt"),
    [
        ("tabulate==0.9.0", "tabulate==0.9.0"),
        ("matplotlib<3.8", "matplotlib<3.8"),
        ("  Foo[b,a] >=1 ,<2 ", "Foo[a,b]<2,>=1"),
        ("requests", "requests"),
        ("numpy==1.*", "numpy==1.*"),
        ("'matplotlib<3.8'", "matplotlib<3.8"),  # as %xp promote passes it on
    ],
)
def test_a_spec_is_rebuilt_from_its_parsed_parts(spec: str, rebuilt: str) -> None:
    assert pinning.check_spec(spec) == rebuilt


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("--index-url x", "pip options are not accepted"),
        ("--index-url=https://evil.example/simple", "pip options are not accepted"),
        ("-e .", "pip options are not accepted"),
        ("-r requirements.txt", "pip options are not accepted"),
        ("pkg @ https://evil.example/pkg.whl", "URLs are not accepted"),
        ("pkg@file:///etc/passwd", "URLs are not accepted"),
        ("../path", "not a requirement"),
        ("/abs/path/pkg.whl", "not a requirement"),
        ("./pkg", "not a requirement"),
        ('pkg; os_name=="nt"', "markers are not accepted"),
        ("pkg==1.0 --hash=sha256:00", "not a requirement"),
        ("pkg==1.0\n--extra-index-url x", "not a requirement"),
        ("pkg==1.0;rm -rf /", "not a requirement"),
        ("pkg==\u0661.0", "not a requirement"),
        ("", "not a requirement"),
        ("x" * 300, "not a requirement"),
        ("pip<24", "cannot be pinned"),
        ("jupyterlab_xp==0.1", "cannot be pinned"),
        # pip reads both as a path to an archive (and would run its build backend)
        ("x===../../y.tar.gz", "is not a plain version"),
        ("zzz-evil==1.0+x.tar.gz", "is not a plain version"),
        ("x===1.0", "is not a plain version"),
    ],
)
def test_hostile_specs_are_refused_in_one_line(spec: str, words: str) -> None:
    with pytest.raises(XpError) as error:
        pinning.check_spec(spec)
    assert words in str(error.value)
    assert "\n" not in str(error.value)


def test_specs_are_sorted_and_one_per_package() -> None:
    assert pinning.check_specs(["b==1", "A<2"]) == ["A<2", "b==1"]
    with pytest.raises(XpError, match="names foo twice"):
        pinning.check_specs(["foo==1", "Foo>2"])
    assert pinning.check_specs(None) == []


def test_only_the_pins_that_differ_from_the_installed_set_are_kept() -> None:
    # Given: a recorded lock against a fake installed set
    lock = "\n".join(
        [
            "# Exact packages of the recorded run",
            "numpy==2.0.0",  # installed as 2.0: the same version
            "pandas==1.5.3",  # installed at 2.2.3: differs
            "Tabulate==0.9.0",  # not installed: differs
            "jupyterlab-xp==0.1.0",  # the promotion's own: never pinned
            "pip==20.0",  # the installer: never pinned
            "evil @ https://x/y.whl",  # not a plain pin: left out (trust.package_lock)
        ]
    )
    installed = {"numpy": "2.0", "pandas": "2.2.3", "pip": "24.3.1"}
    # When / Then
    recorded = pinning.lock_pins(lock)
    assert recorded == ["numpy==2.0.0", "pandas==1.5.3", "Tabulate==0.9.0"]
    assert pinning.differing(recorded, installed) == ["pandas==1.5.3", "Tabulate==0.9.0"]
    # --with replaces the lock's pin of the same package
    assert pinning.merged(["pandas==1.5.3", "Tabulate==0.9.0"], ["tabulate<0.9"]) == [
        "pandas==1.5.3",
        "tabulate<0.9",
    ]


def test_the_installed_set_is_this_environments() -> None:
    installed = pinning.installed_versions()
    # tabulate may be here (jupyter-cache brings 0.10): the tests pin another version of it
    assert installed["packaging"] and installed.get("tabulate") != PINNED.split("==")[1]


def test_plan_for_a_recorded_run_installs_only_what_differs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    src = Source(name="r", version="v", run_id="a" * 32, lock="a==1\nb==2\nc==3\n", python="3.9.7")
    monkeypatch.setattr(pinning, "installed_versions", lambda: {"a": "1", "b": "2.1"})
    planned = envs.plan(src, "recorded", None)
    assert planned["kind"] == "recorded"
    assert planned["pins"] == ["b==2", "c==3"]
    assert planned["no_deps"] is True  # the lock is the whole set
    assert planned["lock"] == {"pins": 3, "differed": 2, "python": "3.9.7"}
    assert planned["hash"] == envs.overlay_hash(["c==3", "b==2"], True)
    assert "2 of the lock's 3 pins differ" in render_environment(planned)
    # Nothing differs: no overlay, today's environment is the recorded one
    monkeypatch.setattr(pinning, "installed_versions", lambda: {"a": "1", "b": "2", "c": "3.0"})
    same = envs.plan(src, "recorded", None)
    assert (same["kind"], same["pins"], same["hash"]) == ("recorded", [], None)
    assert "nothing is installed" in render_environment(same)
    # With --with on top, pins resolve their dependencies
    with_pins = envs.plan(src, "recorded", ["d>1"])
    assert (with_pins["pins"], with_pins["no_deps"]) == (["d>1"], False)


def test_plan_refusals_and_todays_default() -> None:
    notebook = Source(name="n", version="v")
    assert envs.plan(notebook, None, None)["kind"] == "today"
    assert render_environment(envs.plan(notebook, None, None)).startswith("today's")
    assert envs.plan(notebook, None, ["x==1"])["kind"] == "overlay"
    with pytest.raises(XpError, match="recorded package lock"):
        envs.plan(notebook, "recorded", None)
    with pytest.raises(XpError, match="--env must be one of"):
        envs.plan(notebook, "yesterday", None)


def test_the_job_checks_the_pins_again_before_pip_sees_them(tmp_path: Path) -> None:
    for pins in (["-e ."], ["x @ file:///etc"], ["a==1", "A==2"]):
        with pytest.raises(XpError):
            request = {"environment": {"kind": "overlay", "pins": pins}}
            envs.prepare(request, tmp_path, tmp_path, print)
    assert not (tmp_path / "envs").exists()


def test_the_bundle_lock_names_the_overlays_packages(tmp_path: Path) -> None:
    lock = "# header\nnumpy==2.4.6\nPandas==3.1.1\n# tabulate==0.8 from a file\nzlib==1\n"
    record = {
        "kind": "overlay",
        "hash": "a" * 64,
        "how": "pip install matplotlib<3.8",
        "installed": ["matplotlib==3.7.5", "numpy==1.26.4"],
        "conflicts": ["pandas 3.1.1 has requirement numpy>=2.0.2, but you have numpy 1.26.4."],
    }
    text = envs.Used(record, tmp_path).lock_text(lock)
    lines = text.splitlines()
    assert lines[0].startswith("# The promotion ran in overlay aaaaaaaaaaaa (pip install")
    assert "numpy==2.4.6" not in lines and "numpy==1.26.4" in lines
    assert {"Pandas==3.1.1", "zlib==1", "matplotlib==3.7.5", "# tabulate==0.8 from a file"} <= set(
        lines
    )
    assert "pip check found conflicts" in text
    assert envs.Used({"kind": "today", "pins": []}).lock_text(lock) == lock  # today's: as it was


def test_the_overlay_digest_names_pins_mode_and_parent(tmp_path: Path) -> None:
    digest = envs.overlay_hash(["b==1", "a==2"], False)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert digest == envs.overlay_hash(["a==2", "b==1"], False)  # order does not matter
    assert digest != envs.overlay_hash(["a==2", "b==1"], True)
    assert digest != envs.overlay_hash(["a==2"], False)
    assert envs.envs_dir(tmp_path) == tmp_path / "envs"
    assert sys.prefix in " ".join(envs.parent_sites())


def test_two_promotions_at_once_build_the_overlay_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given: a build that waits until the second caller is queued on the lock
    folder = tmp_path / "envs" / ("0" * 64)
    started, release, builds = threading.Event(), threading.Event(), []

    def fake_build(target: Path, pins: list[str], no_deps: bool) -> dict[str, Any]:
        builds.append(pins)
        started.set()
        release.wait(30)
        target.mkdir(parents=True)
        record = {"pins": pins, "installed": pins}
        (target / envs.RECORD).write_text(json.dumps(record))
        return record

    monkeypatch.setattr(envs, "build", fake_build)
    answers: list[bool] = []

    def use() -> None:
        answers.append(envs.ensure(folder, ["x==1"], False, lambda _: None)[1])

    first = threading.Thread(target=use)
    first.start()
    started.wait(30)
    second = threading.Thread(target=use)
    second.start()
    release.set()
    first.join(30)
    second.join(30)
    # Then: one build; the second caller found it cached once the lock was free
    assert builds == [["x==1"]]
    assert sorted(answers) == [False, True]


def test_the_rest_request_carries_env_and_with() -> None:
    body = PromoteRequest.model_validate({"notebook": "a.ipynb", "env": "recorded", "with": ["x"]})
    assert (body.env, body.with_) == ("recorded", ["x"])
    for bad in ({"env": "yesterday"}, {"with": "x==1"}, {"with": ["x"] * 51}, {"with_pins": []}):
        with pytest.raises(ValidationError):
            PromoteRequest.model_validate({"notebook": "a.ipynb", **bad})


def test_the_outcome_says_where_it_reproduced() -> None:
    used = {
        "kind": "recorded",
        "pins": ["b==2"],
        "hash": "f" * 64,
        "cached": False,
        "lock": {"pins": 3, "differed": 1, "python": None},
    }
    text = "\n".join(render_used(used, "exact"))
    assert "1 of the lock's 3 pins differed from today's and were installed" in text
    assert "verdict exact in the recorded environment" in text
    assert "verdict exact in today's environment" in "\n".join(
        render_used({"kind": "today", "pins": []}, "exact")
    )
    # jupyter xp show of the promoted run: its xp/verify.json's environment
    shown = render_verification({"verdict": "exact", "tolerance": 1e-6, "environment": used})
    assert "environment the recorded environment: 1 of the lock's 3 pins differed" in shown[1]


@pytest.fixture
def jp_server_config(xp_home: Any) -> dict[str, Any]:
    from test_promote_routes import SERVER

    return {"ServerApp": SERVER, "XpExtensionApp": {"recover_interval": 0}}


async def test_hostile_environments_are_refused_over_rest(
    jp_fetch: Any, jp_root_dir: Path, xp_home: Path
) -> None:
    write_notebook(jp_root_dir / "train.ipynb", [{"source": "x = 1"}])
    hostile = [
        ({"with": ["--index-url x"]}, "pip options"),
        ({"with": ["pkg @ https://evil.example/p.whl"]}, "URLs"),
        ({"with": ["../path"]}, "not a requirement"),
        ({"with": ['pkg; os_name=="nt"']}, "markers"),
        ({"with": "pkg"}, "bad promote request"),
        ({"env": "yesterday"}, "bad promote request"),
        ({"env": "recorded"}, "recorded package lock"),  # a notebook recorded none
    ]
    for extra, words in hostile:
        code, message = await refused(
            jp_fetch, "POST", "promotions", body={"notebook": "train.ipynb", **extra}
        )
        assert (code, words in message) == (400, True), (extra, code, message)
    assert not (xp_home / "promotions").exists() or not any((xp_home / "promotions").iterdir())
    assert not (xp_home / "envs").exists()  # nothing installed
    code, _ = await call(jp_fetch, "GET", "promote-plan", notebook="train.ipynb")
    assert code == 200


def _promote(notebook: Path, home: Path, *args: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "XP_"))}
    env["XP_HOME"] = str(home)
    done = subprocess.run(
        [sys.executable, "-m", "jupyterlab_xp", "promote", str(notebook), "--json", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.stdout, done.stderr
    out: dict[str, Any] = json.loads(done.stdout)
    return out


def test_the_dry_run_shows_the_environment_and_installs_nothing(
    store: Any, xp_home: Path, tmp_path: Path
) -> None:
    notebook = write_notebook(tmp_path / "dry.ipynb", [{"source": "x = 1"}])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "XP_"))}
    env["XP_HOME"] = str(xp_home)
    base = [sys.executable, "-m", "jupyterlab_xp", "promote", str(notebook), "--dry-run"]
    text = subprocess.run(
        [*base, "--with", PINNED], env=env, capture_output=True, text=True, timeout=120
    ).stdout
    digest = envs.overlay_hash([PINNED], False)
    assert (
        f"environment overlay {digest[:12]} (built on first use): installs 1 package(s), from "
        f"wheels only:\n              {PINNED}\n"
    ) in text
    body = json.loads(
        subprocess.run(
            [*base, "--json"], env=env, capture_output=True, text=True, timeout=120
        ).stdout
    )
    assert (body["environment"]["kind"], body["environment"]["pins"]) == ("today", [])
    assert not (xp_home / "envs").exists()


def _printed(executed: str) -> str:
    cells = json.loads(Path(executed).read_text())["cells"]
    return "".join(
        "".join(o.get("text", "")) for c in cells for o in c.get("outputs", []) if "text" in o
    )


@needs_pypi
def test_with_runs_the_promotion_in_a_cached_overlay(
    store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given: a notebook that prints tabulate's version (tabulate is not installed here)
    notebook = write_notebook(
        tmp_path / "tab.ipynb",
        [{"source": "import tabulate\nprint('tabulate', tabulate.__version__)"}],
    )
    # When: promoted with it pinned
    first = _promote(notebook, xp_home, "--with", PINNED)
    # Then: the kernel imported the pinned version from the overlay
    assert first["state"] == "finished", first["error"]
    run = first["promotion"]["runs"][0]
    assert "tabulate 0.9.0" in _printed(run["executed_notebook"])
    used = run["verification"]["environment"]
    assert (used["kind"], used["pins"], used["cached"]) == ("overlay", [PINNED], False)
    assert (used["installed"], used["conflicts"]) == ([PINNED], [])
    folder = xp_home / "envs" / used["hash"]
    assert used["path"] == str(folder) and (folder / envs.RECORD).is_file()
    assert not list((xp_home / "envs").glob("*.building"))
    # The run records the environment: tags, the overlay's packages, the kernel's own lock
    tags_ = store.get_run(run["run_id"]).data.tags
    assert (tags_[tags.ENV_KIND], tags_[tags.ENV_OVERLAY]) == ("overlay", used["hash"])
    frozen = store.artifacts.read_text(run["run_id"], f"xp/bundle/{envs.FREEZE}")
    assert frozen is not None and PINNED in frozen.splitlines()
    lock = store.artifacts.read_text(run["run_id"], tags.ARTIFACT_DIR + "/" + tags.LOCK_ARTIFACT)
    assert lock is not None and PINNED in lock.splitlines()
    bundled = store.artifacts.read_text(run["run_id"], "xp/bundle/requirements.lock")
    assert bundled is not None and PINNED in bundled.splitlines()  # the Dockerfile installs it
    built = (folder / envs.RECORD).stat().st_mtime_ns
    # When: promoted again with the same pin
    second = _promote(notebook, xp_home, "--with", PINNED)
    # Then: the overlay was reused; no pip ran (its record and build log untouched)
    assert second["state"] == "finished", second["error"]
    again = second["promotion"]["runs"][0]
    assert again["verification"]["environment"]["cached"] is True
    assert "tabulate 0.9.0" in _printed(again["executed_notebook"])
    assert (folder / envs.RECORD).stat().st_mtime_ns == built
    job_log = (xp_home / "promotions" / second["id"] / jobs.LOG).read_text()
    assert "building overlay" not in job_log and "cached" in job_log
    Promotion.model_validate(second["promotion"])  # the REST model carries it
    # A pin the index does not have fails before any cell runs, naming it
    missing = _promote(notebook, xp_home, "--with", "tabulate==0.0.999")
    assert missing["state"] == "failed"
    assert "could not install tabulate==0.0.999: not on the index" in missing["error"]
    assert missing["promotion"]["runs"][0]["run_id"] is None


@needs_pypi
def test_a_removed_matplotlib_style_runs_with_the_pin_the_diagnosis_suggests(
    store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given: a cell that uses a style matplotlib 3.8 removed (today's matplotlib is newer)
    notebook = write_notebook(
        tmp_path / "style.ipynb",
        [
            {
                "source": "import matplotlib\nmatplotlib.use('Agg')\n"
                "import matplotlib.pyplot as plt\nplt.style.use('seaborn-whitegrid')\n"
                "print('matplotlib', matplotlib.__version__)"
            }
        ],
    )
    # When: promoted with the pin diagnose.py suggests for it
    job = _promote(notebook, xp_home, "--with", "matplotlib<3.8")
    # Then: it ran under matplotlib 3.7; what that pin shadows is said (pip check)
    assert job["state"] == "finished", job["error"]
    run = job["promotion"]["runs"][0]
    assert "matplotlib 3.7." in _printed(run["executed_notebook"])
    used = run["verification"]["environment"]
    assert any(p.startswith("matplotlib==3.7.") for p in used["installed"])
    if any(p.startswith("numpy==1.") for p in used["installed"]):  # pandas 3 needs NumPy 2
        assert any("numpy" in line for line in used["conflicts"]), used["conflicts"]


@needs_pypi
def test_env_recorded_installs_only_the_packages_that_differ(
    store: Any, xp_home: Path, tmp_path: Path
) -> None:
    # Given: a recorded run whose lock has tabulate 0.9.0 (today's environment has none)
    src = from_notebook(write_notebook(tmp_path / "n.ipynb", [{"source": "x = 1"}]))
    src.lock = f"{PINNED}\n" + "".join(
        f"{n}=={v}\n" for n, v in pinning.installed_versions().items()
    )
    src.run_id, src.python = None, "3.11.7"  # a plan from this lock, as a run's would be
    planned = envs.plan(src, "recorded", None)
    assert planned["pins"] == [PINNED] and planned["lock"]["differed"] == 1
    # When: the job's environment is prepared
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    logged: list[str] = []
    used = envs.prepare({"environment": planned}, xp_home, bundle, logged.append)
    # Then: one package installed, without dependencies, and the kernel there sees it
    assert used.record["installed"] == [PINNED]
    assert used.record["how"] == f"pip install --no-deps {PINNED}"
    python = Path(used.record["path"]) / "bin" / "python"
    shown = subprocess.run(
        [str(python), "-c", IMPORTS],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "0.9.0"
    kernel_tags: dict[str, str] = {}
    kernel_env: dict[str, str] = {}
    used.apply(kernel_tags, kernel_env)
    assert kernel_tags[tags.ENV_KIND] == "recorded"
    spec = Path(kernel_env["JUPYTER_PATH"]) / "kernels" / envs.KERNEL_NAME / "kernel.json"
    assert json.loads(spec.read_text())["argv"][0] == str(python)
    # A lock with several pins the index does not have: every one is named, nothing is left
    bad = {"kind": "recorded", "pins": ["idna==0.0.1", "tabulate==0.0.998"], "no_deps": True}
    with pytest.raises(XpError) as error:
        envs.prepare({"environment": bad}, xp_home, bundle, logged.append)
    assert str(error.value).startswith("could not install idna==0.0.1, tabulate==0.0.998: ")
    assert not list((xp_home / "envs").glob("*.building"))


def test_env_recorded_of_a_run_recorded_here_installs_nothing(
    kernel_factory: Any, store: Any, tmp_path: Path
) -> None:
    # Given: a run recorded in this environment (its lock is today's packages)
    cells = [
        {"id": "start", "source": "%load_ext jupyterlab_xp\n%xp start --seed 3"},
        {"id": "work", "source": "print(sum(range(10)))"},
        {"id": "stop", "source": "%xp stop"},
    ]
    kernel = kernel_factory(write_notebook(tmp_path / "here.ipynb", cells))
    for cell in cells:
        assert kernel.execute(cell["source"], cell_id=cell["id"])["status"] == "ok"
    run_id = str(store.search_runs(max_results=1)[0].info.run_id)
    src = jobs.load_source(store, run_id, None, tmp_path)
    # %xp promote takes the same flags, and refuses the same specs before anything starts
    refused_ = kernel.execute("%xp promote --env recorded --with 'x @ https://e.example/x.whl'")
    assert "URLs are not accepted" in (refused_["error"] or "") + refused_["stderr"], refused_
    # When: promoted with --env recorded
    job = wait_job(store, jobs.create(store, src, env="recorded")["id"])
    # Then: no pin differed, nothing was installed, and the verdict holds in the recorded env
    assert job["state"] == "finished", job["error"]
    used = job["runs"][0]["verification"]["environment"]
    assert (used["kind"], used["pins"], used["hash"]) == ("recorded", [], None)
    assert used["lock"]["differed"] == 0 and used["lock"]["pins"] > 50
    assert not (store.location.home / "envs").exists()
    text = "\n".join(render_used(job["environment"], job["verdict"]))
    assert "0 of the lock's" in text and f"verdict {job['verdict']} in the recorded" in text
    tags_ = store.get_run(job["runs"][0]["run_id"]).data.tags
    assert tags_[tags.ENV_KIND] == "recorded" and tags.ENV_OVERLAY not in tags_


def _sdist_only(folder: Path, marker: Path) -> Path:
    """``evilpkg-1.0.tar.gz`` in ``folder``: an sdist (no wheel) whose in-tree build backend
    writes ``marker`` when pip imports it, as any build would."""
    import io
    import tarfile

    files = {
        "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "evil_backend"\n'
        'backend-path = ["."]\n',
        "evil_backend.py": f"from pathlib import Path\nPath({str(marker)!r}).write_text('built')\n"
        "def get_requires_for_build_wheel(config_settings=None):\n    return []\n",
        "PKG-INFO": "Metadata-Version: 2.1\nName: evilpkg\nVersion: 1.0\n",
    }
    folder.mkdir(parents=True, exist_ok=True)
    archive = folder / "evilpkg-1.0.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"evilpkg-1.0/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return archive


def test_an_sdist_only_pin_fails_without_running_its_build_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given: a local index (a --find-links folder) holding only an sdist whose build backend
    # writes a marker, and pip allowed no other index
    marker = tmp_path / "backend-ran"
    links = tmp_path / "links"
    _sdist_only(links, marker)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    # And: pip, asked without our options, would run that backend (the marker proves it can)
    control = tmp_path / "control"
    control.mkdir()
    probe = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "evilpkg==1.0"],
        cwd=control,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert marker.exists(), probe.stdout + probe.stderr
    marker.unlink()
    # And: the working folder holds an archive a pin could be read as (pip's local-path rule)
    monkeypatch.chdir(control)
    _sdist_only(control, marker).rename(control / "zzz-evil==1.0+x.tar.gz")
    # When: the overlay is built with the sdist-only pin, and with the archive-looking one
    for pin in ("evilpkg==1.0", "zzz-evil==1.0+x.tar.gz"):
        with pytest.raises(XpError) as error:
            envs.build(tmp_path / "envs" / ("0" * 64), [pin], True)
        # Then: one line names the pin; no build backend ran; nothing half-built is left
        said = str(error.value)  # the archive pin: pip looked in its empty folder, found none
        assert said.startswith("could not") and pin in said.split("(log:")[0], said
        assert "\n" not in str(error.value)
        assert not marker.exists()
        assert not list((tmp_path / "envs").glob("*.building"))
    # And: such a pin never reaches pip from a request at all
    with pytest.raises(XpError, match="not a plain version"):
        envs.prepare(
            {"environment": {"kind": "overlay", "pins": ["zzz-evil==1.0+x.tar.gz"]}},
            tmp_path,
            tmp_path,
            print,
        )


def test_every_pin_is_shown_and_covered_by_the_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given: a recorded lock with twelve pins that differ from today's packages
    notebook = write_notebook(tmp_path / "n.ipynb", [{"source": "x = 1"}])
    src = from_notebook(notebook)
    wanted = [f"pkg{i:02d}==1.{i}" for i in range(12)]
    src.lock, src.python = "\n".join(wanted) + "\n", "3.11.7"
    monkeypatch.setattr(pinning, "installed_versions", lambda: {})
    # When: the plan, the dry run's text and the check see it
    plan = jobs.plan(src)
    checked = jobs.check(src, env="recorded")
    text = render_environment({**checked["environment"], "cached": False})
    # Then: every pin is listed (no "..."), in the plan the dialog reads too
    assert plan["recorded_env"]["pins"] == wanted == checked["environment"]["pins"]
    assert all(pin in text for pin in wanted) and "..." not in text
    assert "installs 12 package(s), without their dependencies, from wheels only" in text
    # And: the digest covers the pins: the code's digest alone, or another pin, is refused
    order = plan["default_order"]
    digest = plan["recorded_env"]["sha256"][order]
    assert digest == checked["code_sha256"] != plan["code"][order]["sha256"]
    assert jobs.check(src, env="recorded", code_sha256=digest)["code_sha256"] == digest
    with pytest.raises(XpError, match="code and package pins"):
        jobs.check(src, env="recorded", code_sha256=plan["code"][order]["sha256"])
    src.lock += "pkg99==9.9\n"  # the lock grew after the plan was read
    with pytest.raises(XpError, match="code and package pins"):
        jobs.check(src, env="recorded", code_sha256=digest)
    # And: today's environment keeps the code's digest (what a promotion has always sent)
    assert jobs.check(src)["code_sha256"] == plan["code"][order]["sha256"]


def test_after_a_failed_build_nothing_is_said_to_be_installed() -> None:
    planned = {
        "kind": "recorded",
        "pins": ["evilpkg==1.0"],
        "hash": "a" * 64,
        "lock": {"pins": 3, "differed": 1, "python": None},
    }
    # A planned environment (the job failed before it was built): not installed
    text = "\n".join(render_used(planned, None))
    assert "were installed" not in text and "the environment was not built" in text
    # The overlay's record (built or cached): installed
    built = {**planned, "path": "/x/envs/" + "a" * 64, "cached": False}
    assert "1 of the lock's 3 pins differed from today's and were installed" in "\n".join(
        render_used(built, None)
    )


@pytest.mark.stores("sqlite")
def test_the_cli_lists_every_pin_and_never_says_a_failed_build_installed_them(
    store: Any, xp_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_promote_trust import _cli, hostile_run

    # Given: a run recorded elsewhere whose lock pins an sdist-only package (its build backend
    # would write a marker) and a wheel-less version of another, on a local index
    marker = tmp_path / "backend-ran"
    links = tmp_path / "links"
    _sdist_only(links, marker)
    run_id = hostile_run(store, tmp_path, lock="evilpkg==1.0\nzzz-absent==9.9.9\n")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(links))
    # When: it is promoted with --env recorded from the command line
    done = _cli("promote", run_id, "--env", "recorded", home=xp_home, cwd=tmp_path)
    # Then: both pins were listed before the job started, the job failed naming them, no
    # build backend ran, and nothing says they were installed
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    listed = out.index("installs 2 package(s), without their dependencies, from wheels only")
    assert listed < out.index("promotion ") and out.index("evilpkg==1.0") < out.index("promotion ")
    assert "could not install evilpkg==1.0, zzz-absent==9.9.9" in out
    assert "were installed" not in out and "the environment was not built" in out
    assert not marker.exists()
