"""IPython's removed APIs, optional extensions that are not installed, and interactive cells.

Shims that skip or answer instead of emulating (an informational extension that is not
installed, ``input()``, ``%debug``) mark their cell as ``skipped`` in the verdict.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from jupyterlab_xp.promote.shims.log import Shim, record


def _formats(module: Any) -> None:
    if hasattr(module, "set_matplotlib_formats"):
        return

    def set_matplotlib_formats(*formats: str, **kwargs: Any) -> None:
        """IPython 8 removed this; matplotlib-inline has had it since 0.1."""
        from matplotlib_inline.backend_inline import set_matplotlib_formats as moved

        record(
            "ipython-set-matplotlib-formats",
            "IPython.display.set_matplotlib_formats as matplotlib_inline's",
        )
        moved(*formats, **kwargs)  # type: ignore[no-untyped-call]

    module.set_matplotlib_formats = set_matplotlib_formats


# Extensions that only print the versions and the machine: not installed, their cell is skipped.
OPTIONAL_EXTENSIONS = {
    "watermark": ("watermark",),
    "version_information": ("version_information",),
    "autotime": (),
}


def _extensions(shell: Any) -> None:
    manager = shell.extension_manager
    original = manager.load_extension

    def load_extension(module_str: str) -> Any:
        try:
            return original(module_str)
        except ModuleNotFoundError as exc:
            if module_str not in OPTIONAL_EXTENSIONS or exc.name != module_str:
                raise
            record("optional-extension", f"%load_ext {module_str}: not installed, skipped")
            for magic in OPTIONAL_EXTENSIONS[module_str]:
                shell.register_magic_function(_skipped_magic(magic), "line_cell", magic)
            return "not installed: skipped by promote"

    manager.load_extension = load_extension


def _skipped_magic(name: str) -> Callable[..., None]:
    def magic(line: str = "", cell: str | None = None) -> None:
        record("optional-extension", f"%{name} {line}".strip()[:120] + ": skipped")

    return magic


def _interactive(shell: Any) -> None:
    kernel = getattr(shell, "kernel", None)
    if kernel is not None:

        def raw_input(prompt: str = "") -> str:
            record("interactive", f"input({prompt!r}) answered with an empty line")
            return ""

        def getpass(prompt: str = "", stream: Any = None) -> str:
            record("interactive", f"getpass({prompt!r}) answered with an empty line")
            return ""

        # ipykernel binds builtins.input to kernel.raw_input before every cell.
        kernel.raw_input = raw_input
        kernel.getpass = getpass
    builtins_input = builtins.input
    if getattr(builtins_input, "__module__", "") == "builtins":  # a plain shell, no kernel
        builtins.input = _answer

    def debug(line: str = "", cell: str | None = None) -> None:
        record("interactive", "%debug: no one to answer the debugger, skipped")

    shell.register_magic_function(debug, "line_cell", "debug")


def _answer(prompt: object = "") -> str:
    record("interactive", f"input({prompt!r}) answered with an empty line")
    return ""


SHIMS = (
    Shim(
        "ipython-set-matplotlib-formats",
        "IPython 8 removed IPython.display.set_matplotlib_formats: matplotlib_inline's",
        "IPython.display",
        _formats,
    ),
)
SHELL_SHIMS: dict[str, tuple[str, Callable[[Any], None]]] = {
    "optional-extension": (
        "an informational IPython extension (watermark...) not installed: its cell skipped",
        _extensions,
    ),
    "interactive": ("input() answered with an empty line, %debug skipped", _interactive),
}
