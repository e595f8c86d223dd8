"""Where each override of a promotion or a sweep goes: the parameters cell, the recorded config.

A plain name (``lr``) the parameters cell defines is a papermill parameter. A name of the
config ``xp.param(cfg)`` recorded — dotted (``model.lr``) or top-level — is a config override:
it is checked against the config's schema (pydantic's, a dataclass's, else one inferred from
the recorded values) before anything runs, and the promoted kernel's ``xp.param(cfg)`` sets it
in the user's config. An unknown name or a value of the wrong type is one line. The recorded
config is read back through the store's parsing boundary; a key only ever names a field to set,
never code to run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from jupyterlab_xp.capture import configs
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.promote import source as sources
from jupyterlab_xp.promote.params import MAX_PARAMS, check_name, check_value

MAX_KEY_CHARS = 250  # MLflow's param key limit: a longer key was never recorded
# Each part is a name as configs write them (Hydra allows dashes); no empty part, no spaces.
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*")


def check_key(key: object) -> str:
    """``key`` when it is a plain or dotted name (``model.lr``); XpError otherwise."""
    if not isinstance(key, str) or len(key) > MAX_KEY_CHARS or not _KEY.fullmatch(key):
        raise XpError(
            f"parameter names are Python identifiers or dotted config keys (model.lr), "
            f"got {str(key)[:80]!r}"
        )
    return key


def schema_of(src: sources.Source) -> Mapping[str, Any] | None:
    """The schema overrides are checked against: the recorded one, else one inferred from the
    recorded config, else None (the source recorded no config)."""
    if src.config_schema:
        return src.config_schema
    if src.config is not None:
        return configs.inferred_schema(src.config)
    return None


def config_problem(schema: Mapping[str, Any] | None, key: str, value: Any) -> str | None:
    """Why ``key=value`` is no override of the recorded config (its :func:`schema_of`), or None."""
    if schema is None:
        return (
            f"{key}: the source recorded no config (xp.param(cfg)), so it has no dotted parameters"
        )
    return configs.check_override(schema, key, value)


def in_config(schema: Mapping[str, Any] | None, key: str) -> bool:
    """Whether the recorded config (its :func:`schema_of`) has a field ``key`` (of any type)."""
    if schema is None:
        return False
    problem = configs.check_override(schema, key, None)
    return problem is None or configs.NOT_A_FIELD not in problem


def split(
    src: sources.Source, overrides: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``overrides`` as (papermill params, config overrides), each checked; XpError names the
    first that is wrong. A name in both the parameters cell and the config goes to both."""
    if not isinstance(overrides, Mapping):
        raise XpError("params must be an object of name to value")
    if len(overrides) > MAX_PARAMS:
        raise XpError(f"at most {MAX_PARAMS} parameters, got {len(overrides)}")
    params: dict[str, Any] = {}
    config: dict[str, Any] = {}
    unknown: list[str] = []
    schema = schema_of(src)  # once: one inferred from a large config costs its size
    for key, value in overrides.items():
        key = check_key(key)
        dotted = "." in key
        if dotted or in_config(schema, key):
            value = check_value(key, value)
            problem = config_problem(schema, key, value)
            if problem:
                raise XpError(problem)
            config[key] = _json_value(key, value)
        if not dotted and key not in config:
            check_name(key)  # a keyword (class) says so, rather than "unknown"
        if not dotted and (key in src.params or (not src.params and key not in config)):
            params[key] = value
        elif not dotted and key not in config:
            unknown.append(key)
    if unknown:
        known = [*src.params, *(["fields of the recorded config"] if src.config else [])]
        raise XpError(f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return params, config


def _json_value(key: str, value: Any) -> Any:
    """A config override as JSON (it travels to the kernel as JSON): lists, not sets."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError):
        raise XpError(f"parameter {key}: {value!r:.60} is not a config value (JSON)") from None


def not_reached(requested: Mapping[str, Any], recorded: Mapping[str, str]) -> str | None:
    """Why a promoted run's params say a config override never reached its config, or None.

    The kernel sets the overrides when the notebook records its config (``xp.param(cfg)`` or
    ``hydra.compose``); a notebook that no longer does would otherwise run its old values
    silently, and a sweep would score a trial that never had its values.
    """
    wanted = configs.param_values(requested)
    missed = [k for k, v in wanted.items() if recorded.get(k) != v]
    if not missed:
        return None
    key = missed[0]
    return (
        f"config override {key}={wanted[key]} did not reach the notebook's config (the run "
        f"recorded {recorded.get(key)!r}): record the config with xp.param(cfg) or hydra.compose"
    )
