"""matplotlib's removed and renamed APIs, and figures drawn as the stored plots were."""

from __future__ import annotations

import shutil
import sys
from typing import Any

from jupyterlab_xp.promote.shims.log import Shim, record

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


def _all_backends(module: Any) -> None:
    original = getattr(module, "__getattr__", None)

    def __getattr__(name: str) -> Any:
        if name != "all_backends":
            if original is None:
                raise AttributeError(f"module 'matplotlib.rcsetup' has no attribute {name!r}")
            return original(name)
        # matplotlib removed rcsetup.all_backends (deprecated in 3.9): the backend registry's.
        import matplotlib.backends

        record("matplotlib-all-backends", "rcsetup.all_backends as backend_registry.list_all()")
        registry: Any = getattr(matplotlib.backends, "backend_registry")  # noqa: B009
        return registry.list_all()

    module.__getattr__ = __getattr__


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
        import imageio_ffmpeg  # type: ignore[import-untyped]
    except ImportError:
        return
    module.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()


def _ffmpeg_used(module: Any) -> None:
    """Said once the notebook imports matplotlib.animation, the only user of that path."""
    import matplotlib

    path = str(matplotlib.rcParams["animation.ffmpeg_path"])
    if "imageio_ffmpeg" in path:
        record("ffmpeg-from-imageio", f"no ffmpeg on PATH: imageio-ffmpeg's binary {path}")


PLOT_ERA = "figures drawn at the stored plots' size, DPI and style (promote/plotera.py)"
# What `%matplotlib inline` set until matplotlib-inline 0.1.4 (its InlineBackend.rc), over any
# style the notebook had chosen before it: plt.style.use('classic') then %matplotlib inline drew
# 6x4 inches at 72 DPI on white, not classic's 8x6 at 80 on grey.
OLD_INLINE_RC = {
    "figure.figsize": (6.0, 4.0),
    "figure.facecolor": (1, 1, 1, 0),
    "figure.edgecolor": (1, 1, 1, 0),
    "font.size": 10,
    "figure.dpi": 72,
    "figure.subplot.bottom": 0.125,
}


def plot_era(plots: dict[str, Any]) -> list[Shim]:
    """Draw figures as the stored ones were drawn (:mod:`..plotera` read their size and style);
    at the old inline backend's 6x4 inches and 72 DPI, its settings too (:data:`OLD_INLINE_RC`),
    given to matplotlib-inline when it is imported (importing it from matplotlib's own import
    would import pyplot half-way through another import, ``mpl_toolkits.mplot3d``'s)."""
    old_inline = [float(v) for v in plots.get("figsize") or []] + [
        float(plots.get("dpi") or 0)
    ] == [6.0, 4.0, 72.0]

    def apply(module: Any) -> None:
        done = []
        if plots.get("style") == "classic":
            import matplotlib.style

            # The style sets every rcParam, the ffmpeg path ffmpeg-from-imageio chose too.
            ffmpeg = module.rcParams["animation.ffmpeg_path"]
            matplotlib.style.use("classic")
            module.rcParams["animation.ffmpeg_path"] = ffmpeg
            done.append("matplotlib 1.x 'classic' style")
        if plots.get("figsize") and plots.get("dpi"):
            width, height = (float(v) for v in plots["figsize"])
            module.rcParams["figure.figsize"] = (width, height)
            module.rcParams["figure.dpi"] = float(plots["dpi"])
            done.append(f"figures {width:g}x{height:g} in at {float(plots['dpi']):g} DPI")
            if old_inline:
                done.append("%matplotlib inline setting them again over a style, as it did")
        if done:
            record("plot-era", ", ".join(done) + " (as the stored plots were drawn)")

    era = [Shim("plot-era", PLOT_ERA, "matplotlib", apply)]
    if old_inline:
        era.append(Shim("plot-era", PLOT_ERA, "matplotlib_inline.config", _old_inline_rc))
    return era


def _old_inline_rc(module: Any) -> None:
    """The inline backend's settings of the stored plots' era, applied when it is activated
    (``%matplotlib inline``, or pyplot's first figure); a user's own ``InlineBackend.rc`` wins."""
    from IPython import get_ipython

    backend = module.InlineBackend.instance(parent=get_ipython())  # with the shell's config
    if not backend.rc:
        backend.rc = dict(OLD_INLINE_RC)


SHIMS = (
    Shim(
        "matplotlib-seaborn-styles",
        "matplotlib 3.8 removed the 'seaborn-*' style names: used as 'seaborn-v0_8-*'",
        "matplotlib.style",
        _styles,
    ),
    Shim(
        "matplotlib-axis-aspect",
        "matplotlib 3.8 removed axis(aspect=): set_aspect()",
        "matplotlib.axes._base",
        _axis_aspect,
    ),
    Shim(
        "matplotlib-all-backends",
        "matplotlib removed rcsetup.all_backends (deprecated in 3.9): the backend registry's",
        "matplotlib.rcsetup",
        _all_backends,
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
        "ffmpeg-from-imageio",
        "no ffmpeg on PATH: imageio-ffmpeg's binary, when installed",
        "matplotlib.animation",
        _ffmpeg_used,
    ),
)
