"""A bundle lock that installs exactly: every pin with the sha256 of its wheels, from the index.

A run records ``name==version`` pins (reading the installed packages offline: an installed
package does not know the hash of the file it came from). When a promotion writes its bundle,
the package index is asked for each pin's wheels (PEP 503 simple pages, which PyPI and every
mirror serve); when every pin has some, ``requirements.lock`` carries them as ``--hash`` options
and pip installs it in hash-checking mode: the same files or nothing. When some pin has none
(a package built locally, an index that is down), the lock stays without hashes and its header
says which pins lacked them: a partly hashed lock would not install at all, so the lookup
stops asking at the first pin without (an environment of 300 pins is 300 pages, 10 s of parsing
and half a minute on a busy machine, for a lock that would get no hashes).

The index is the user's (``PIP_INDEX_URL``, else PyPI; PyTorch's own for its builds), never one
the store names; pins come checked (``trust.pin``), so a name is a plain path segment.
``XP_LOCK_HASHES=off`` turns the lookup off (the tests do; CI must not reach the network).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

from packaging.utils import (
    InvalidWheelFilename,
    canonicalize_name,
    canonicalize_version,
    parse_wheel_filename,
)

from jupyterlab_xp.core.files import write_atomic
from jupyterlab_xp.promote import accelerator

SWITCH = "XP_LOCK_HASHES"
CACHE_FILE = "wheel-hashes.json"  # in $XP_HOME/cache/
DEFAULT_INDEX = "https://pypi.org/simple/"
REQUEST_SECONDS = 10.0
TOTAL_SECONDS = 60.0
WORKERS = 8  # pages asked at once
MAX_PAGE_BYTES = 8 << 20  # torch's page lists thousands of files
_SHA256 = re.compile(r"sha256=([0-9a-f]{64})")


def enabled() -> bool:
    return os.environ.get(SWITCH, "on").strip().lower() not in {"0", "off", "false", "no"}


class _Links(HTMLParser):
    """The ``<a href>`` of a PEP 503 page: file name and the ``#sha256=`` fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.files: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") if tag == "a" else None
        if not href or "#" not in href:
            return
        path, _, fragment = href.partition("#")
        found = _SHA256.fullmatch(fragment)
        if found:
            self.files.append((path.rsplit("/", 1)[-1], found.group(1)))


def wheel_hashes(page: str, name: str, version: str) -> list[str]:
    """The sha256 of every wheel of ``name==version`` a simple page lists (sorted, unique)."""
    parser = _Links()
    parser.feed(page)
    wanted = (canonicalize_name(name), canonicalize_version(version))
    found: set[str] = set()
    for filename, digest in parser.files:
        try:
            wheel_name, wheel_version, _, _ = parse_wheel_filename(
                urllib.request.url2pathname(filename)
            )
        except (InvalidWheelFilename, ValueError):
            continue  # an sdist, or not a file name: wheels only (an sdist runs its build)
        if (wheel_name, canonicalize_version(wheel_version)) == wanted:
            found.add(digest)
    return sorted(found)


def default_index() -> str:
    """The user's package index: ``PIP_INDEX_URL``, else PyPI."""
    return os.environ.get("PIP_INDEX_URL") or DEFAULT_INDEX


def _indexes(pins: list[str], index: str | None) -> dict[str, str]:
    """Each pin's index: PyTorch's for its builds, else ``index`` (default: the user's)."""
    build = accelerator.build_of(pins)
    default = index or default_index()
    return {
        pin: build.index_url + "/"
        if build is not None
        and canonicalize_name(pin.partition("==")[0]) in accelerator.PYTORCH_PACKAGES
        else default
        for pin in pins
    }


def _fetch(url: str, deadline: float) -> str:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"not an http(s) index: {url[:80]}")
    timeout = max(0.5, min(REQUEST_SECONDS, deadline - time.monotonic()))
    request = urllib.request.Request(url, headers={"Accept": "text/html"})  # noqa: S310 (above)
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return str(response.read(MAX_PAGE_BYTES).decode("utf-8", errors="replace"))


