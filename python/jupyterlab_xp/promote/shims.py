"""Named compatibility shims: an API a library removed or renamed, answered as it used to be.

A promotion (on by default; ``--no-shims`` turns them off) adds one cell before the notebook's
own that calls :func:`install` in its kernel. Each shim waits for its library's import (an
import hook; a library already imported is patched at once), so a notebook that never imports
pandas pays nothing for pandas' shim. A shim changes nothing until the notebook calls the
removed API; then it answers the way the old version did and appends a line to the log named
by ``XP_SHIMS_LOG`` (the shim, what it did, the cell's execution count), which the job reads
into the run's verdict: never silent.

Shims that skip or answer instead of emulating (an informational IPython extension that is not
installed, ``input()``, ``%debug``) mark their cell as ``skipped`` in the verdict.

This module runs in the user's kernel: it imports only the standard library at import time.
"""

from __future__ import annotations

import builtins
import importlib.abc
import importlib.machinery
import json
import os
import shutil
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

LOG_ENV = "XP_SHIMS_LOG"  # the job names the log file in the kernel's environment
MAX_LOG_LINES = 500  # a loop that calls a shimmed API: the first uses tell the story
SKIPS = ("optional-extension", "interactive")  # shims whose cell did not run as written


@dataclass(frozen=True)
class Shim:
    """One rename or removal: its name (in the verdict), what it does, where it applies."""

    name: str
    what: str
    module: str  # applied once this module is imported
    apply: Callable[[Any], None]


_lock = threading.Lock()
_logged = 0
_pending: list[dict[str, Any]] = []  # this cell's uses, written once its count is known


def record(name: str, detail: str) -> None:
    """One use of a shim, in the log the job reads (nothing when no log is set).

    In a kernel the use waits for the end of its cell (``post_run_cell``), which knows the
    cell's execution count: during the cell IPython already counts the next one.
    """
    global _logged
    if not os.environ.get(LOG_ENV) or _logged >= MAX_LOG_LINES:
        return
    with _lock:
        _logged += 1
        _pending.append({"name": name, "detail": detail[:300], "cell": None})
    if not _hooked:
        _flush(None)


_hooked = False


def _flush(cell: int | None) -> None:
    path = os.environ.get(LOG_ENV)
    with _lock:
        items, _pending[:] = list(_pending), []
    if not path or not items:
        return
    with open(path, "a", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps({**item, "cell": cell}) + "\n")


def _after_cell(result: Any) -> None:
    count = getattr(result, "execution_count", None)
    _flush(count if isinstance(count, int) else None)


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


# --- matplotlib ----------------------------------------------------------------------------

# matplotlib 3.6 renamed its seaborn styles seaborn-v0_8-*; 3.8 removed the old names.
_SEABORN = "seaborn"


def _style_name(style: Any, library: dict[str, Any]) -> Any:
    if isinstance(style, str) and style.startswith(_SEABORN) and style not in library:
        new = "seaborn-v0_8" + style[len(_SEABORN) :]
        if new in library:
            record("matplotlib-seaborn-styles", f"style {style!r} used as {new!r}")
            return new
    if isinstance(style, list | tuple):
        return [_style_name(s, library) for s in style]
    return style


def _styles(module: Any) -> None:
    original = module.use

    def use(style: Any) -> Any:
        return original(_style_name(style, module.library))

    use.__doc__ = original.__doc__
    module.use = use  # context() calls the module's use() too
    core = sys.modules.get("matplotlib.style.core")
    if core is not None:
        setattr(core, "use", use)  # noqa: B010 - a module mypy reads without this attribute


def _axis_aspect(module: Any) -> None:
    original = module._AxesBase.axis

    def axis(self: Any, arg: Any = None, /, *, emit: bool = True, **kwargs: Any) -> Any:
        # matplotlib 3.x before 3.8 let axis() pass aspect= through to set_aspect().
        aspect = kwargs.pop("aspect", None)
        out = original(self, arg, emit=emit, **kwargs)
        if aspect is not None:
            record("matplotlib-axis-aspect", f"axis(aspect={aspect!r}) as set_aspect()")
            self.set_aspect(aspect)
        return out

    module._AxesBase.axis = axis


