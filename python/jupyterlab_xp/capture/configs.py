"""Configs beyond literal assignments: flattened to dotted params, kept resolved, with a schema.

``xp.param(cfg)`` takes a plain nested dict, a dataclass, a pydantic model, an
``argparse.Namespace`` or an OmegaConf/Hydra config. Each becomes dotted params
(``model.width``), its resolved form (interpolations applied) is kept as ``xp/config.json``, and
for pydantic models and dataclasses its schema as ``xp/config.schema.json`` so that an override
can be checked against it before anything runs. None of those libraries is imported here: a
config is recognised by what it is, so a notebook that never uses Hydra never pays its import.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import json
import math
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from jupyterlab_xp.core.errors import XpError

MAX_DEPTH = 16  # a config nested deeper is almost certainly a cycle or an object graph
MAX_KEYS = 2_000  # MLflow logs params in batches; thousands of keys is not a config
SCALARS = (str, int, float, bool, type(None))
NOT_A_FIELD = "is not a field of the recorded config"


def kind_of(config: Any) -> str | None:
    """``dict``, ``dataclass``, ``pydantic``, ``namespace`` or ``omegaconf``, or None."""
    if isinstance(config, Mapping) and not _is_omegaconf(config):
        return "dict"
    if dataclasses.is_dataclass(config) and not isinstance(config, type):
        return "dataclass"
    if callable(getattr(config, "model_dump", None)) and hasattr(type(config), "model_fields"):
        return "pydantic"
    if isinstance(config, argparse.Namespace):
        return "namespace"
    if _is_omegaconf(config):
        return "omegaconf"
    return None


def _is_omegaconf(config: Any) -> bool:
    return any(c.__module__.startswith("omegaconf") for c in type(config).__mro__)


def resolved(config: Any) -> dict[str, Any]:
    """The config as plain JSON-able data, interpolations resolved.

    Raises:
        XpError: not a config this understands, or a value that cannot be resolved.
    """
    kind = kind_of(config)
    if kind == "dict":
        data: Any = dict(config)
    elif kind == "dataclass":
        data = dataclasses.asdict(config)
    elif kind == "pydantic":
        data = config.model_dump(mode="json")
    elif kind == "namespace":
        data = vars(config)
    elif kind == "omegaconf":
        from omegaconf import OmegaConf  # only reached when the user already has it

        try:
            data = OmegaConf.to_container(config, resolve=True)
        except Exception as exc:  # an interpolation that does not resolve: say which
            raise XpError(f"cannot resolve this config: {str(exc).splitlines()[0]}") from None
    else:
        raise XpError(
            "xp.param takes name=value pairs, or one config: a dict, dataclass, pydantic "
            f"model, argparse.Namespace or OmegaConf config (got {type(config).__name__})"
        )
    if not isinstance(data, dict):
        raise XpError(f"a config must be a mapping at the top, got {type(data).__name__}")
    plain: dict[str, Any] = _plain(data, 0)
    return plain


def _plain(value: Any, depth: int) -> Any:
    """``value`` as JSON data (nested dataclasses, tuples, enums and paths made plain)."""
    if depth > MAX_DEPTH:
        raise XpError(f"config nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, SCALARS):
        return value if not isinstance(value, float) or math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return [_plain(v, depth + 1) for v in value]
    if kind_of(value) is not None:
        return _plain(resolved(value), depth + 1)
    if isinstance(value, enum.Enum):
        return _plain(value.value, depth + 1)
    return str(value)  # a path, a date, a class: as the user would read it


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted keys to leaf values: ``{"model": {"width": 16}}`` → ``{"model.width": 16}``.

    A list stays one value (``layers: [64, 32]`` is one param): its items are not names.

    Raises:
        XpError: more than :data:`MAX_KEYS` leaves.
    """
    flat: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
        if len(flat) > MAX_KEYS:
            raise XpError(f"a config with more than {MAX_KEYS} values is not recorded as params")
    return flat


def param_values(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Flat values as params: text as it is, everything else as its JSON (``[64, 32]``)."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in flat.items()}


def schema(config: Any) -> dict[str, Any] | None:
    """A JSON schema of the config's type (pydantic's own; a dataclass's fields), else None."""
    kind = kind_of(config)
    if kind == "pydantic":
        found: dict[str, Any] = type(config).model_json_schema()
        return found
    if kind == "dataclass":
        return _dataclass_schema(type(config), 0)
    return None


def _dataclass_schema(cls: type, depth: int) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    properties = {}
    for f in dataclasses.fields(cls):
        hint = hints.get(f.name, Any)
        if dataclasses.is_dataclass(hint) and depth < MAX_DEPTH and isinstance(hint, type):
            properties[f.name] = _dataclass_schema(hint, depth + 1)
        else:
            properties[f.name] = _type_schema(hint)
    return {
        "title": cls.__name__,
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}


def _type_schema(hint: Any) -> dict[str, Any]:
    """A field's annotation as a JSON schema fragment (``{}`` where it says nothing checkable)."""
    if hint in _JSON_TYPES:
        return {"type": _JSON_TYPES[hint]}
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_type_schema(a) for a in typing.get_args(hint)]}
    if origin in (list, tuple, Sequence):
        return {"type": "array"}
    if origin in (dict, Mapping):
        return {"type": "object"}
    return {}


