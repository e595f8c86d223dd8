"""SciPy's removed re-exports of NumPy's functions (``from scipy import exp``)."""

from __future__ import annotations

from typing import Any

from jupyterlab_xp.promote.shims.log import Shim, record


def _numpy_names(module: Any) -> None:
    original = getattr(module, "__getattr__", None)

    def __getattr__(name: str) -> Any:
        # SciPy 1.12 removed the NumPy functions its namespace re-exported (scipy.exp,
        # scipy.sqrt, scipy.linspace...): they were NumPy's own, so NumPy's answer them.
        if original is not None:
            try:
                return original(name)
            except AttributeError:
                pass
        import numpy

        if name.startswith("_") or not hasattr(numpy, name):
            raise AttributeError(f"module 'scipy' has no attribute {name!r}")
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
