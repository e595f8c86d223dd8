"""The data card of a declared dataset: found beside the data (or one folder up) and hashed.

A card is a ``data_card.md``, a dataset ``README.md`` that opens with a YAML header (the
Hugging Face dataset card form; a README without one is a project's, not a card), or a
Croissant ``croissant.json`` (a JSON-LD object with an ``@context``). It is looked for in the
data's folder (a folder dataset: in it), then in the folder above; the first found is recorded
by path, kind and sha256, so that a run says which card described its data.
"""

from __future__ import annotations

import json
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


def _yaml_header(text: str) -> bool:
    """True when ``text`` opens with a ``---`` YAML block that parses to a mapping."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return False
    end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
    if end is None:
        return False
    try:
        return isinstance(yaml.safe_load("\n".join(lines[1:end])), dict)
    except yaml.YAMLError:
        return False


def _is_card(file: Path, kind: str) -> bool:
    if kind == "data_card":
        return True
    if file.stat().st_size > MAX_CARD_BYTES:
        return False
    text = file.read_text(encoding="utf-8", errors="replace")
    if kind == "dataset_readme":
        return _yaml_header(text)
    try:
        value = json.loads(text)
    except ValueError:
        return False
    return isinstance(value, dict) and "@context" in value


def find_data_card(path: Path) -> dict[str, Any] | None:
    """``{path, kind, sha256, bytes}`` of the card describing ``path``, or None when none is found.

    Unreadable candidates are skipped (a folder without permission is not a card).
    """
    folder = path if path.is_dir() else path.parent
    for where in (folder, folder.parent):
        for name, kind in CARD_FILES:
            file = where / name
            try:
                if file.is_file() and _is_card(file, kind):
                    return {
                        "path": str(file),
                        "kind": kind,
                        "sha256": file_sha256(file),
                        "bytes": file.stat().st_size,
                    }
            except OSError:
                continue
    return None