def inferred_schema(data: Mapping[str, Any], depth: int = 0) -> dict[str, Any]:
    """A schema for a config that carries none (a dict, OmegaConf, a Namespace): its recorded
    keys, each leaf typed by its recorded value. A number accepts any number (``lr: 1`` may be
    overridden with ``0.5``); a recorded ``None`` says nothing about the type, so accepts any.
    """
    properties: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping) and value and depth < MAX_DEPTH:
            properties[str(key)] = inferred_schema(value, depth + 1)
        elif isinstance(value, bool):
            properties[str(key)] = {"type": "boolean"}
        elif isinstance(value, int | float):
            properties[str(key)] = {"type": "number"}
        elif isinstance(value, str):
            properties[str(key)] = {"type": "string"}
        elif isinstance(value, list | tuple):
            properties[str(key)] = {"type": "array"}
        elif isinstance(value, Mapping):
            properties[str(key)] = {"type": "object"}
        else:
            properties[str(key)] = {}
    return {"type": "object", "properties": properties, "additionalProperties": False}


def check_override(config_schema: Mapping[str, Any], key: str, value: Any) -> str | None:
    """Why overriding dotted ``key`` with ``value`` breaks ``config_schema``, or None.

    Unknown keys are refused (the ``extra="forbid"`` discipline), and so is a key naming a
    whole section; a value is checked against the field's JSON type where the schema gives one
    (an int is a number; a bool is not an int). The schema may come from a shared store: a
    part of it that is not the shape a schema has is read as saying nothing.
    """
    node: Mapping[str, Any] = config_schema
    defs = config_schema.get("$defs")
    defs = defs if isinstance(defs, Mapping) else {}
    for part in key.split("."):
        node = _deref(node, defs)
        props = node.get("properties")
        if not isinstance(props, Mapping) or not isinstance(props.get(part), Mapping):
            return f"{key} {NOT_A_FIELD}"
        node = props[part]
    node = _deref(node, defs)
    if isinstance(node.get("properties"), Mapping) and node["properties"]:
        return f"{key} is a section of the recorded config: override its fields one by one"
    found = node.get("anyOf")
    options = (
        [_deref(o, defs) for o in found if isinstance(o, Mapping)]
        if isinstance(found, list)
        else [node]
    )
    if not options or any(_fits(o, value) for o in options):
        return None
    wanted = " or ".join(str(o.get("type", "?"))[:40] for o in options[:8])
    return f"{key} must be {wanted}, got {type(value).__name__} {value!r:.60}"


def _deref(node: Mapping[str, Any], defs: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        found = defs.get(ref.removeprefix("#/$defs/"))
        return found if isinstance(found, Mapping) else {}
    return node


_CHECKS = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list | tuple),
    "object": lambda v: isinstance(v, dict),
}


def _fits(node: Mapping[str, Any], value: Any) -> bool:
    kind = node.get("type")
    kinds = [k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)]
    if not kinds:
        return True
    return any(_CHECKS.get(k, lambda v: True)(value) for k in kinds)


def apply_overrides(config: Any, overrides: Mapping[str, Any]) -> None:
    """Set each dotted key of ``overrides`` in ``config``, in place (a promotion's or a sweep
    trial's values, checked against the recorded config before anything ran).

    A mapping's item or an object's attribute, level by level, so a dataclass, a pydantic
    model (its own assignment validation applies), a Namespace, a dict and an OmegaConf config
    are all changed where the notebook holds them.

    Raises:
        XpError: a key the config does not have, or a value the config refuses.
    """
    for key, value in overrides.items():
        *path, last = key.split(".")
        node = config
        try:
            for part in path:
                node = node[part] if isinstance(node, Mapping) else getattr(node, part)
            if not (last in node if isinstance(node, Mapping) else hasattr(node, last)):
                raise KeyError(last)
        except (KeyError, AttributeError, TypeError):
            raise XpError(f"override {key}: this config has no such field") from None
        try:
            if isinstance(node, Mapping):
                node[last] = value  # type: ignore[index]
            else:
                setattr(node, last, value)
        except Exception as exc:  # a frozen dataclass, a pydantic or OmegaConf refusal
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise XpError(
                f"override {key}={value!r:.60}: the config refused it: {reason}"
            ) from None
