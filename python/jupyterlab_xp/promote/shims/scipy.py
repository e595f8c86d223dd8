"""SciPy's removed re-exports of NumPy's functions (``from scipy import exp``, and NumPy's
names in ``from scipy import *``)."""

from __future__ import annotations

import sys
from typing import Any

from jupyterlab_xp.promote.shims.log import Shim, record


class _Star:
    active = False  # inside a ``from scipy import *``: one record for all its names


class _StarNames(list[str]):
    """``scipy.__all__`` with NumPy's names after SciPy's own: ``from scipy import *`` binds
    both, as SciPy before 1.12 did. The statement reads ``__all__`` item by item from 0 until
    IndexError (CPython's import_all_from), which brackets one star import."""

    def __getitem__(self, index: Any) -> Any:
        if index == 0 and not isinstance(index, bool):
            _Star.active = True
            record("scipy-numpy-names", "from scipy import *: NumPy's names too")
        try:
            return super().__getitem__(index)
        except IndexError:
            _Star.active = False
            raise


def _numpy_names(module: Any) -> None:
    original = getattr(module, "__getattr__", None)
    import numpy

    own = list(getattr(module, "__all__", []))
    extra = [
        n
        for n in getattr(numpy, "__all__", [])
        if not n.startswith("_") and n not in own and n not in vars(module)
    ]
    module.__all__ = _StarNames(own + extra)

    def __getattr__(name: str) -> Any:
        # SciPy 1.12 removed the NumPy functions its namespace re-exported (scipy.exp,
        # scipy.sqrt, scipy.linspace...): they were NumPy's own, so NumPy's answer them.
        if original is not None:
            try:
                return original(name)
            except AttributeError:
                pass
        if name.startswith("_") or not hasattr(numpy, name):
            raise AttributeError(f"module 'scipy' has no attribute {name!r}")
        # A star import first asks for every name of __all__ (importlib's _handle_fromlist),
        # then binds them: one record for it all, made when __all__ is read.
        star = _Star.active or sys._getframe(1).f_code.co_name == "_handle_fromlist"
        if not star:
            record("scipy-numpy-names", f"scipy.{name} as numpy.{name}")
        return getattr(numpy, name)

    module.__getattr__ = __getattr__


SHIMS = (
    Shim(
        "scipy-numpy-names",
        "SciPy 1.12 removed the NumPy functions it re-exported (scipy.exp...): NumPy's",
        "scipy",
        _numpy_names,
    ),
)
