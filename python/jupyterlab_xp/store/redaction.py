"""The one redaction step: everything that leaves for the tracking store passes here.

:class:`Redactor` gives :mod:`jupyterlab_xp.store.sync` (and a promotion's uploads) a copy of
each journal record and each artifact file in which the secrets that
:mod:`jupyterlab_xp.core.secrets` finds are replaced by ``<redacted>``, and notes in a
:class:`Ledger` where it replaced them (``%xp status``, tag ``xp.redactions``,
``xp/redactions.json``). It runs on the sync thread, never on a cell's path. The run folder in
XP_HOME, the journal above all, keeps the exact text: only the copies are redacted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from jupyterlab_xp.core import tags
from jupyterlab_xp.core.prediction_files import SUFFIXES as PREDICTION_SUFFIXES
from jupyterlab_xp.core.secrets import REDACTED, Hit, redact
from jupyterlab_xp.journal.jsonl import decode_line, encode_record
from jupyterlab_xp.store.table_redaction import redact_table

KEY_REDACTED = "REDACTED"  # in MLflow keys (params, tags, metrics), which refuse "<" and ">"
# Notebook outputs that are binary data in base64: no text secret in pixels, and slow to scan.
BINARY_MIME = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "application/pdf")
# Captures that core/redact.py already redacted when they were taken: their markers count.
CAPTURED = frozenset({tags.ENVIRONMENT_ARTIFACT, tags.GIT_ARTIFACT, tags.GIT_DIFF_ARTIFACT})
# Record fields that are ours (ids, counts, checksums, times): never secrets, never scanned.
_META = frozenset(
    {
        "seq",
        "t",
        "type",
        "local_id",
        "sha256",
        "cell",
        "execution_count",
        "cell_id",
        "status",
        "duration",
        "peak_rss_mb",
        "step",
        "start",
        "artifacts",
    }
)
_FIELD_NAMES = {"error_value": "error", "error_name": "error", "text": "text"}
_MEMO_LIMIT = 20000
_DIFF_FILE = re.compile(r"^\+\+\+ b/(.+)$|^diff --git a/\S+ b/(\S+)", re.MULTILINE)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


class Ledger:
    """Where values were redacted: one entry per place (``cell 3`` ``source``, ``note 1`` ...).

    A place seen again (the same cell in the journal copy and in ``cells.jsonl``, a retried
    batch) keeps its largest count, so copies of one value do not count twice. Thread-safe:
    the sync thread adds while ``%xp status`` reads.
    """

    def __init__(self, entries: Iterable[Any] = ()) -> None:
        self._lock = threading.Lock()
        self._places: dict[tuple[str, str], dict[str, Any]] = {}
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("count"), int):
                where, field = str(entry.get("where", "")), str(entry.get("field", ""))
                self._places[(where, field)] = {
                    "where": where,
                    "field": field,
                    "count": entry["count"],
                    "kinds": [str(k) for k in entry.get("kinds", [])],
                    "names": [str(n) for n in entry.get("names", [])],
                }

    def add(self, where: str, field: str, hits: list[Hit]) -> None:
        """Note that ``len(hits)`` values were replaced in ``field`` of ``where``."""
        with self._lock:
            entry = self._places.setdefault(
                (where, field),
                {"where": where, "field": field, "count": 0, "kinds": [], "names": []},
            )
            entry["count"] = max(entry["count"], len(hits))
            for hit in hits:
                if hit.kind not in entry["kinds"]:
                    entry["kinds"].append(hit.kind)
                if hit.name and hit.name not in entry["names"]:
                    entry["names"].append(hit.name)

    @property
    def count(self) -> int:
        """How many values were redacted, all places together."""
        with self._lock:
            return sum(e["count"] for e in self._places.values())

    def entries(self) -> list[dict[str, Any]]:
        """The places, in the order they were first seen (what ``xp/redactions.json`` holds)."""
        with self._lock:
            return [
                {**e, "kinds": list(e["kinds"]), "names": list(e["names"])}
                for e in self._places.values()
            ]

    def describe(self, limit: int = 6) -> str:
        """``3 values: cell 2 source, note 1 text, param api_key value`` (or ``none``)."""
        entries = self.entries()
        if not entries:
            return "none"
        places = [f"{e['where']} {e['field']}".strip() for e in entries]
        more = f", and {len(places) - limit} more" if len(places) > limit else ""
        total = sum(e["count"] for e in entries)
        return f"{total} value{'s' if total != 1 else ''}: {', '.join(places[:limit])}{more}"


class Redactor:
    """Redacted copies of what goes to the store; every replacement is noted in ``ledger``."""

    def __init__(self, ledger: Ledger | None = None) -> None:
        self.ledger = ledger if ledger is not None else Ledger()
        self._memo: dict[tuple[str, str | None], tuple[str, list[Hit]]] = {}

    # -- values -------------------------------------------------------------------------------
    def text(
        self, value: str, where: str, field: str, name: str | None = None, captured: bool = False
    ) -> str:
        """``value`` with its secrets replaced (``name``: what it is stored under, if known)."""
        found = self._memo.get((value, name))
        if found is None:
            found = redact(value, name)
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            self._memo[(value, name)] = found
        clean, hits = found
        if captured and REDACTED in value:
            hits = hits + [Hit(0, 0, "redacted at capture")] * value.count(REDACTED)
        if hits:
            self.ledger.add(where, field, hits)
        return clean

    def key(self, key: str, where: str) -> str:
        """An MLflow key (param, tag, metric, dataset name) with a secret in it replaced."""
        clean = self.text(key, where, "name")
        return key if clean == key else clean.replace(REDACTED, KEY_REDACTED)

    def walk(
        self, value: Any, where: str, field: str, name: str | None = None, captured: bool = False
    ) -> Any:
        """A copy of a JSON value with every string in it (keys too) redacted."""
        if isinstance(value, str):
            return self.text(value, where, field or "value", name, captured)
        if isinstance(value, list):
            return [
                self.walk(v, where, f"{field}[{i}]", name, captured) for i, v in enumerate(value)
            ]
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                path = _join(field, str(k))
                new_key = self.text(k, where, f"{path} (name)") if isinstance(k, str) else k
                out[new_key] = self.walk(v, where, path, str(k), captured)
            return out
        return value

    def mapping(self, values: Mapping[str, Any], label: str) -> dict[str, Any]:
        """Params or tags: each key made safe, each value redacted knowing its key."""
        out: dict[str, Any] = {}
        for key, value in values.items():
            new_key = self.key(str(key), f"{label} names")
            out[new_key] = self.walk(value, f"{label} {new_key}", "value", str(key))
        return out

    def prelude(self, items: Any) -> Any:
        """What the kernel ran before ``%xp start``: each input's source redacted."""
        if not isinstance(items, list):
            return self.walk(items, "before start", "")
        out = []
        for item in items:
            if isinstance(item, dict):
                where = f"before start, In [{item.get('execution_count')}]"
                item = {k: v if k in _META else self.walk(v, where, k) for k, v in item.items()}
            out.append(item)
        return out

    # -- journal records ----------------------------------------------------------------------
    def record(self, rec: dict[str, Any], note: int = 0) -> dict[str, Any]:
        """The copy of a journal record that may reach the store (``note``: its note number)."""
        kind = rec.get("type")
        if kind in ("cell_start", "cell_end"):
            where = f"cell {rec.get('cell')}"
        elif kind == "note":
            where = f"note {note}"
        else:
            where = "run" if kind == "run_start" else str(kind)
        out: dict[str, Any] = {}
        for field, value in rec.items():
            if field in _META:
                out[field] = value
            elif field in ("params", "tags") and isinstance(value, dict):
                out[field] = self.mapping(value, "param" if field == "params" else "tag")
            elif field == "metrics" and isinstance(value, dict):
                out[field] = {self.key(str(k), "metric names"): v for k, v in value.items()}
            elif field == "prelude":
                out[field] = self.prelude(value)
            else:
                out[field] = self.walk(value, where, _FIELD_NAMES.get(field, field))
        source = out.get("source")
        if kind == "cell_start" and isinstance(source, str) and source != rec.get("source"):
            out["sha256"] = _sha256(source)  # the exact source's hash would leak it
        return out

    # -- files --------------------------------------------------------------------------------
    def file_bytes(self, path: Path, name: str) -> bytes:
        """The redacted content of the artifact file ``path`` (``name``: its path under xp/)."""
        data = path.read_bytes()
        if path.name == tags.JOURNAL_ARTIFACT:
            return self._journal(data)
        if path.suffix in PREDICTION_SUFFIXES:  # binary: only its text values are scanned
            return redact_table(data, path.suffix, lambda v, field: self.text(v, name, field))
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = data.decode("latin-1"), "latin-1"  # every byte kept as it is
        label = name.removesuffix(path.suffix) if path.suffix in (".json", ".jsonl") else name
        if path.name == tags.CELLS_ARTIFACT:
            clean = self._cells(text)
        elif path.name == tags.PRELUDE_ARTIFACT:
            clean = self._json(text, lambda value: self.prelude(value))
        elif path.suffix == ".ipynb":
            prefix = "notebook" if path.name == tags.NOTEBOOK_ARTIFACT else name
            clean = self._json(text, lambda value: self._notebook(value, prefix))
        elif path.suffix == ".json":
            captured = path.name in CAPTURED
            clean = self._json(text, lambda value: self.walk(value, label, "", None, captured))
        elif path.suffix == ".diff":
            clean = self._diff(text, path.name in CAPTURED)
        else:
            clean = self.text(text, label, "text")
        return data if clean == text else clean.encode(encoding)

    @contextlib.contextmanager
    def staged(self, src: Path, names: Iterable[str] | None = None) -> Iterator[Path]:
        """A temporary folder of redacted copies of ``names`` in ``src`` (every file if None).

        Missing files are skipped; the folder and its copies are gone after the block.
        """
        with tempfile.TemporaryDirectory(prefix="xp-outbound-") as tmp:
            out = Path(tmp)
            if names is None:
                files = sorted(p for p in src.rglob("*") if p.is_file()) if src.is_dir() else []
            else:
                files = [src / n for n in names]
            for path in files:
                if not path.is_file():
                    continue
                rel = path.relative_to(src)
                dest = out / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(self.file_bytes(path, rel.as_posix()))
            yield out

    def cells_text(self, text: str) -> str:
        """``xp/cells.jsonl`` text redacted as its upload is (the panel's live cell journal)."""
        return self._cells(text)

    def _journal(self, data: bytes) -> bytes:
        out, notes = [], 0
        for line in data.splitlines(keepends=True):
            rec = decode_line(line)
            if rec is None:  # a torn tail: redacted as text
                text = line.decode("utf-8", errors="replace")
                out.append(self.text(text, "journal", "torn line").encode())
                continue
            notes += rec.get("type") == "note"
            clean = self.record(rec, notes)
            out.append(line if clean == rec else encode_record(clean))  # checksum of the copy
        return b"".join(out)

    def _cells(self, text: str) -> str:
        out = []
        for line in text.splitlines(keepends=True):
            try:
                cell = json.loads(line)
            except ValueError:
                out.append(self.text(line, "cells", "line"))
                continue
            if not isinstance(cell, dict):
                out.append(self.text(line, "cells", "line"))
                continue
            where = f"cell {cell.get('seq')}"
            clean = {
                k: v if k in _META else self.walk(v, where, _FIELD_NAMES.get(str(k), str(k)))
                for k, v in cell.items()
            }
            if isinstance(clean.get("source"), str) and clean["source"] != cell.get("source"):
                clean["sha256"] = _sha256(clean["source"])
            if clean != cell:
                line = json.dumps(clean, ensure_ascii=False, sort_keys=True) + "\n"
            out.append(line)
        return "".join(out)

    def _json(self, text: str, clean: Any) -> str:
        try:
            value = json.loads(text)
        except ValueError:
            return self.text(text, "file", "text")
        new = clean(value)
        return text if new == value else json.dumps(new, indent=2, ensure_ascii=False) + "\n"

    def _lines(self, value: Any, where: str, field: str) -> Any:
        """A notebook string, or list of lines, redacted as one text (a PEM spans lines)."""
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            joined = "".join(value)
            clean = self.text(joined, where, field)
            return value if clean == joined else clean.splitlines(keepends=True)
        return self.walk(value, where, field)

    def _notebook(self, nb: Any, prefix: str) -> Any:
        if not isinstance(nb, dict):
            return self.walk(nb, prefix, "")
        out: dict[str, Any] = {}
        for key, value in nb.items():
            if key == "cells" and isinstance(value, list):
                out[key] = [self._cell(c, f"{prefix} cell {i}") for i, c in enumerate(value, 1)]
            else:
                out[key] = self.walk(value, f"{prefix} metadata", key)
        return out

    def _cell(self, cell: Any, where: str) -> Any:
        if not isinstance(cell, dict):
            return self.walk(cell, where, "")
        out: dict[str, Any] = {}
        for key, value in cell.items():
            if key in ("id", "cell_type", "execution_count"):
                out[key] = value
            elif key == "source":
                out[key] = self._lines(value, where, "source")
            elif key == "outputs" and isinstance(value, list):
                out[key] = [self._output(o, where) for o in value]
            else:
                out[key] = self.walk(value, where, key)
        return out

    def _output(self, output: Any, where: str) -> Any:
        if not isinstance(output, dict):
            return self.walk(output, where, "outputs")
        out: dict[str, Any] = {}
        for key, value in output.items():
            if key in ("output_type", "name", "execution_count"):
                out[key] = value
            elif key == "data" and isinstance(value, dict):
                out[key] = {
                    mime: data if mime in BINARY_MIME else self._lines(data, where, "outputs")
                    for mime, data in value.items()
                }
            elif key == "text":
                out[key] = self._lines(value, where, "outputs")
            else:
                out[key] = self.walk(value, where, "outputs")
        return out

    def _diff(self, text: str, captured: bool) -> str:
        chunks = re.split(r"(?m)^(?=diff --git )", text)
        out = []
        for chunk in chunks:
            found = _DIFF_FILE.search(chunk)
            field = str(found.group(1) or found.group(2)) if found else "text"
            field = self.text(field, "git diff", "file name")
            out.append(self.text(chunk, "git diff", field, None, captured))
        return "".join(out)