class HashCache:
    """Hashes already asked for, in ``$XP_HOME/cache/wheel-hashes.json`` (a version's files
    on an index do not change: PyPI refuses a re-upload)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            loaded = json.loads(path.read_text())
        except (OSError, ValueError):
            loaded = {}
        self.known: dict[str, list[str]] = {
            k: v
            for k, v in (loaded.items() if isinstance(loaded, dict) else [])
            if isinstance(v, list) and all(isinstance(h, str) and len(h) == 64 for h in v)
        }

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps(self.known, sort_keys=True))


def lookup(
    pins: list[str],
    cache: HashCache,
    log: Callable[[str], None] = lambda _: None,
    index: str | None = None,
) -> dict[str, list[str]]:
    """``pin -> wheel sha256s`` for the pins the index lists wheels of (others left out)."""
    return lookup_all(pins, cache, log, index)[0]


def lookup_all(
    pins: list[str],
    cache: HashCache,
    log: Callable[[str], None] = lambda _: None,
    index: str | None = None,
) -> tuple[dict[str, list[str]], list[str]]:
    """``pin -> wheel sha256s`` for the pins the index lists wheels of, and the pins found
    without. A lock is hashed whole or not at all: once a pin has no wheel (or its index does
    not answer) the pins not yet asked are not asked, and are in neither. ``index`` is the
    index to ask (default :func:`default_index`, read once, here)."""
    deadline = time.monotonic() + TOTAL_SECONDS
    where = _indexes(pins, index)
    key = {pin: f"{where[pin]} {pin}" for pin in pins}  # the cache's key
    todo = [p for p in pins if key[p] not in cache.known]
    missed = threading.Event()

    def ask(pin: str) -> tuple[str, list[str] | None]:
        name, _, version = pin.partition("==")
        if missed.is_set():
            return pin, []  # not asked
        if time.monotonic() > deadline:
            return pin, None
        try:
            page = _fetch(f"{where[pin].rstrip('/')}/{canonicalize_name(name)}/", deadline)
        except (OSError, urllib.error.URLError, ValueError) as exc:
            log(f"hashes: {name}: {str(exc)[:120]}")
            missed.set()
            return pin, None
        found = wheel_hashes(page, name, version)
        if not found:
            missed.set()
        return pin, found or None

    missing = []
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for pin, found in pool.map(ask, todo):
            if found:
                cache.known[key[pin]] = found
            elif found is None:
                missing.append(pin)
    if todo:
        cache.save()
    return {p: cache.known[key[p]] for p in pins if key[p] in cache.known}, missing


def with_hashes(
    text: str,
    cache_dir: Path,
    log: Callable[[str], None] = lambda _: None,
    index: str | None = None,
) -> str:
    """``text`` (a bundle lock) with ``--hash`` options on every pin, or a header saying why not
    (``index`` as in :func:`lookup_all`)."""
    lines = text.splitlines()
    pins = [line for line in lines if line and not line.startswith(("#", "-"))]
    if not pins:
        return text
    if not enabled():
        return _note(text, f"# No hashes: {SWITCH}=off.")
    found, missing = lookup_all(pins, HashCache(cache_dir / CACHE_FILE), log, index)
    if missing:
        listed = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        unasked = len(pins) - len(missing) - len(found)
        stopped = f"; {unasked} not asked after that" if unasked else ""
        return _note(
            text,
            f"# No hashes: the index listed no wheel for {len(missing)} of {len(pins)} pins "
            f"({listed}{stopped}), and pip installs a lock with hashes only if every pin has them.",
        )
    hashed = [
        line + "".join(f" \\\n    --hash=sha256:{digest}" for digest in found[line])
        if line in found
        else line
        for line in lines
    ]
    header = "# Every pin with the sha256 of its wheels on the index: pip checks them."
    return _note("\n".join(hashed) + "\n", header)


def _note(text: str, line: str) -> str:
    """``line`` added after the lock's leading comment lines."""
    lines = text.splitlines(keepends=True)
    at = 0
    while at < len(lines) and lines[at].startswith("#"):
        at += 1
    return "".join([*lines[:at], line + "\n", *lines[at:]])
