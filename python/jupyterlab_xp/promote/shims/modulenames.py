"""A package the notebook imports from, then uses by its bare name without importing that name.

``from sklearn.cluster import KMeans`` imports the package ``sklearn`` but binds only ``KMeans``;
a later ``sklearn.__version__`` worked in the session the notebook was saved from only because
something else bound the name there (a cell since deleted, an extension). Before each cell, a
name the cell reads that is not defined, not a builtin, and is the top-level package of an
import the notebook's own cells made (``from sklearn... import``, ``import sklearn.cluster``) is
bound to that package, as ``import sklearn`` would, and the use is recorded. Any other undefined
name still raises ``NameError``.
"""

from __future__ import annotations

import ast
import builtins
import importlib
from collections.abc import Callable
from typing import Any

from jupyterlab_xp.promote.shims.log import record


def _parse(source: str) -> ast.AST | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _imported_from(tree: ast.AST) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names if "." in a.name and not a.asname}
    return out


def _bind_packages(shell: Any) -> None:
    packages: set[str] = set()  # top-level packages the notebook's cells imported from

    def before(info: Any) -> None:
        try:
            tree = _parse(str(shell.transform_cell(getattr(info, "raw_cell", "") or "")))
        except Exception:  # a cell IPython cannot transform: it will say so itself
            return
        if tree is None:
            return
        packages.update(_imported_from(tree))
        loads = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        for name in sorted(loads & packages):
            if name in shell.user_ns or hasattr(builtins, name):
                continue
            try:
                module = importlib.import_module(name)
            except Exception:  # noqa: S112  # not importable: the cell raises as written
                continue
            shell.user_ns[name] = module
            record(
                "module-name-bound",
                f"{name} used by name, imported only as from {name}... import: bound to the "
                f"package, as import {name} would",
            )

    shell.events.register("pre_run_cell", before)


SHELL_SHIMS: dict[str, tuple[str, Callable[[Any], None]]] = {
    "module-name-bound": (
        "a package the notebook imports from (from sklearn.x import y) and uses by its bare name "
        "without importing it: bound to the package, as import would",
        _bind_packages,
    ),
}
