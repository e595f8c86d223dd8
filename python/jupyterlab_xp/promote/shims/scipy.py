"""SciPy's removed re-exports of NumPy's functions (``from scipy import exp``, and NumPy's
names in ``from scipy import *``)."""

from __future__ import annotations

from typing import Any

from jupyterlab_xp.promote.shims.log import Shim, StarNames, in_star_import, record


def _numpy_names(module: Any) -> None:
    original = getattr(module, "__getattr__", None)
    import numpy

    own = list(getattr(module, "__all__", []))
    extra = [
        n
        for n in getattr(numpy, "__all__", [])
        if not n.startswith("_") and n not in own and n not in vars(module)
    ]
    detail = "from scipy import *: NumPy's names too"
    module.__all__ = StarNames(own + extra, "scipy-numpy-names", detail)

    def __getattr__(name: str) -> Any:
        # SciPy 1.12 removed the NumPy functions its namespace re-exported (scipy.exp,
        # scipy.sqrt, scipy.linspace...): they were NumPy's own, so NumPy's answer them.
        if original is not None:
            try:
                return original(name)
            except AttributeError:
                pass
        star, active = in_star_import(), StarNames.active
        StarNames.active = star  # NumPy's own aliases (np.Inf) say nothing for a star import
        try:
            if name.startswith("_") or not hasattr(numpy, name):
                raise AttributeError(f"module 'scipy' has no attribute {name!r}")
            value = getattr(numpy, name)
        finally:
            StarNames.active = active
        if not star:  # a star import is recorded once, by StarNames
            record("scipy-numpy-names", f"scipy.{name} as numpy.{name}")
        return value

    module.__getattr__ = __getattr__


SHIMS = (
    Shim(
        "scipy-numpy-names",
        "SciPy 1.12 removed the NumPy functions it re-exported (scipy.exp...): NumPy's",
        "scipy",
        _numpy_names,
    ),
)
