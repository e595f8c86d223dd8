"""The data card of a declared dataset: found beside the data (or one folder up) and hashed.

A card is a ``data_card.md``, a dataset ``README.md`` that opens with a YAML header (the
Hugging Face dataset card form; a README without one is a project's, not a card), or a
Croissant ``croissant.json`` (a JSON-LD object with an ``@context``). It is looked for in the
data's folder (a folder dataset: in it), then in the folder above; the first found is recorded
by path, kind and sha256, so that a run says which card described its data.

A dataset loaded from the Hub has its repository's ``README.md`` as its card. It is looked for
only where ``huggingface_hub`` keeps it once downloaded (its cache: ``HF_HUB_CACHE``, else
``HF_HOME/hub``, ``datasets--ORG--NAME/snapshots/COMMIT/README.md``); nothing is downloaded, so
a card not in the cache is said to be so, not missing.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from jupyterlab_xp.core.files import file_sha256

MAX_CARD_BYTES = 4 << 20  # a card is read to check its form; larger files are not cards here
# File name and the kind it is recorded as, in the order they are looked for in each folder.
CARD_FILES = (
    ("data_card.md", "data_card"),
    ("README.md", "dataset_readme"),
    ("croissant.json", "croissant"),
)
NOT_CACHED = "not in the local cache"  # a Hub dataset's card that was never downloaded here
_HUB_REPO = re.compile(r"[A-Za-z0-9][\w.-]{0,95}(/[A-Za-z0-9][\w.-]{0,95})?")
_COMMIT = re.compile(r"[0-9a-f]{40}")
MAX_LICENSE_CHARS = 200


def _yaml_header(text: str) -> dict[str, Any] | None:
    """The ``---`` YAML block ``text`` opens with, when it parses to a mapping; else None."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
    if end is None:
        return None
    try:
        header = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError:
        return None
    return header if isinstance(header, dict) else None


def _license(value: Any) -> str | None:
    """A card's license (the Hub's ``license:``, one id or a list; Croissant's a URL or text)."""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value[:10] if isinstance(v, str | int | float))
    return value[:MAX_LICENSE_CHARS] if isinstance(value, str) and value.strip() else None


def _read_card(file: Path, kind: str) -> dict[str, Any] | None:
    """``{path, kind, sha256, bytes, license}`` when ``file`` is a card of ``kind``, else None.
    A ``hub_readme`` (a Hub repository's README) is its card with a YAML header or without."""
    size = file.stat().st_size
    license_ = None
    if kind != "data_card":
        if size > MAX_CARD_BYTES:
            return None
        text = file.read_text(encoding="utf-8", errors="replace")
        if kind == "croissant":
            try:
                value = json.loads(text)
            except ValueError:
                return None
            if not isinstance(value, dict) or "@context" not in value:
                return None
        else:
            value = _yaml_header(text)
            if value is None and kind == "dataset_readme":
                return None
        license_ = _license((value or {}).get("license"))
    return {
        "path": str(file),
        "kind": kind,
        "sha256": file_sha256(file),
        "bytes": size,
        "license": license_,
    }


def find_data_card(path: Path) -> dict[str, Any] | None:
    """``{path, kind, sha256, bytes, license}`` of the card describing ``path``, or None.

    Unreadable candidates are skipped (a folder without permission is not a card).
    """
    folder = path if path.is_dir() else path.parent
    for where in (folder, folder.parent):
        for name, kind in CARD_FILES:
            file = where / name
            try:
                card = _read_card(file, kind) if file.is_file() else None
            except OSError:
                continue
            if card is not None:
                return card
    return None


def hub_cache() -> Path:
    """Where ``huggingface_hub`` caches repositories: its own setting when it is imported (a
    ``datasets`` user has), else the same environment variables it reads."""
    constants = sys.modules.get("huggingface_hub.constants")
    cache = getattr(constants, "HF_HUB_CACHE", None)
    if isinstance(cache, str | os.PathLike):
        return Path(cache)
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(name):
            return Path(os.environ[name]).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(  # noqa: PTH118
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),  # noqa: PTH111
        "huggingface",
    )
    return Path(home).expanduser() / "hub"


def find_hub_card(repo: str, revision: str) -> dict[str, Any]:
    """``{card, card_note}`` of the Hub dataset ``repo`` read at commit ``revision``: its
    README.md in the local hub cache (``card``: path, kind, sha256, bytes), else ``card`` None
    and ``card_note`` saying it is not in the cache. Never downloads."""
    if not _HUB_REPO.fullmatch(repo) or ".." in repo or not _COMMIT.fullmatch(revision):
        return {"card": None, "card_note": NOT_CACHED}
    folder = hub_cache() / f"datasets--{repo.replace('/', '--')}" / "snapshots" / revision
    file = folder / "README.md"
    try:
        if file.is_file():  # (a symlink into blobs/, as the cache lays it out)
            return {"card": _read_card(file, "hub_readme"), "card_note": None}
    except OSError:
        pass
    return {"card": None, "card_note": NOT_CACHED}
