"""A whole config recorded in a run: ``xp.param(cfg)``, and ``hydra.compose`` by itself.

Both go through :func:`record`: a promotion's config overrides are set in the config first
(checked against the recorded config before the promotion ran), then the resolved config becomes
dotted params, ``xp/config.json`` and its schema. ``hydra.compose(config_name, overrides)``
called while a run records is recorded the same way, with no ``xp.param`` call, its config name
and overrides as tags: :func:`watch_hydra` wraps ``hydra.compose`` when hydra is imported (at
once when it already is), and the wrapper only passes through when no run is recording.
"""

from __future__ import annotations

import functools
import inspect
import json
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any, Protocol

from jupyterlab_xp.capture import configs
from jupyterlab_xp.core import tags
from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.files import write_atomic
from jupyterlab_xp.kernel.run import ActiveRun
from jupyterlab_xp.kernel.seeds import _PostImportFinder, rebind_wrapped


class ConfigOwner(Protocol):
    """The recorder, as far as configs go: the active run and a promotion's overrides."""

    active: ActiveRun | None
    config_overrides: dict[str, Any]


def apply_pending(owner: ConfigOwner, config: Any) -> None:
    """Set a promotion's (or a sweep trial's) config overrides in ``config``, once.

    Raises:
        XpError: the config lacks a key or refuses a value (the promotion then fails, in one
            line, rather than run with a config it was not asked for).
    """
    if owner.config_overrides:
        overrides, owner.config_overrides = owner.config_overrides, {}
        configs.apply_overrides(config, overrides)


def record(run: ActiveRun, config: Any, hydra: dict[str, Any] | None = None) -> None:
    """Record ``config`` in ``run``: dotted params, ``xp/config.json``, its schema, and for a
    Hydra compose its config name and overrides (tags and the journal's ``config`` record)."""
    data = configs.resolved(config)
    flat = configs.param_values(configs.flatten(data))
    files = {tags.CONFIG_ARTIFACT: data, tags.CONFIG_SCHEMA_ARTIFACT: configs.schema(config)}
    written = []
    for name, body in files.items():
        if body is not None:
            text = json.dumps(body, indent=1, sort_keys=True, default=str)
            write_atomic(run.sync.artifacts_dir / name, text.encode())
            written.append(name)
    run.log_params(flat)
    if hydra is not None:
        run.set_tags(
            {
                tags.HYDRA_CONFIG_NAME: str(hydra["config_name"]),
                tags.HYDRA_OVERRIDES: json.dumps(hydra["overrides"]),
            }
        )
    kind = "hydra" if hydra is not None else configs.kind_of(config)
    run.record("config", kind=kind, keys=len(flat), artifacts=written, **(hydra or {}))


_WARNED: set[str] = set()


def watch_hydra(owner: Callable[[], ConfigOwner]) -> None:
    """Record every ``hydra.compose`` made while a run records (once per process)."""
    module = sys.modules.get("hydra")
    if module is not None:
        _wrap_compose(module, owner)
        namespace = getattr(getattr(owner(), "shell", None), "user_ns", None)
        rebind_wrapped(namespace, getattr(module, "compose", None))
    elif not any(getattr(f, "xp_hydra", False) for f in sys.meta_path):
        finder = _PostImportFinder({"hydra": lambda m: _wrap_compose(m, owner)})
        finder.xp_hydra = True  # type: ignore[attr-defined]
        sys.meta_path.insert(0, finder)


def _wrap_compose(module: ModuleType, owner: Callable[[], ConfigOwner]) -> None:
    original = getattr(module, "compose", None)
    if not callable(original) or hasattr(original, "__xp_original__"):
        return
    signature = inspect.signature(original)

    @functools.wraps(original)
    def compose(*args: Any, **kwargs: Any) -> Any:
        config = original(*args, **kwargs)
        found = owner()
        run = found.active
        if run is None:
            return config
        apply_pending(found, config)  # raises: a promotion must not run another config
        given = signature.bind_partial(*args, **kwargs).arguments
        hydra = {
            "config_name": given.get("config_name"),
            "overrides": [str(o) for o in given.get("overrides") or []],
        }
        try:
            record(run, config, hydra)
        except Exception as exc:  # e.g. a second compose whose values differ: say so, once
            # (never more: the recorder must not break the user's call)
            text = str(exc) if isinstance(exc, XpError) else f"{type(exc).__name__}: {exc}"
            if text not in _WARNED:
                _WARNED.add(text)
                print(f"xp: this hydra.compose is not recorded: {text[:300]}", file=sys.stderr)
        return config

    compose.__xp_original__ = original  # type: ignore[attr-defined]
    module.compose = compose  # type: ignore[attr-defined]
    submodule = sys.modules.get("hydra.compose")  # `from hydra.compose import compose`
    if submodule is not None and getattr(submodule, "compose", None) is original:
        submodule.compose = compose  # type: ignore[attr-defined]
