"""NumPy's removed aliases (np.float, np.float_, np.NaN...) as the types they named."""

from __future__ import annotations

import builtins
from typing import Any

from jupyterlab_xp.promote.shims.log import Shim, StarNames, in_star_import, record

SHIM = "numpy-removed-aliases"

_NUMPY_ALIASES = {
    # NumPy 1.24 removed the builtin aliases (deprecated in 1.20)
    "float": "builtins.float",
    "int": "builtins.int",
    "bool": "builtins.bool",
    "object": "builtins.object",
    "str": "builtins.str",
    "complex": "builtins.complex",
    "long": "builtins.int",
    "unicode": "builtins.str",
    # NumPy 2.0 removed these names
    "float_": "float64",
    "complex_": "complex128",
    "string_": "bytes_",
    "unicode_": "str_",
    "NaN": "nan",
    "NAN": "nan",
    "Inf": "inf",
    "Infinity": "inf",
    "infty": "inf",
    "PINF": "inf",
    "int0": "intp",
    "uint0": "uintp",
}


def _numpy(module: Any) -> None:
    original = getattr(module, "__getattr__", None)

    def __getattr__(name: str) -> Any:
        target = _NUMPY_ALIASES.get(name)
        if target is None:
            if original is None:
                raise AttributeError(f"module 'numpy' has no attribute {name!r}")
            return original(name)
        if not in_star_import():  # a star import is recorded once, by StarNames
            record("numpy-removed-aliases", f"np.{name} as {target.replace('builtins.', '')}")
        if target.startswith("builtins."):
            return getattr(builtins, target.split(".", 1)[1])
        return getattr(module, target)

    module.__getattr__ = __getattr__
    # from numpy import * bound NaN, Inf, float_...: the aliases that are not builtins' names
    removed = [k for k, v in _NUMPY_ALIASES.items() if not v.startswith("builtins.")]
    own = list(getattr(module, "__all__", []))
    detail = "from numpy import *: also " + ", ".join(removed[:4]) + "..."
    module.__all__ = StarNames(own + [n for n in removed if n not in own], SHIM, detail)


SHIMS = (
    Shim(
        "numpy-removed-aliases",
        "NumPy 1.24/2.0 removed np.float, np.int, np.float_, np.NaN...: the types they named",
        "numpy",
        _numpy,
    ),
)