def _line_data(module: Any) -> None:
    line = module.Line2D
    for attr in ("set_xdata", "set_ydata"):
        original = getattr(line, attr)

        def setter(self: Any, value: Any, _original: Any = original, _attr: str = attr) -> Any:
            import numpy as np

            if not np.iterable(value):  # matplotlib 3.9 requires sequences
                record("matplotlib-line-scalar-data", f"Line2D.{_attr}({value!r}) as [{value!r}]")
                value = [value]
            return _original(self, value)

        setattr(line, attr, setter)


def _get_cmap(module: Any) -> None:
    if hasattr(module, "get_cmap"):
        return

    def get_cmap(name: Any = None, lut: int | None = None) -> Any:
        # matplotlib 3.9 removed cm.get_cmap (deprecated in 3.7): pyplot's is the same function.
        from matplotlib import pyplot

        record("matplotlib-cm-get-cmap", f"cm.get_cmap({name!r}) as pyplot.get_cmap")
        return pyplot.get_cmap(name, lut)

    module.get_cmap = get_cmap


def _hist_normed(module: Any) -> None:
    original = module.Axes.hist

    def hist(self: Any, *args: Any, **kwargs: Any) -> Any:
        if "normed" in kwargs:  # matplotlib 3.1 removed hist(normed=) (renamed density in 2.1)
            normed = kwargs.pop("normed")
            record("matplotlib-hist-normed", f"hist(normed={normed!r}) as density=")
            # pyplot.hist passes density=False itself: normed= decides when density= was not set.
            kwargs["density"] = bool(kwargs.get("density")) or bool(normed)
        return original(self, *args, **kwargs)

    module.Axes.hist = hist


