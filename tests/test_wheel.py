"""The built wheel drops into an existing ML environment without changing it.

The wheel and sdist are built once per session (hatchling, hooks skipped: ``make`` built the
extension already) and pass ``twine check --strict``. A fresh virtualenv then holds an older
NumPy and a torch of another version than requirements.lock pins (tiny stand-in wheels made
here: a real torch is gigabytes), and sees everything else this venv has through a path file,
as a user's environment already holds JupyterLab and MLflow. ``pip install`` of the wheel, with
the torch extra and no index at all, must leave both stand-ins as they were, and Jupyter must
list the lab extension and the server extension as enabled. Slow (a build): ``-m "not slow"``
leaves it out locally; ``make test`` runs it.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

# A build, a venv and three Jupyter commands: minutes on a loaded machine, not seconds.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parent.parent
# Older than requirements.lock's numpy==2.4.6 and torch==2.13.0, inside pyproject.toml's ranges.
USERS_NUMPY = "2.0.2"
USERS_TORCH = "2.5.1"
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # Jupyter colours "enabled" and "OK"


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The wheel and the sdist of this tree, built once for all pytest-xdist workers."""
    if not (ROOT / "labextension" / "package.json").exists():
        pytest.fail("labextension/ is not built: run `make install` first")
    # pytest-xdist workers' base folders share a parent, this session's: the first worker
    # builds there, under a lock. Without xdist the base folder is the session's own.
    base = tmp_path_factory.getbasetemp()
    out = (base.parent if "PYTEST_XDIST_WORKER" in os.environ else base) / "jupyterlab-xp-dist"
    out.mkdir(exist_ok=True)
    with open(out / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = out / "built.json"
        if not built.exists():
            build = (
                "import sys\nfrom hatchling.build import build_sdist, build_wheel\n"
                "print(build_wheel(sys.argv[1]))\nprint(build_sdist(sys.argv[1]))"
            )
            env = {**os.environ, "HATCH_BUILD_NO_HOOKS": "true"}
            done = _run([sys.executable, "-c", build, str(out)], env, ROOT)
            assert done.returncode == 0, done.stderr[-3000:]
            built.write_text(json.dumps(done.stdout.split()[-2:]))
        wheel_name, sdist_name = json.loads(built.read_text())
    return {"wheel": out / wheel_name, "sdist": out / sdist_name}


def _stand_in_wheel(folder: Path, name: str, version: str) -> Path:
    """A minimal valid wheel named ``name`` at ``version`` (a package with one __init__.py)."""
    files = {
        f"{name}/__init__.py": f'__version__ = "{version}"\n',
        f"{name}-{version}.dist-info/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        ),
        f"{name}-{version}.dist-info/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: test_wheel\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = f"{name}-{version}.dist-info/RECORD"
    lines = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        lines.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    lines.append(f"{record},,")
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
        archive.writestr(record, "\n".join(lines) + "\n")
    return wheel


def _offline_env(home: Path) -> dict[str, str]:
    """No index, no find-links, no pip config, Jupyter's paths inside the test folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "JUPYTER_"))}
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
    )
    return env


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)


def _versions(python: Path, env: dict[str, str], cwd: Path) -> dict[str, str]:
    code = (
        "import json, importlib.metadata as m\n"
        "print(json.dumps({d: (m.version(d), str(m.distribution(d).locate_file('')))"
        " for d in ('numpy', 'torch', 'jupyterlab-xp')}))"
    )
    done = _run([str(python), "-c", code], env, cwd)
    assert done.returncode == 0, done.stderr[-2000:]
    return {name: "@".join(found) for name, found in json.loads(done.stdout).items()}


def test_wheel_and_sdist_pass_twine_check(dists: dict[str, Path]) -> None:
    # Given the built wheel and sdist
    # When twine checks them as PyPI would (metadata, the README rendering)
    twine = [sys.executable, "-m", "twine", "check", "--strict"]
    done = _run([*twine, str(dists["wheel"]), str(dists["sdist"])], dict(os.environ), ROOT)
    # Then both pass, and the wheel carries the lab extension and the server's switch
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2
    names = zipfile.ZipFile(dists["wheel"]).namelist()
    assert any(n.endswith("labextensions/jupyterlab-xp/package.json") for n in names)
    assert any(n.endswith("jupyter_server_config.d/jupyterlab_xp.json") for n in names)


def test_installing_the_wheel_leaves_the_users_numpy_and_torch_alone(
    dists: dict[str, Path], tmp_path: Path
) -> None:
    # Given a fresh virtualenv with an older NumPy and another torch, which sees this venv's
    # other packages (JupyterLab, MLflow, ...) as a user's environment already holds them
    fresh = tmp_path / "env"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], {}, tmp_path)
    assert made.returncode == 0, made.stderr
    python = fresh / "bin" / "python"
    env = _offline_env(tmp_path)
    purelib = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            env,
            tmp_path,
        ).stdout.strip()
    )
    (purelib / "existing-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    stand_ins = [
        _stand_in_wheel(tmp_path, "numpy", USERS_NUMPY),
        _stand_in_wheel(tmp_path, "torch", USERS_TORCH),
    ]
    given = _run([*pip, "install", "--no-deps", *map(str, stand_ins)], env, tmp_path)
    assert given.returncode == 0, given.stderr[-2000:]

    # When the wheel is installed with the torch extra, offline
    installed = _run([*pip, "install", f"{dists['wheel']}[torch]"], env, tmp_path)

    # Then pip needed nothing it did not have, and NumPy and torch are the user's, untouched
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    versions = _versions(python, env, tmp_path)
    assert versions["numpy"] == f"{USERS_NUMPY}@{purelib}"
    assert versions["torch"] == f"{USERS_TORCH}@{purelib}"
    assert versions["jupyterlab-xp"].endswith(f"@{purelib}")  # the wheel, not this checkout

    # And Jupyter in that environment lists both extensions as enabled
    lab = (
        "import sys; from jupyterlab.labextensions import main; "
        "sys.argv = ['jupyter-labextension', 'list']; main()"
    )
    listed = _run([str(python), "-c", lab], env, tmp_path)
    lab_lines = [
        line
        for line in ANSI.sub("", listed.stdout + listed.stderr).splitlines()
        if "jupyterlab-xp" in line
    ]
    assert lab_lines and all("enabled" in line and "OK" in line for line in lab_lines), (
        listed.stdout + listed.stderr
    )
    server = (
        "import sys; from jupyter_server.extension.serverextension import main; "
        "sys.argv = ['jupyter-server-extension', 'list']; main()"
    )
    listed = _run([str(python), "-c", server], env, tmp_path)
    out = ANSI.sub("", listed.stdout + listed.stderr)
    assert "jupyterlab_xp enabled" in out, out
    assert re.search(r"jupyterlab_xp \S+ OK", out), out  # its extension points import and load
