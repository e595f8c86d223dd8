"""A promotion's environment: today's (the default), or an overlay venv with pinned packages.

An overlay is ``$XP_HOME/envs/<sha256>/``: a ``venv`` (no pip of its own) whose site-packages
holds only the pinned packages, plus a ``.pth`` file that adds this environment's site-packages
after its own. So the pins win, and everything else (ipykernel, the recorder, numpy that nobody
pinned) comes from here, and pip, run with the overlay's Python, sees those as installed and
installs only what a pin lacks. The digest covers the pins, how they were installed and the
environment it extends (Python, site-packages paths): an overlay made for another venv is
another overlay. It is built in ``<sha256>.building`` under a lock (two promotions at once build
it once) and renamed into place when complete, so a half-built overlay is never used; a second
promotion with the same pins only reads its record. Nothing is installed unless the user asked
(``--with``, ``--env recorded``), and then only from wheels (``--only-binary :all:``: no
build backend runs), by a pip started in an empty folder (a pin that names a file there would
be read as that file).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import platform
import re
import shutil
import site
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.files import read_json, write_atomic, write_json_atomic
from jupyterlab_xp.promote import accelerator, hashes
from jupyterlab_xp.promote import pins as pinning
from jupyterlab_xp.promote.source import Source

KINDS = ("today", "recorded")
RECORD = "xp-overlay.json"  # written last: an overlay without it is not complete
BUILD_LOG = "xp-build.log"
HASHED = "hashed-requirements.txt"  # written in pip's empty folder for one install
KERNEL_NAME = "xp-overlay"
FREEZE = "environment-overlay.txt"  # the overlay's packages, in the bundle of each run
BUILD_TIMEOUT = 1800.0
# pip's options for every call: no questions, wheels only (an sdist would run its build backend,
# code nobody was shown), a dead index fails in seconds.
PIP_OPTIONS = (
    "--disable-pip-version-check",
    "--no-input",
    "--only-binary",
    ":all:",
    "--timeout",
    "30",
)
_UNAVAILABLE = re.compile(r"No matching distribution found for ([^\s]+)")
_UNBUILT = re.compile(r"Failed (?:to build|building wheel for) ([A-Za-z0-9._-]+)")


def envs_dir(home: Path) -> Path:
    return home / "envs"


def parent_sites() -> list[str]:
    """This environment's site-packages folders: what an overlay puts after its own."""
    return [p for p in dict.fromkeys(site.getsitepackages()) if Path(p).is_dir()]


