"""A package that is not installed, imported by a helper module in the notebook's folder outside
any ``try``: a placeholder module that raises ``ModuleNotFoundError`` when it is used.

Notebooks often import a helper of their own (``import mglearn``) whose modules import, at
their top, packages that only a few of its functions use. The notebook runs as long as it never
calls those; when it does, the placeholder raises with the package's name. Imports by the
notebook's own cells and by installed libraries are left alone: a library that tries an
optional import must see it fail, and a cell that imports a package uses it.
"""

from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

from jupyterlab_xp.promote.shims.log import Shim, record

_HERE = Path(__file__).parent
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


class _Missing(ModuleType):
    """A module that is not installed: any use of what it would hold raises."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Unavailable(self.__name__, name)


class _Unavailable:
    def __init__(self, module: str, name: str) -> None:
        self._what = f"{module}.{name}"
        self._module = module

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise ModuleNotFoundError(
            f"No module named {self._module.split('.')[0]!r} (needed by {self._what}; promote "
            "let its import through with a placeholder)",
            name=self._module.split(".")[0],
        )

    __call__ = __getattr__ = __getitem__ = __iter__ = _fail


def _importer() -> FrameType | None:
    """The frame of the ``import`` statement being run (the first outside importlib)."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and (
        frame.f_code.co_filename.startswith("<frozen")
        or Path(frame.f_code.co_filename).parent == _HERE
    ):
        frame = frame.f_back
    return frame


def _in_try(path: Path, line: int) -> bool:
    """Whether ``line`` of ``path`` sits in a ``try`` that catches an import's failure."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError, ValueError):
        return True  # unreadable: leave the import to fail as it would
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try) or not node.body:
            continue
        if not node.body[0].lineno <= line <= (node.body[-1].end_lineno or line):
            continue
        for handler in node.handlers:
            names = [handler.type] if not isinstance(handler.type, ast.Tuple) else handler.type.elts
            if handler.type is None or any(
                isinstance(n, ast.Name) and n.id in _IMPORT_ERRORS for n in names
            ):
                return True
    return False


class _Placeholders(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last on ``sys.meta_path``: asked only about modules no other finder found."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        parent = fullname.rpartition(".")[0]
        if parent and not isinstance(sys.modules.get(parent), _Missing):
            return None  # a missing submodule of an installed package: not ours to answer
        frame = _importer()
        if frame is None:
            return None
        filename = Path(frame.f_code.co_filename)
        try:
            helper = filename.resolve().relative_to(Path.cwd().resolve())
        except (OSError, ValueError):
            return None  # a cell, a library, the standard library: the import fails
        installed = {"site-packages", "dist-packages"} & set(filename.parts)
        if installed or not filename.is_file() or _in_try(filename, frame.f_lineno):
            return None
        if not parent:
            record(
                "missing-import-placeholder",
                f"{helper} imports {fullname}, not installed: a placeholder that raises if used",
            )
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = _Missing(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: ModuleType) -> None:
        return None


def _placeholders(module: Any) -> None:
    if not any(isinstance(f, _Placeholders) for f in sys.meta_path):
        sys.meta_path.append(_Placeholders())


SHIMS = (
    Shim(
        "missing-import-placeholder",
        "a helper module in the notebook's folder imports a package that is not installed: a "
        "placeholder that raises when used",
        "sys",  # always imported: the finder goes in at once
        _placeholders,
    ),
)
