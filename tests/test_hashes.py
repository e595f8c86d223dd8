"""The bundle lock with the sha256 of every pin's wheels, as pip installs it in hash-checking mode.

A real package index is served from a folder by http.server (PEP 503 pages, no network); the
lock is installed with a fresh virtualenv's own pip.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyterlab_xp.promote import hashes


def _wheel(folder: Path, name: str, version: str) -> Path:
    """A wheel holding one module ``<name>.py`` (pip installs it like any other)."""
    module = name.replace("-", "_")
    info = f"{module}-{version}.dist-info"
    files = {
        f"{module}.py": f"VERSION = {version!r}\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    files[f"{info}/RECORD"] = "".join(f"{path},,\n" for path in files) + f"{info}/RECORD,,\n"
    path = folder / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for inner, text in files.items():
            wheel.writestr(inner, text)
    return path


def _page(links: list[str]) -> str:
    return "<!DOCTYPE html><html><body>" + "".join(links) + "</body></html>"


@pytest.fixture
def index(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A PEP 503 index on loopback: ``simple/<name>/`` pages linking ``files/`` with hashes."""
    root = tmp_path / "index"
    files = root / "files"
    files.mkdir(parents=True)
    pages: dict[str, list[str]] = {}
    for name, version in (("xp-tiny-a", "1.0"), ("xp-tiny-a", "2.0"), ("xp-tiny-b", "0.3")):
        wheel = _wheel(files, name, version)
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        pages.setdefault(name, []).append(
            f'<a href="../../files/{wheel.name}#sha256={digest}">{wheel.name}</a>'
        )
    # What an index may also list, and the lock must not take: an sdist, a bad fragment, a
    # link elsewhere without a hash
    pages["xp-tiny-a"] += [
        '<a href="../../files/xp_tiny_a-1.0.tar.gz#sha256=' + "a" * 64 + '">sdist</a>',
        '<a href="../../files/xp_tiny_a-1.0-py3-none-any.whl#sha256=XYZ">bad</a>',
        '<a href="javascript:alert(1)">x</a>',
    ]
    for name, links in pages.items():
        (root / "simple" / name).mkdir(parents=True)
        (root / "simple" / name / "index.html").write_text(_page(links))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/", files
    finally:
        server.shutdown()
        server.server_close()


LOCK = "# Packages of the source run\nxp-tiny-a==1.0\nxp_tiny_b==0.3\n"