def overlay_hash(pins: list[str], no_deps: bool) -> str:
    """The overlay's folder name: the sorted pins, the install mode and the parent environment."""
    body = {
        "pins": sorted(pins),
        "no_deps": no_deps,
        "python": sys.version,
        "parent": parent_sites(),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def plan(src: Source, env: str | None, specs: list[str] | None) -> dict[str, Any]:
    """What the promotion's environment will be; XpError for a request that cannot be met.

    ``today``: nothing installed. ``recorded``: the run's lock pins that differ from this
    environment, installed exactly (``--no-deps``: the lock is the whole set). ``--with``
    specs: installed with what they need that is not already here.
    """
    kind = env or "today"
    if kind not in KINDS:
        raise XpError(f"--env must be one of {', '.join(KINDS)}, got {str(kind)[:40]!r}")
    checked = pinning.check_specs(specs)
    lock: dict[str, Any] | None = None
    wanted: list[str] = []
    if kind == "recorded":
        recorded = pinning.lock_pins(src.lock)
        if not recorded:
            what = "run" if src.run_id else "notebook (it recorded no packages)"
            raise XpError(f"--env recorded needs a recorded package lock, and this {what} has none")
        wanted = pinning.differing(recorded, pinning.installed_versions())
        lock = {"pins": len(recorded), "differed": len(wanted), "python": src.python}
    pins = pinning.merged(wanted, checked)
    if not pins:
        return {"kind": kind, "pins": [], "with": [], "hash": None, "no_deps": False, "lock": lock}
    no_deps = kind == "recorded" and not checked
    return {
        "kind": kind if kind == "recorded" else "overlay",
        "pins": pins,
        "with": checked,
        "hash": overlay_hash(pins, no_deps),
        "no_deps": no_deps,
        "lock": lock,
    }


def cached(home: Path, planned: dict[str, Any]) -> bool:
    """Whether the planned overlay is built already (a dry run says so)."""
    return bool(planned.get("hash")) and (envs_dir(home) / planned["hash"] / RECORD).is_file()


class Used:
    """The environment a job's kernels run in: kernel name, extra kernel env, run tags, record."""

    def __init__(self, record: dict[str, Any], folder: Path | None = None) -> None:
        self.record = record
        self.folder = folder

    @property
    def kernel_name(self) -> str:
        return KERNEL_NAME if self.folder else "python3"

    def apply(self, run_tags: dict[str, str], kernel_env: dict[str, str]) -> None:
        """Add the environment's tags to the promoted run's, and to the job's environment for
        papermill where the overlay's kernelspec is (JUPYTER_PATH)."""
        run_tags[tags.ENV_KIND] = str(self.record["kind"])
        if self.folder is not None:
            run_tags[tags.ENV_OVERLAY] = str(self.record["hash"])
            paths = [str(self.folder / "share" / "jupyter"), kernel_env.get("JUPYTER_PATH")]
            kernel_env["JUPYTER_PATH"] = os.pathsep.join(p for p in paths if p)

    def lock_text(self, lock: str) -> str:
        """The bundle's ``requirements.lock`` with the overlay's packages in place of its pins of
        the same packages, so that the Dockerfile builds what the kernel ran on."""
        if self.folder is None:
            return lock
        overlay = {_name(p): p for p in self.record.get("installed") or []}
        kept = [
            line
            for line in lock.splitlines()
            if line.lstrip().startswith("#") or not line.strip() or _name(line) not in overlay
        ]
        header = (
            f"# The promotion ran in overlay {str(self.record['hash'])[:12]} "
            f"({self.record.get('how')}): its packages replace the pins below of the same names."
        )
        if self.record.get("conflicts"):
            header += "\n# pip check found conflicts with them (see environment-overlay.txt)."
        return "\n".join([header, *kept, *overlay.values()]) + "\n"


def _name(line: str) -> str:
    """The canonical package name a pin line starts with."""
    return canonicalize_name(re.split(r"[=<>!~;\[@ ]", line.strip(), maxsplit=1)[0])


def prepare(request: dict[str, Any], home: Path, bundle: Path, log: Callable[[str], None]) -> Used:
    """The job request's planned environment, built unless cached; its freeze into the bundle."""
    planned = request.get("environment") or {"kind": "today", "pins": []}
    record: dict[str, Any] = {
        "kind": planned["kind"],
        "pins": pinning.check_specs(planned.get("pins")),  # checked again before pip sees them
        "with": list(planned.get("with") or []),
        "lock": planned.get("lock"),
        "python": platform.python_version(),
        "hash": None,
    }
    if not record["pins"]:
        return Used(record)
    no_deps = bool(planned.get("no_deps"))
    digest = overlay_hash(record["pins"], no_deps)  # this process's parent, not the planner's
    folder = envs_dir(home) / digest
    started = time.monotonic()
    built, was_cached = ensure(folder, record["pins"], no_deps, log)
    record.update(
        hash=digest,
        path=str(folder),
        cached=was_cached,
        built=built.get("built"),
        build_seconds=built.get("seconds"),
        how=built.get("how"),
        installed=built.get("installed", []),
        conflicts=built.get("conflicts", []),
    )
    log(
        f"environment {record['kind']}: overlay {digest[:12]} "
        + ("cached" if was_cached else f"built in {time.monotonic() - started:.1f}s")
        + f", {len(record['installed'])} package(s) in it"
    )
    for line in record["conflicts"]:
        log(f"environment: pip check: {line}")
    header = f"# Overlay {digest} ({record['how']}); everything else from {parent_sites()}\n"
    notes = "".join(f"# pip check: {line}\n" for line in record["conflicts"])
    body = "".join(f"{p}\n" for p in record["installed"])
    write_atomic(bundle / FREEZE, header + notes + body)
    return Used(record, folder)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure(
    folder: Path, pins: list[str], no_deps: bool, log: Callable[[str], None]
) -> tuple[dict[str, Any], bool]:
    """The overlay's record, building it first when needed; and whether it was cached."""
    record = read_json(folder / RECORD)
    if isinstance(record, dict):
        return record, True
    with _locked(folder.with_name(folder.name + ".lock")):
        record = read_json(folder / RECORD)  # another job may have built it while we waited
        if isinstance(record, dict):
            return record, True
        log(f"building overlay {folder.name[:12]}: {', '.join(pins)[:300]}")
        return build(folder, pins, no_deps), False


def build(folder: Path, pins: list[str], no_deps: bool) -> dict[str, Any]:
    """Make the overlay in ``<folder>.building`` and rename it to ``folder`` once complete."""
    work = folder.with_name(folder.name + ".building")
    shutil.rmtree(work, ignore_errors=True)  # left by a build that died
    if folder.exists():  # complete folders have a record: this one is a leftover too
        shutil.rmtree(folder)
    t0 = time.monotonic()
    subprocess.run(
        # This environment's pip serves the overlay through the .pth (no pip of its own to
        # install, ~3 s saved); an environment without pip gets one in the overlay.
        [sys.executable, "-m", "venv", *(["--without-pip"] if _has_pip() else []), str(work)],
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )
    packages = Path(
        sysconfig.get_path("purelib", "venv", {"base": str(work), "platbase": str(work)})
    )
    # An import line in a .pth runs at startup: addsitedir also reads the parent's own .pth
    # files (an editable install of this package lives in one).
    adds = "".join(f"import site; site.addsitedir({p!r})\n" for p in parent_sites())
    write_atomic(packages / "_xp_parent.pth", adds)
    python = work / "bin" / "python"
    # A PyTorch build pin (+cu128, +cpu) is served only by PyTorch's index of that build.
    index = accelerator.index_options(pins)
    hashed = _hashed_requirements(pins, folder.parent.parent) if no_deps else None
    with open(work / BUILD_LOG, "wb") as log, _empty_folder() as cwd:
        wanted = pins
        if hashed is not None:  # the recorded lock's exact files: pip checks every download
            write_atomic(Path(cwd) / HASHED, hashed)
            wanted = ["--require-hashes", "-r", HASHED]  # (pip runs in that folder)
        how = ["pip", "install", *(["--no-deps"] if no_deps else []), *index, *wanted]
        done = subprocess.run(
            [str(python), "-m", *how[:2], *PIP_OPTIONS, "--no-warn-script-location", *how[2:]],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=BUILD_TIMEOUT,
            cwd=cwd,  # pip reads a pin naming a file here as that file: there is none
            env={**os.environ, "PYTHONNOUSERSITE": "1"},
        )
    if done.returncode != 0:
        text = (work / BUILD_LOG).read_text(errors="replace")
        kept = folder.with_name(folder.name + ".failed.log")
        try:
            named = _unavailable(python, pins, text)
            write_atomic(kept, text)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        raise XpError(_failure(named, pins, text, kept))
    final_python = folder / "bin" / "python"
    _fix_scripts(work / "bin", str(work), str(folder))
    kernel = work / "share" / "jupyter" / "kernels" / KERNEL_NAME
    kernel.mkdir(parents=True)
    write_json_atomic(
        kernel / "kernel.json",
        {
            "argv": [str(final_python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": f"xp overlay {folder.name[:12]}",
            "language": "python",
            "metadata": {"debugger": False},
        },
    )
    installed = sorted(
        f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions(path=[str(packages)])
    )
    record = {
        "pins": pins,
        "no_deps": no_deps,
        "how": " ".join(how),
        "python": platform.python_version(),
        "parent": parent_sites(),
        "built": time.time(),
        "seconds": round(time.monotonic() - t0, 2),
        "installed": installed,
        "conflicts": conflicts(python, installed),
    }
    write_json_atomic(work / RECORD, record)
    work.rename(folder)
    return record


def conflicts(python: Path, installed: list[str]) -> list[str]:
    """``pip check``'s complaints that name a package of the overlay (capped).

    pip resolves a pin's dependencies without asking what this environment's other packages
    need: ``matplotlib<3.8`` brings ``numpy<2``, which shadows the NumPy pandas 3 was built for.
    That is no reason to refuse (a notebook that never imports pandas runs), but it is said.
    """
    names = {canonicalize_name(p.split("==", 1)[0]) for p in installed}
    with _empty_folder() as cwd:
        done = subprocess.run(
            [str(python), "-m", "pip", "check", "--disable-pip-version-check"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            cwd=cwd,
        )
    found = []
    for line in done.stdout.splitlines():
        words = {canonicalize_name(w.strip(".,;:")) for w in line.split()}
        if names & words:
            found.append(line.strip()[:300])
    return found[:20]


@contextlib.contextmanager
def _empty_folder() -> Iterator[str]:
    """A new empty folder for pip to run in (removed after)."""
    with tempfile.TemporaryDirectory(prefix="xp-pip-") as folder:
        yield folder


def _hashed_requirements(pins: list[str], home: Path) -> str | None:
    """Exact ``pins`` with their wheels' sha256 from the package index (:mod:`.hashes`), when
    every pin has some; else None (pip checks hashes for every requirement or for none)."""
    if not hashes.enabled():
        return None
    found = hashes.lookup(pins, hashes.HashCache(home / "cache" / hashes.CACHE_FILE))
    if any(pin not in found for pin in pins):
        return None
    return "".join(pin + "".join(f" --hash=sha256:{h}" for h in found[pin]) + "\n" for pin in pins)


def _has_pip() -> bool:
    import importlib.util

    return importlib.util.find_spec("pip") is not None


def _fix_scripts(bin_dir: Path, old: str, new: str) -> None:
    """Console scripts pip wrote name the build folder's Python: name the final one."""
    for script in bin_dir.iterdir():
        if script.is_symlink() or not script.is_file():
            continue
        with script.open("rb") as handle:
            head = handle.read(2 + len(old))
        if head == b"#!" + old.encode():
            text = script.read_bytes().replace(b"#!" + old.encode(), b"#!" + new.encode(), 1)
            script.write_bytes(text)


def _unavailable(python: Path, pins: list[str], log: str) -> list[str]:
    """Every pin pip cannot find, not only the first it stopped at (dry runs without those)."""
    named = [*_UNAVAILABLE.findall(log), *_UNBUILT.findall(log)]
    left = [p for p in pins if p not in named]
    for _ in range(10):
        if not named or not left:
            break
        with _empty_folder() as cwd:
            argv = [str(python), "-m", "pip", "install", *PIP_OPTIONS, "--dry-run", "--no-deps"]
            probe = subprocess.run(
                [*argv, *left],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=BUILD_TIMEOUT,
                cwd=cwd,
            )
        more = [m for m in _UNAVAILABLE.findall(probe.stdout + probe.stderr) if m in left]
        if probe.returncode == 0 or not more:
            break
        named += more
        left = [p for p in left if p not in more]
    return list(dict.fromkeys(named))


def _failure(named: list[str], pins: list[str], log: str, where: Path) -> str:
    """One line naming the pins pip could not install, and the log to read."""
    if named:
        return (
            f"could not install {', '.join(named)}: not on the index, or no wheel for Python "
            f"{platform.python_version()} here (nothing ran; pip's log: {where})"
        )
    errors = [line for line in log.splitlines() if line.startswith("ERROR:")]
    last = errors[-1][6:].strip()[:200] if errors else "pip failed"
    return f"could not build the environment ({', '.join(pins)[:120]}): {last} (log: {where})"
