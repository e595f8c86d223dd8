"""Python 2's builtins that Python 3 moved, as functions that say when they are called."""

from __future__ import annotations

import builtins
import importlib
from collections.abc import Callable
from typing import Any

from jupyterlab_xp.promote.shims.log import record


def _moved(name: str, target: Callable[..., Any], now: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        record("python2-builtins", f"{name}() as {now}")
        return target(*args, **kwargs)

    call.__name__ = name
    return call


def _python2_builtins(shell: Any) -> None:
    names = {
        "reload": _moved("reload", importlib.reload, "importlib.reload()"),
        "xrange": _moved("xrange", range, "range()"),
        "raw_input": _moved("raw_input", lambda prompt="": builtins.input(prompt), "input()"),
        "unichr": _moved("unichr", chr, "chr()"),
    }
    for name, function in names.items():
        if not hasattr(builtins, name):
            setattr(builtins, name, function)


SHELL_SHIMS: dict[str, tuple[str, Callable[[Any], None]]] = {
    "python2-builtins": (
        "Python 3 moved reload, xrange, raw_input, unichr: importlib.reload, range, input, chr",
        _python2_builtins,
    ),
}
