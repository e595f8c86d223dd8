"""Named compatibility shims: an API a library removed or renamed, answered as it used to be.

A promotion (on by default; ``--no-shims`` turns them off) adds one cell before the notebook's
own that calls :func:`install` in its kernel. Each shim waits for its library's import (an
import hook; a library already imported is patched at once), so a notebook that never imports
pandas pays nothing for pandas' shim. A shim changes nothing until the notebook calls the
removed API; then it answers the way the old version did and records the use
(:func:`.log.record`), which the job reads into the run's verdict: never silent.

One module per library registers its shims (``SHIMS``: applied when the library is imported;
``SHELL_SHIMS``: applied to the IPython shell): ``matplotlib``, ``ipython``, ``numpy``,
``pandas``, ``scipy``, ``sklearn``, ``torch``, ``downloads``, ``imports`` (a helper's import of a
package that is not installed), ``modulenames`` (a package used by a name it was never imported
as) and ``python2``. Shims that skip or answer instead of
emulating mark their cell as ``skipped`` in the verdict (:data:`SKIPS`).

This package runs in the user's kernel: it imports only the standard library at import time.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from jupyterlab_xp.promote.shims import (
    downloads,
    imports,
    ipython,
    matplotlib,
    modulenames,
    numpy,
    pandas,
    python2,
    scipy,
    sklearn,
    torch,
)
from jupyterlab_xp.promote.shims.log import LOG_ENV, MAX_LOG_LINES, Shim, hook, record

__all__ = [
    "LOG_ENV",
    "NAMES",
    "SHELL_SHIMS",
    "SHIMS",
    "SKIPS",
    "WHAT",
    "Shim",
    "cell_source",
    "install",
    "read_log",
    "record",
]

SKIPS = ("optional-extension", "interactive")  # shims whose cell did not run as written

SHIMS: tuple[Shim, ...] = (
    *matplotlib.SHIMS,
    *ipython.SHIMS,
    *numpy.SHIMS,
    *pandas.SHIMS,
    *scipy.SHIMS,
    *sklearn.SHIMS,
    *torch.SHIMS,
    *downloads.SHIMS,
    *imports.SHIMS,
)
SHELL_SHIMS: dict[str, tuple[str, Callable[[Any], None]]] = {
    **ipython.SHELL_SHIMS,
    **python2.SHELL_SHIMS,
    **modulenames.SHELL_SHIMS,
}
NAMES = tuple(dict.fromkeys(s.name for s in SHIMS)) + tuple(SHELL_SHIMS)
WHAT = {
    **{s.name: s.what for s in SHIMS},
    **{k: v[0] for k, v in SHELL_SHIMS.items()},
    "plot-era": matplotlib.PLOT_ERA,
    "pandas-object-strings": pandas.OBJECT_STRINGS,
}


class _Hook(importlib.abc.MetaPathFinder):
    """Runs a shim right after its module is imported (found by the other finders)."""

    def __init__(self, pending: dict[str, list[Shim]]) -> None:
        self.pending = pending

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.pending:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                self._wrap(spec, self.pending.pop(fullname))
                return spec
        return None

    def _wrap(self, spec: importlib.machinery.ModuleSpec, shims: list[Shim]) -> None:
        loader = spec.loader
        exec_module = loader.exec_module  # type: ignore[union-attr]

        def exec_and_shim(module: Any) -> None:
            exec_module(module)
            for shim in shims:
                _apply(shim, module)

        loader.exec_module = exec_and_shim  # type: ignore[method-assign,union-attr]


def _apply(shim: Shim, module: ModuleType) -> None:
    try:
        shim.apply(module)
    except Exception as exc:  # a shim never breaks the notebook: it just is not there
        print(f"xp: shim {shim.name} not applied: {exc}", file=sys.stderr)


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def install(
    names: Sequence[str] | None = None,
    plots: dict[str, Any] | None = None,
    object_strings: bool = False,
) -> None:
    """Install the shims ``names`` (default: all) in this interpreter; ``plots``
    (:func:`..plotera.settings`) draws figures at the stored plots' size, DPI and style;
    ``object_strings`` (:func:`..pandasera.object_strings`) keeps pandas' text as object."""
    chosen = set(NAMES if names is None else names) | {"plot-era", "pandas-object-strings"}
    pending: dict[str, list[Shim]] = {}
    extra = matplotlib.plot_era(plots) if plots else []
    extra += [pandas.object_strings()] if object_strings else []
    for shim in [*SHIMS, *extra]:
        if shim.name not in chosen:
            continue
        if shim.module in sys.modules:
            _apply(shim, sys.modules[shim.module])
        else:
            pending.setdefault(shim.module, []).append(shim)
    if pending:
        sys.meta_path.insert(0, _Hook(pending))
    shell = _shell()
    if shell is not None:
        hook(shell)
        for name, (_, apply) in SHELL_SHIMS.items():
            if name in chosen:
                apply(shell)


def cell_source(plots: dict[str, Any] | None = None, object_strings: bool = False) -> str:
    """The cell promote adds to install every shim (``plots``: :func:`..plotera.settings`,
    ``object_strings``: :func:`..pandasera.object_strings`)."""
    args = [] if not plots else [f"plots={json.dumps(plots, sort_keys=True)}"]
    args += ["object_strings=True"] if object_strings else []
    arg = ", ".join(args).replace("null", "None")  # JSON of numbers, strings, null: Python
    return (
        "# Compatibility shims (added by promote; each use is recorded in the verdict)\n"
        f"import jupyterlab_xp.promote.shims as _xp_shims\n_xp_shims.install({arg})\n"
        "del _xp_shims"
    )


def read_log(path: Path) -> list[dict[str, Any]]:
    """The shims a run used: one entry per shim and cell, with what each did (first detail)."""
    seen: dict[tuple[str, Any], dict[str, Any]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    for line in lines[:MAX_LOG_LINES]:
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if not isinstance(item, dict) or item.get("name") not in WHAT:
            continue
        cell = item.get("cell") if isinstance(item.get("cell"), int) else None
        key = (item["name"], cell)
        if key not in seen:
            seen[key] = {
                "name": item["name"],
                "what": WHAT[item["name"]],
                "detail": str(item.get("detail", ""))[:300],
                "cell": cell,
                "uses": 0,
            }
        seen[key]["uses"] += 1
    return list(seen.values())