def _backend(module: Any) -> None:
    original = module.use

    def use(backend: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(backend, *args, **kwargs)
        except (ValueError, ImportError) as exc:
            # A GUI backend this matplotlib no longer has (Qt4Agg): a batch run shows no window,
            # so the inline backend goes on drawing what the notebook shows.
            record(
                "matplotlib-removed-backend", f"matplotlib.use({backend!r}) skipped: {exc}"[:200]
            )
            return None

    module.use = use


def _ffmpeg(module: Any) -> None:
    if shutil.which("ffmpeg"):
        return
    try:
        import imageio_ffmpeg  # type: ignore[import-not-found]
    except ImportError:
        return
    path = imageio_ffmpeg.get_ffmpeg_exe()
    module.rcParams["animation.ffmpeg_path"] = path
    record("ffmpeg-from-imageio", f"no ffmpeg on PATH: imageio-ffmpeg's binary {path}")


def _plot_era(plots: dict[str, Any]) -> Callable[[Any], None]:
    """Draw figures as the stored ones were drawn (:mod:`.plotera` read their size and style)."""

    def apply(module: Any) -> None:
        done = []
        if plots.get("style") == "classic":
            import matplotlib.style

            matplotlib.style.use("classic")
            done.append("matplotlib 1.x 'classic' style")
        if plots.get("figsize") and plots.get("dpi"):
            width, height = (float(v) for v in plots["figsize"])
            module.rcParams["figure.figsize"] = (width, height)
            module.rcParams["figure.dpi"] = float(plots["dpi"])
            done.append(f"figures {width:g}x{height:g} in at {float(plots['dpi']):g} DPI")
        if done:
            record("plot-era", ", ".join(done) + " (as the stored plots were drawn)")

    return apply


# --- IPython -------------------------------------------------------------------------------


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


def _python2_builtins(shell: Any) -> None:
    """Python 2's builtins that Python 3 moved, as functions that say when they are called."""
    import importlib

    def moved(name: str, target: Callable[..., Any], now: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            record("python2-builtins", f"{name}() as {now}")
            return target(*args, **kwargs)

        call.__name__ = name
        return call

    names = {
        "reload": moved("reload", importlib.reload, "importlib.reload()"),
        "xrange": moved("xrange", range, "range()"),
        "raw_input": moved("raw_input", lambda prompt="": builtins.input(prompt), "input()"),
        "unichr": moved("unichr", chr, "chr()"),
    }
    for name, function in names.items():
        if not hasattr(builtins, name):
            setattr(builtins, name, function)


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


# --- NumPy, pandas, scikit-learn ----------------------------------------------------------

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
        record("numpy-removed-aliases", f"np.{name} as {target.replace('builtins.', '')}")
        if target.startswith("builtins."):
            return getattr(builtins, target.split(".", 1)[1])
        return getattr(module, target)

    module.__getattr__ = __getattr__


def _pandas(module: Any) -> None:
    frame, series = module.DataFrame, module.Series

    def append(
        self: Any,
        other: Any,
        ignore_index: bool = False,
        verify_integrity: bool = False,
        sort: bool = False,
    ) -> Any:
        # pandas 2.0 removed DataFrame/Series.append (deprecated in 1.4): concat does the same.
        kind = type(self).__name__
        record("pandas-append", f"{kind}.append as pd.concat")
        items = list(other) if isinstance(other, list | tuple) else [other]
        if isinstance(self, frame):
            items = [
                module.DataFrame([o])
                if isinstance(o, dict)
                else o.to_frame().T
                if isinstance(o, series)
                else o
                for o in items
            ]
        return module.concat(
            [self, *items],
            ignore_index=ignore_index,
            verify_integrity=verify_integrity,
            sort=sort,
        )

    def iteritems(self: Any) -> Any:
        record("pandas-append", f"{type(self).__name__}.iteritems as .items")
        return self.items()

    for cls in (frame, series):
        if not hasattr(cls, "append"):
            cls.append = append
        if not hasattr(cls, "iteritems"):
            cls.iteritems = iteritems
        cls.fillna = _fillna(cls.fillna)


def _fillna(original: Callable[..., Any]) -> Callable[..., Any]:
    def fillna(self: Any, value: Any = None, *args: Any, method: Any = None, **kwargs: Any) -> Any:
        if method is None:
            return original(self, value, *args, **kwargs)
        # pandas 3 removed fillna(method=...) (deprecated in 2.1): ffill() and bfill().
        name = {"ffill": "ffill", "pad": "ffill", "bfill": "bfill", "backfill": "bfill"}[method]
        record("pandas-append", f"fillna(method={method!r}) as {name}()")
        keep = {k: v for k, v in kwargs.items() if k in ("axis", "inplace", "limit")}
        return getattr(self, name)(**keep)

    return fillna


def _liblinear(module: Any) -> None:
    model = module.LogisticRegression
    fit, proba = model.fit, model.predict_proba

    def ovr_fit(self: Any, X: Any, y: Any, sample_weight: Any = None) -> Any:
        import numpy as np

        classes = np.unique(np.asarray(y))
        ovr = self.solver == "liblinear" or getattr(self, "_xp_ovr_requested", False)
        if not ovr or len(classes) <= 2:
            self._xp_ovr = False
            return fit(self, X, y, sample_weight)
        # scikit-learn 1.8 stopped fitting liblinear one-vs-rest: fit the binary problems as
        # it used to, one per class, and keep their coefficients in the same shape.
        from sklearn.base import clone  # type: ignore[import-untyped]

        record("sklearn-liblinear-multiclass", f"one-vs-rest over {len(classes)} classes")
        coefs, intercepts, iters = [], [], []
        target = np.asarray(y)
        for label in classes:
            binary = clone(self)
            fit(binary, X, (target == label).astype(int), sample_weight)
            coefs.append(binary.coef_[0])
            intercepts.append(binary.intercept_[0])
            iters.append(int(np.max(binary.n_iter_)))
            self.n_features_in_ = binary.n_features_in_
            if hasattr(binary, "feature_names_in_"):
                self.feature_names_in_ = binary.feature_names_in_
        self.classes_ = classes
        self.coef_, self.intercept_ = np.array(coefs), np.array(intercepts)
        self.n_iter_ = np.array([max(iters)])
        self._xp_ovr = True
        return self

    def ovr_proba(self: Any, X: Any) -> Any:
        if getattr(self, "_xp_ovr", False):
            return self._predict_proba_lr(X)  # one-vs-rest probabilities, normalised
        return proba(self, X)

    model.fit, model.predict_proba = ovr_fit, ovr_proba
    _renamed_argument(model, "multi_class", None, "scikit-learn 1.8 removed multi_class=")


def _renamed_argument(cls: Any, old: str, new: str | None, why: str) -> None:
    """Let ``cls(old=...)`` through as ``new=`` (None: dropped), recorded. The signature stays
    the original's (``functools.wraps``), which scikit-learn's get_params and clone read."""
    import functools

    original = cls.__init__

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if old in kwargs:
            value = kwargs.pop(old)
            if new is None and old == "multi_class" and value == "ovr":
                record(_RENAMES[cls.__name__], f"{cls.__name__}({old}='ovr'): {why}, fitted so")
                self._xp_ovr_requested = True  # fit() fits one-vs-rest, as asked
            elif new is None:
                record(_RENAMES[cls.__name__], f"{cls.__name__}({old}={value!r}) dropped: {why}")
            else:
                record(_RENAMES[cls.__name__], f"{cls.__name__}({old}=) as {new}=: {why}")
                kwargs.setdefault(new, value)
        original(self, *args, **kwargs)

    cls.__init__ = __init__


_RENAMES = {
    "LogisticRegression": "sklearn-liblinear-multiclass",
    "AgglomerativeClustering": "sklearn-renamed-arguments",
    "BaggingClassifier": "sklearn-renamed-arguments",
    "BaggingRegressor": "sklearn-renamed-arguments",
    "AdaBoostClassifier": "sklearn-renamed-arguments",
    "AdaBoostRegressor": "sklearn-renamed-arguments",
}


def _ensembles(module: Any) -> None:
    for name in (
        "BaggingClassifier",
        "BaggingRegressor",
        "AdaBoostClassifier",
        "AdaBoostRegressor",
    ):
        _renamed_argument(
            getattr(module, name), "base_estimator", "estimator", "scikit-learn 1.4 renamed it"
        )


def _agglomerative(module: Any) -> None:
    _renamed_argument(
        module.AgglomerativeClustering, "affinity", "metric", "scikit-learn 1.4 renamed it"
    )


# --- data downloads ------------------------------------------------------------------------

MAX_SEARCHED = 5000  # files looked at for a local copy


def local_copy(url: str, root: Path | None = None) -> Path | None:
    """A file under ``root`` (the working folder) named like the URL's last part."""
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    if not name or "." not in name:
        return None
    base = root or Path.cwd()
    for index, path in enumerate(sorted(base.rglob(name))):
        if index > MAX_SEARCHED:
            break
        if path.is_file():
            return path
    return None


def _downloads(module: Any) -> None:
    urlopen, urlretrieve = module.urlopen, module.urlretrieve
    retrieving = threading.local()  # urlretrieve() fetches through the module's urlopen

    def _url(target: Any) -> str:
        return str(getattr(target, "full_url", target))

    def local_urlopen(url: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return urlopen(url, *args, **kwargs)
        except OSError:  # URLError: no network here
            copy = local_copy(_url(url))
            if copy is None or getattr(retrieving, "active", False):
                raise
            record("local-data-copy", f"{_url(url)[:160]} unreachable: read {copy.name}")
            from email.message import Message
            from urllib.response import addinfourl

            # A response like urlopen's (callers read .headers, .status, .url): the file's bytes.
            return addinfourl(copy.open("rb"), Message(), _url(url), 200)

    def local_urlretrieve(url: Any, filename: Any = None, *args: Any, **kwargs: Any) -> Any:
        retrieving.active = True
        try:
            return urlretrieve(url, filename, *args, **kwargs)
        except OSError:
            copy = local_copy(_url(url))
            if copy is None or filename is None:
                raise
            # The copy may be the very file it was to be saved as: never truncate it.
            if Path(filename).resolve() != copy.resolve():
                shutil.copyfile(copy, filename)
            record("local-data-copy", f"{_url(url)[:160]} unreachable: used {copy.name}")
            from email.message import Message

            return str(filename), Message()
        finally:
            retrieving.active = False

    module.urlopen, module.urlretrieve = local_urlopen, local_urlretrieve


_SKLEARN_RENAMES = (
    "scikit-learn 1.4 renamed AgglomerativeClustering(affinity=) metric= and Bagging's and "
    "AdaBoost's base_estimator= estimator="
)
SHIMS: tuple[Shim, ...] = (
    Shim(
        "matplotlib-seaborn-styles",
        "matplotlib 3.8 removed the 'seaborn-*' style names: used as 'seaborn-v0_8-*'",
        "matplotlib.style",
        _styles,
    ),
    Shim(
        "ipython-set-matplotlib-formats",
        "IPython 8 removed IPython.display.set_matplotlib_formats: matplotlib_inline's",
        "IPython.display",
        _formats,
    ),
    Shim(
        "numpy-removed-aliases",
        "NumPy 1.24/2.0 removed np.float, np.int, np.float_, np.NaN...: the types they named",
        "numpy",
        _numpy,
    ),
    Shim(
        "pandas-append",
        "pandas 2/3 removed DataFrame.append, iteritems, fillna(method=): concat, items, ffill",
        "pandas",
        _pandas,
    ),
    Shim(
        "sklearn-liblinear-multiclass",
        "scikit-learn 1.8 dropped one-vs-rest LogisticRegression (liblinear, multi_class='ovr')"
        " on 3+ classes: fitted one-vs-rest again",
        "sklearn.linear_model._logistic",
        _liblinear,
    ),
    Shim(
        "sklearn-renamed-arguments",
        _SKLEARN_RENAMES,
        "sklearn.cluster._agglomerative",
        _agglomerative,
    ),
    Shim(
        "sklearn-renamed-arguments",
        _SKLEARN_RENAMES,
        "sklearn.ensemble",
        _ensembles,
    ),
    Shim(
        "matplotlib-axis-aspect",
        "matplotlib 3.8 removed axis(aspect=): set_aspect()",
        "matplotlib.axes._base",
        _axis_aspect,
    ),
    Shim(
        "matplotlib-cm-get-cmap",
        "matplotlib 3.9 removed matplotlib.cm.get_cmap: pyplot.get_cmap",
        "matplotlib.cm",
        _get_cmap,
    ),
    Shim(
        "matplotlib-line-scalar-data",
        "matplotlib 3.9 requires sequences in Line2D.set_data: a scalar becomes [scalar]",
        "matplotlib.lines",
        _line_data,
    ),
    Shim(
        "matplotlib-hist-normed",
        "matplotlib 3.1 removed hist(normed=): density=",
        "matplotlib.axes",
        _hist_normed,
    ),
    Shim(
        "matplotlib-removed-backend",
        "matplotlib.use() of a GUI backend matplotlib no longer has: skipped, inline draws",
        "matplotlib",
        _backend,
    ),
    Shim(
        "ffmpeg-from-imageio",
        "no ffmpeg on PATH: imageio-ffmpeg's binary, when installed",
        "matplotlib",
        _ffmpeg,
    ),
    Shim(
        "local-data-copy",
        "a download that fails (no network) reads the file of the same name in the folder",
        "urllib.request",
        _downloads,
    ),
)
SHELL_SHIMS: dict[str, tuple[str, Callable[[Any], None]]] = {
    "optional-extension": (
        "an informational IPython extension (watermark...) not installed: its cell skipped",
        _extensions,
    ),
    "interactive": ("input() answered with an empty line, %debug skipped", _interactive),
    "python2-builtins": (
        "Python 3 moved reload, xrange, raw_input, unichr: importlib.reload, range, input, chr",
        _python2_builtins,
    ),
}
NAMES = tuple(s.name for s in SHIMS) + tuple(SHELL_SHIMS)
WHAT = {
    **{s.name: s.what for s in SHIMS},
    **{k: v[0] for k, v in SHELL_SHIMS.items()},
    "plot-era": "figures drawn at the stored plots' size, DPI and style (promote/plotera.py)",
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


def install(names: Sequence[str] | None = None, plots: dict[str, Any] | None = None) -> None:
    """Install the shims ``names`` (default: all) in this interpreter; ``plots``
    (:func:`.plotera.settings`) draws figures at the stored plots' size, DPI and style."""
    chosen = set(NAMES if names is None else names) | {"plot-era"}
    pending: dict[str, list[Shim]] = {}
    extra = [Shim("plot-era", WHAT["plot-era"], "matplotlib", _plot_era(plots))] if plots else []
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
        global _hooked
        shell.events.register("post_run_cell", _after_cell)
        _hooked = True
        for name, (_, apply) in SHELL_SHIMS.items():
            if name in chosen:
                apply(shell)


def cell_source(plots: dict[str, Any] | None = None) -> str:
    """The cell promote adds to install every shim (``plots``: :func:`.plotera.settings`)."""
    arg = "" if not plots else f"plots={json.dumps(plots, sort_keys=True)}"
    arg = arg.replace("null", "None")  # JSON of numbers, strings and null: a Python literal
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
