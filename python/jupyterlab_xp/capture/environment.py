"""Environment capture: Python, platform, container, allow-listed env vars, exact packages.

Finds installed distributions through ``importlib.metadata`` and reads each one's name and
version from the head of its metadata file, once: ``Distribution.metadata`` parses the whole
file (long descriptions included) on every access, which cost ~2 ms a distribution. Never a
``pip freeze`` subprocess (about 320 ms, and it may not be the same pip).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from jupyterlab_xp.core.redact import redact_env, strip_url_credentials

_HEAD_BYTES = 8192  # Name and Version are the first lines of the header


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _direct_url(dist: metadata.Distribution) -> dict[str, Any] | None:
    try:
        text = dist.read_text("direct_url.json")
    except OSError:
        return None
    if not text:
        return None
    try:
        info = json.loads(text)
    except ValueError:
        return None
    if not isinstance(info, dict):
        return None
    url = strip_url_credentials(str(info.get("url", "")))
    editable = bool(info.get("dir_info", {}).get("editable"))
    return {"url": url, "editable": editable}


def _name_and_version(dist: metadata.Distribution) -> tuple[str | None, str | None]:
    """``Name`` and ``Version`` from the metadata file's header, read once and only its head."""
    folder = getattr(dist, "_path", None)
    if isinstance(folder, Path):
        for leaf in ("METADATA", "PKG-INFO"):
            try:
                with open(folder / leaf, "rb") as handle:
                    head = handle.read(_HEAD_BYTES)
            except OSError:
                continue
            found = _header_fields(head.decode("utf-8", "replace"))
            if found[0] and found[1]:
                return found
    meta = dist.metadata  # a zip, an egg or an unusual finder: the slow, general path
    return (meta["Name"], meta["Version"]) if meta else (None, None)


def _header_fields(text: str) -> tuple[str | None, str | None]:
    name = version = None
    for line in text.splitlines():
        if not line:  # the header ends at the first blank line
            break
        if line.startswith("Name:") and name is None:
            name = line[5:].strip()
        elif line.startswith("Version:") and version is None:
            version = line[8:].strip()
        if name and version:
            break
    return name, version


def installed_packages(path: list[str] | None = None) -> list[dict[str, Any]]:
    """Every importable distribution once (the first on ``path`` wins), sorted by name.

    Args:
        path: where to look (default ``sys.path``): the recording kernel's, when another
            process captures for it.
    """
    seen: set[str] = set()
    packages: list[dict[str, Any]] = []
    found = metadata.distributions(path=path) if path is not None else metadata.distributions()
    for dist in found:
        name, version = _name_and_version(dist)
        if not name:
            continue
        key = _normalise(name)
        if key in seen:
            continue
        seen.add(key)
        entry: dict[str, Any] = {"name": name, "version": version}
        direct = _direct_url(dist)
        if direct is not None:
            entry["direct_url"] = direct
        packages.append(entry)
    packages.sort(key=lambda p: _normalise(p["name"]))
    return packages


def detect_container() -> str | None:
    """``docker``, ``podman``, ``kubernetes``, ``containerd`` or None when none is detected."""
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        return "kubernetes"
    if Path("/.dockerenv").exists():
        return "docker"
    if Path("/run/.containerenv").exists():
        return "podman"
    try:
        cgroup = Path("/proc/1/cgroup").read_text()
    except OSError:
        return None
    for marker in ("kubepods", "docker", "containerd", "lxc"):
        if marker in cgroup:
            return "kubernetes" if marker == "kubepods" else marker
    return None


def capture_environment(sys_path: list[str] | None = None) -> dict[str, Any]:
    """Python, platform, container, allow-listed environment and packages, as plain JSON data.

    Args:
        sys_path: where the recorded process finds its packages (default: ``sys.path``).
    """
    libc, libc_version = platform.libc_ver()
    return {
        "captured_at": time.time(),
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
            "prefix": sys.prefix,
            "base_prefix": sys.base_prefix,
            "virtualenv": sys.prefix != sys.base_prefix,
        },
        "platform": {
            "system": platform.system(),
            "release": platform.release(),
            "version": platform.version(),
            "machine": platform.machine(),
            "libc": f"{libc} {libc_version}".strip(),
            "hostname": platform.node(),
        },
        "container": detect_container(),
        "env": redact_env(os.environ),
        "packages": installed_packages(sys_path),
    }


def requirements_lock(packages: list[dict[str, Any]]) -> str:
    """A pip-installable lock (``name==version``); local/editable installs as comments."""
    lines = [
        "# Exact packages of the recorded run (jupyterlab-xp, from importlib.metadata).",
        f"# Python {platform.python_version()} on {platform.system()} {platform.machine()}",
    ]
    for pkg in packages:
        direct = pkg.get("direct_url")
        if direct and (direct.get("editable") or str(direct.get("url", "")).startswith("file:")):
            lines.append(f"# {pkg['name']}=={pkg['version']} installed from {direct['url']}")
        else:
            lines.append(f"{pkg['name']}=={pkg['version']}")
    return "\n".join(lines) + "\n"
