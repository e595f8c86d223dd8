"""IPython's removed APIs, optional extensions that are not installed, interactive cells, and
``%timeit`` bounded to one run.

Shims that skip or answer instead of emulating (an informational extension that is not
installed, ``input()``, ``%debug``) mark their cell as ``skipped`` in the verdict.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
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


# IPython 4 split the notebook out of IPython: IPython.html.widgets became ipywidgets.
_MOVED = {"IPython.html.widgets": "ipywidgets"}


class _Renamed(ModuleType):
    """A module that moved, under its old name; ipywidgets 5 also dropped the ``Widget``
    suffix of its classes (``FloatSliderWidget`` is ``FloatSlider``)."""

    def __init__(self, name: str, target: ModuleType) -> None:
        super().__init__(name)
        self._target = target
        if hasattr(target, "__all__"):
            self.__all__ = list(target.__all__)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        target = self._target
        if not hasattr(target, name) and name.endswith("Widget") and len(name) > 6:
            record("ipython-html-widgets", f"{name} as ipywidgets.{name[:-6]}")
            return getattr(target, name[:-6])
        return getattr(target, name)


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``IPython.html`` (an empty package) and the modules that moved out of it, after
    every other finder has failed (an IPython that still has them keeps its own)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "IPython.html" and fullname not in _MOVED:
            return None
        if fullname in _MOVED and importlib.util.find_spec(_MOVED[fullname]) is None:
            return None  # ipywidgets not installed either: the import fails as it would
        return importlib.machinery.ModuleSpec(fullname, self, is_package=fullname not in _MOVED)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        if spec.name in _MOVED:
            record("ipython-html-widgets", f"{spec.name} as {_MOVED[spec.name]}")
            return _Renamed(spec.name, importlib.import_module(_MOVED[spec.name]))
        return None

    def exec_module(self, module: ModuleType) -> None:
        if module.__name__ == "IPython.html":
            module.__path__ = []


def _moved_modules(module: Any) -> None:
    if not any(isinstance(f, _MovedModules) for f in sys.meta_path):
        sys.meta_path.append(_MovedModules())


def _timeit_once(shell: Any) -> None:
    original = shell.find_line_magic("timeit")
    if original is None:
        return

    def timeit(line: str = "", cell: str | None = None) -> Any:
        # Timings are never compared with the stored ones: one loop of one run says the code
        # runs, where the default (7 runs of up to a million loops) can outlast the cell timeout.
        options, statement = _timeit_options(line)
        record("timeit-once", f"%timeit {statement}"[:120] + ": one loop, one run")
        return original(" ".join(["-n1", "-r1", *options, statement]).strip(), cell)

    shell.register_magic_function(timeit, "line_cell", "timeit")


def _timeit_options(line: str) -> tuple[list[str], str]:
    """``%timeit``'s options but its loop and run counts (-n, -r), and its statement."""
    words = line.split(" ")
    options: list[str] = []
    while words and (words[0] == "" or words[0].startswith("-")):
        word = words.pop(0)
        if word in ("-n", "-r", "-p") and words:
            value = words.pop(0)
            if word == "-p":
                options += [word, value]
        elif word and not word.startswith(("-n", "-r")):
            options.append(word)
    return options, " ".join(words)


SHIMS = (
    Shim(
        "ipython-set-matplotlib-formats",
        "IPython 8 removed IPython.display.set_matplotlib_formats: matplotlib_inline's",
        "IPython.display",
        _formats,
    ),
    Shim(
        "ipython-html-widgets",
        "IPython 4 moved IPython.html.widgets to ipywidgets (FloatSliderWidget: FloatSlider)",
        "IPython",
        _moved_modules,
    ),
)
SHELL_SHIMS: dict[str, tuple[str, Callable[[Any], None]]] = {
    "optional-extension": (
        "an informational IPython extension (watermark...) not installed: its cell skipped",
        _extensions,
    ),
    "interactive": ("input() answered with an empty line, %debug skipped", _interactive),
    "timeit-once": (
        "%timeit runs one loop once (-n1 -r1): its timings are never compared",
        _timeit_once,
    ),
}
