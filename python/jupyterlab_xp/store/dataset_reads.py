"""A run's MLflow dataset inputs read back through the parsing boundary, with their provenance.

Anyone who can write to the store can log any dataset input with any name, digest, source and
profile text. Each input is parsed here on its own, with caps (inputs per run, bytes, text
length, splits): an input that does not parse is left out and named in the answer's
``unreadable`` reasons; a field of the wrong shape is None.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jupyterlab_xp.store.boundary import Unreadable, json_value

MAX_DATASETS = 200  # inputs shown for one run; a run declares a handful
MAX_SOURCE_BYTES = 256 << 10  # one input's source or profile JSON; the recorder writes < 4 KiB
MAX_SPLITS = 64
Text = Annotated[str, Field(max_length=2000)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore")


class GitRevision(_Part):
    """The git revision of a DVC pointer file."""

    commit: Text | None = None
    status: Text | None = None
    error: Text | None = None


class DvcPointer(_Part):
    """What DVC's pointer says of the data (``capture/dvc.py``)."""

    pointer: Text | None = None
    stage: Text | None = None
    out: Text | None = None
    hash: Text | None = None
    hash_name: Text | None = None
    size: int | None = None
    nfiles: int | None = None
    remote: Text | None = None
    remote_url: Text | None = None
    git: GitRevision | None = None
    note: Text | None = None  # a dvc.yaml output that no dvc.lock has hashed: "not locked"
    error: Text | None = None


class HubDataset(_Part):
    """A Hugging Face ``datasets`` object's record (``kernel/hf_datasets.py``)."""

    repo: Text | None = None
    revision: Text | None = None
    pinned: bool | None = None
    config_name: Text | None = None
    dataset_name: Text | None = None
    splits: Annotated[dict[Text, int], Field(max_length=MAX_SPLITS)] = {}
    fingerprints: Annotated[dict[Text, Text], Field(max_length=MAX_SPLITS)] = {}


class DataCard(_Part):
    """The data card found beside the data (``capture/data_cards.py``)."""

    path: Text
    kind: Text
    sha256: Text | None = None
    bytes: int | None = None
    license: Text | None = None


class _Source(_Part):
    uri: Text | None = None
    sha256: Text | None = None
    dvc: DvcPointer | None = None
    card: DataCard | None = None
    card_note: Text | None = None  # why there is no card, when it is not "none was found"


class DatasetInput(_Part):
    """One dataset input as every frontend shows it."""

    name: Text
    digest: Text
    context: Text | None = None
    source_type: Text
    uri: Text | None = None
    sha256: Text | None = None
    dvc: DvcPointer | None = None
    hf: HubDataset | None = None
    card: DataCard | None = None
    card_note: Text | None = None  # a Hub dataset's card: "not in the local cache"
    card_checked: bool = False  # False: recorded before cards were looked for, or not a path


def _source(text: str | None, what: str) -> dict[str, Any]:
    value = json_value(text, what, MAX_SOURCE_BYTES)
    if not isinstance(value, dict):
        return {}
    fields: dict[str, Any] = {"card_checked": "card" in value}
    if "fingerprints" in value:  # a hugging_face source: its own fields, at the top
        try:
            fields["hf"] = HubDataset.model_validate(value, strict=True).model_dump()
        except ValidationError:
            fields["hf"] = None
    for key in _Source.model_fields:  # field by field: one bad part costs only itself
        if key in value:
            try:
                parsed = getattr(_Source.model_validate({key: value[key]}, strict=True), key)
            except ValidationError:
                continue
            fields[key] = parsed.model_dump() if isinstance(parsed, BaseModel) else parsed
    return fields


def dataset_inputs(
    rows: Iterable[tuple[object, object, object, object, object]],
) -> tuple[list[dict[str, Any]], list[str]]:
    """``(name, digest, source_type, source, context)`` of each input (``source`` as JSON text)
    to ``(inputs, unreadable)``: the inputs that parse, and one reason per input left out."""
    found: list[dict[str, Any]] = []
    unreadable: list[str] = []
    for n, (name, digest, source_type, source, context) in enumerate(rows):
        if n >= MAX_DATASETS:
            unreadable.append(f"dataset inputs past the first {MAX_DATASETS} left out")
            break
        what = f"dataset input {n + 1}"
        try:
            parsed = _source(source if isinstance(source, str) else None, what)
            entry = DatasetInput.model_validate(
                {
                    "name": name,
                    "digest": digest,
                    "source_type": source_type,
                    "context": context,
                    **parsed,
                },
                strict=True,
            )
        except Unreadable as exc:
            unreadable.append(str(exc))
            continue
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "value"
            unreadable.append(f"{what}: {where}: {first.get('msg')}"[:160])
            continue
        found.append(entry.model_dump())
    return found, unreadable