def test_a_lock_with_every_wheel_hash_installs_exactly_and_refuses_a_changed_file(
    index: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, files = index
    monkeypatch.setenv(hashes.SWITCH, "on")
    monkeypatch.setenv("PIP_INDEX_URL", url)
    # Given a bundle lock of two pins, written with hashes from the index
    text = hashes.with_hashes(LOCK, tmp_path / "cache")
    wheel_a = files / "xp_tiny_a-1.0-py3-none-any.whl"
    assert f"--hash=sha256:{hashlib.sha256(wheel_a.read_bytes()).hexdigest()}" in text
    assert text.count("--hash=sha256:") == 2  # one wheel each: not 2.0's, not the sdist's
    assert "Every pin with the sha256 of its wheels" in text.splitlines()[1]
    lock = tmp_path / "requirements.lock"
    lock.write_text(text)
    # When a fresh virtualenv's pip installs it with --require-hashes
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
           "--no-cache-dir"]  # fmt: skip
    done = subprocess.run(
        [*pip, "--require-hashes", "--no-deps", "--index-url", url, "-r", str(lock)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    # Then both packages are installed, at the pinned versions
    assert done.returncode == 0, done.stderr
    check = "import xp_tiny_a, xp_tiny_b; print(xp_tiny_a.VERSION, xp_tiny_b.VERSION)"
    ran = subprocess.run(
        [str(venv / "bin" / "python"), "-c", check], capture_output=True, text=True
    )
    assert ran.stdout.split() == ["1.0", "0.3"]
    # ...and a wheel changed on the index after the lock was written is refused
    with zipfile.ZipFile(wheel_a, "a") as wheel:
        wheel.writestr("extra.txt", "changed")
    again = subprocess.run(
        [*pip, "--force-reinstall", "--no-deps", "--index-url", url, "-r", str(lock)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert again.returncode != 0
    assert "THESE PACKAGES DO NOT MATCH THE HASHES" in again.stderr


def test_without_hashes_for_every_pin_the_lock_says_why_and_stays_installable(
    index: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = index
    monkeypatch.setenv(hashes.SWITCH, "on")
    monkeypatch.setenv("PIP_INDEX_URL", url)
    # Given a lock with a pin the index does not list
    text = hashes.with_hashes(LOCK + "xp-built-here==0.1\n", tmp_path / "cache")
    # Then no pin carries a hash (pip would refuse a partly hashed lock) and the header says so
    assert "--hash" not in text
    assert "1 of 3 pins (xp-built-here==0.1)" in text
    assert text.splitlines()[0] == "# Packages of the source run"
    assert text.splitlines()[-3:] == ["xp-tiny-a==1.0", "xp_tiny_b==0.3", "xp-built-here==0.1"]
    # ...and the same when the index is down, or the lookup is off
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple/")
    down = hashes.with_hashes("xp-other==9.9\n", tmp_path / "cache")
    assert "--hash" not in down and "1 of 1 pins" in down
    monkeypatch.setenv(hashes.SWITCH, "off")
    assert "No hashes: XP_LOCK_HASHES=off." in hashes.with_hashes(LOCK, tmp_path / "cache")


def test_the_lookup_stops_at_the_first_pin_without_wheels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(hashes.SWITCH, "on")
    monkeypatch.setattr(hashes, "WORKERS", 1)  # one page at a time: the order is the lock's
    asked: list[str] = []

    def fetch(url: str, deadline: float) -> str:
        asked.append(url)
        name = url.rstrip("/").rsplit("/", 1)[-1]
        digest = "a" * 64
        return (
            ""
            if name == "built-here"
            else _page([f'<a href="/f/{name}-1.0-py3-none-any.whl#sha256={digest}">'])
        )

    monkeypatch.setattr(hashes, "_fetch", fetch)
    # Given a lock of 40 pins whose second has no wheel on the index
    pins = ["first==1.0", "built-here==1.0", *(f"pkg{i}==1.0" for i in range(38))]
    text = hashes.with_hashes("\n".join(pins) + "\n", tmp_path / "cache")
    # Then the lock has no hashes, the index was asked for two pages, not 40, and it says so
    assert "--hash" not in text
    assert len(asked) == 2
    assert "no wheel for 1 of 40 pins (built-here==1.0; 38 not asked after that)" in text
    # ...and the pin found is cached all the same
    cache = hashes.HashCache(tmp_path / "cache" / "wheel-hashes.json")
    assert [key.split(" ", 1)[1] for key in cache.known] == ["first==1.0"]


def test_hashes_asked_once_are_read_from_the_cache(
    index: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = index
    monkeypatch.setenv(hashes.SWITCH, "on")
    monkeypatch.setenv("PIP_INDEX_URL", url)
    first = hashes.with_hashes(LOCK, tmp_path / "cache")
    # When the index is gone, the same pins still get the same hashes
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple/")
    cache = hashes.HashCache(tmp_path / "cache" / "wheel-hashes.json")
    assert {key.split(" ", 1)[1] for key in cache.known} == {"xp-tiny-a==1.0", "xp_tiny_b==0.3"}
    monkeypatch.setenv("PIP_INDEX_URL", url)
    assert hashes.with_hashes(LOCK, tmp_path / "cache") == first


def test_a_promotion_asks_the_index_while_its_notebook_runs(
    index: tuple[str, Path], xp_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    import os

    from conftest import write_notebook

    url, _ = index
    # Given a notebook whose cell waits until the index has been asked for a page
    mark = tmp_path / "asked"
    wait = (
        "import pathlib, time\n"
        "deadline = time.monotonic() + 120\n"
        f"while not pathlib.Path({str(mark)!r}).exists() and time.monotonic() < deadline:\n"
        "    time.sleep(0.05)\n"
        f"print(pathlib.Path({str(mark)!r}).exists())"
    )
    notebook = write_notebook(tmp_path / "waits.ipynb", [{"source": wait}])
    handler = http.server.SimpleHTTPRequestHandler
    seen = handler.send_head

    def send_head(self: http.server.SimpleHTTPRequestHandler) -> object:
        mark.touch()
        return seen(self)

    monkeypatch.setattr(handler, "send_head", send_head)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "XP_"))}
    env.update(XP_HOME=str(xp_home), XP_LOCK_HASHES="on", PIP_INDEX_URL=url)
    # When it is promoted with the wheel-hash lookup on
    ran = subprocess.run(
        [sys.executable, "-m", "jupyterlab_xp", "promote", str(notebook), "--json"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    # Then the cell saw the index asked while it ran (the lookup does not wait for the last
    # cell), and the bundle's lock says why it has no hashes: this index lists none of them
    assert ran.returncode == 0, ran.stderr[-2000:]
    result = json.loads(ran.stdout)
    executed = json.loads(Path(result["bundle"], "executed.ipynb").read_text())
    (cell,) = [c for c in executed["cells"] if "deadline" in "".join(c["source"])]
    assert "".join(cell["outputs"][0]["text"]).strip() == "True"
    lock = Path(result["bundle"], "requirements.lock").read_text()
    assert "# No hashes: the index listed no wheel for" in lock and "--hash" not in lock


def test_a_simple_page_gives_only_wheels_of_the_pinned_version() -> None:
    page = _page(
        [
            '<a href="/f/torch-2.8.0%2Bcpu-cp311-cp311-linux_x86_64.whl#sha256=' + "1" * 64 + '">',
            '<a href="/f/torch-2.8.0%2Bcpu-cp312-cp312-linux_x86_64.whl#sha256=' + "2" * 64 + '">',
            '<a href="/f/torch-2.8.0%2Bcu128-cp311-cp311-linux_x86_64.whl#sha256='
            + "3" * 64
            + '">',
            '<a href="/f/torch-2.8.0.tar.gz#sha256=' + "4" * 64 + '">',
            '<a href="/f/torch-2.8.0%2Bcpu-cp311-cp311-linux_x86_64.whl#md5=abc">',
        ]
    )
    assert hashes.wheel_hashes(page, "torch", "2.8.0+cpu") == ["1" * 64, "2" * 64]
    assert hashes.wheel_hashes("<a href='x'>", "torch", "2.8.0") == []


def test_env_recorded_installs_the_recorded_pins_with_their_hashes_checked(
    index: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jupyterlab_xp.core.errors import XpError
    from jupyterlab_xp.promote import envs

    url, files = index
    monkeypatch.setenv(hashes.SWITCH, "on")
    monkeypatch.setenv("PIP_INDEX_URL", url)
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")  # a changed wheel must be fetched again
    home = tmp_path / "home"
    # Given the recorded lock's pins that differ from today (exact: --env recorded, no deps)
    pins = ["xp-tiny-a==1.0", "xp-tiny-b==0.3"]
    # When the overlay is built
    record = envs.build(envs.envs_dir(home) / envs.overlay_hash(pins, True), pins, True)
    # Then pip installed them in hash-checking mode, from the hashes the index listed
    assert "--require-hashes -r hashed-requirements.txt" in record["how"]
    assert {"xp-tiny-a==1.0", "xp-tiny-b==0.3"} <= set(record["installed"])
    # ...and a wheel that changed on the index since is refused: nothing is installed
    with zipfile.ZipFile(files / "xp_tiny_b-0.3-py3-none-any.whl", "a") as wheel:
        wheel.writestr("extra.txt", "changed")
    again = ["xp-tiny-b==0.3"]
    with pytest.raises(XpError, match="could not"):
        envs.build(envs.envs_dir(home) / envs.overlay_hash(again, True), again, True)
    assert not (envs.envs_dir(home) / envs.overlay_hash(again, True)).exists()
