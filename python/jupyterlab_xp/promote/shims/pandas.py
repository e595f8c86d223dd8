"""pandas' removed APIs: DataFrame/Series.append, iteritems, fillna(method=), ``.ix``, and an
integer key read as a position on an index of labels (``series[0]``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jupyterlab_xp.promote.shims.log import Shim, record


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


def _is_position(key: Any) -> bool:
    import numbers

    return isinstance(key, numbers.Integral) and not isinstance(key, bool)


def _positional(original: Callable[..., Any]) -> Callable[..., Any]:
    def __getitem__(self: Any, key: Any) -> Any:
        try:
            return original(self, key)
        except KeyError:
            # pandas 3 stopped reading an integer key as a position when the index holds no
            # integers (deprecated in 2.1): series[0] on labels 'a', 'b'... was the first value.
            positional = getattr(self.index, "_should_fallback_to_positional", False)
            keys = key if isinstance(key, list) else [key]
            if not positional or not keys or not all(_is_position(k) for k in keys):
                raise
            record("pandas-positional-keys", f"Series[{key!r}] as Series.iloc[{key!r}]")
            return self.iloc[key]

    return __getitem__


def _positions(module: Any) -> None:
    module.Series.__getitem__ = _positional(module.Series.__getitem__)


def _list_like(key: Any) -> bool:
    return isinstance(key, list | range) or type(key).__name__ in ("ndarray", "Index")


def _by_position(axis: Any, key: Any) -> bool:
    """Whether ``.ix`` read ``key`` as positions on ``axis``: integers (a slice or a list of
    them too) on an axis that holds no integers."""
    if not getattr(axis, "_should_fallback_to_positional", False):
        return False
    if isinstance(key, slice):
        bounds = (key.start, key.stop, key.step)
        return any(v is not None for v in bounds) and all(
            v is None or _is_position(v) for v in bounds
        )
    if _list_like(key):
        return len(key) > 0 and all(_is_position(k) for k in key)
    return _is_position(key)


class _Ix:
    """pandas 1.0 removed ``.ix`` (deprecated in 0.20): ``.loc``, with integers as positions
    on an axis of labels (``.iloc`` there), and missing labels of a list as rows of NaN."""

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def _keys(self, key: Any) -> tuple[Any, ...]:
        record("pandas-ix", f"{type(self.obj).__name__}.ix[...] as .loc/.iloc")
        return key if isinstance(key, tuple) else (key,)

    def __getitem__(self, key: Any) -> Any:
        keys = self._keys(key)
        positions = [_by_position(a, k) for a, k in zip(self.obj.axes, keys, strict=False)]
        if not any(positions):
            return self._labels(keys)
        # One axis at a time, the last first: a scalar key drops its axis, not the ones before.
        out = self.obj
        for axis in reversed(range(len(keys))):
            index = (slice(None),) * axis + (keys[axis],)
            out = out.iloc[index] if positions[axis] else out.loc[index]
        return out

    def _labels(self, keys: tuple[Any, ...]) -> Any:
        try:
            return self.obj.loc[keys if len(keys) > 1 else keys[0]]
        except KeyError:
            if not all(_list_like(k) or k == slice(None) for k in keys):
                raise
            names = ("index", "columns")
            return self.obj.reindex(**{names[i]: k for i, k in enumerate(keys) if _list_like(k)})

    def __setitem__(self, key: Any, value: Any) -> None:
        keys = self._keys(key)
        one = keys if len(keys) > 1 else keys[0]
        if all(_by_position(a, k) for a, k in zip(self.obj.axes, keys, strict=False)):
            self.obj.iloc[one] = value
        else:
            self.obj.loc[one] = value


def _ix(module: Any) -> None:
    for cls in (module.DataFrame, module.Series):
        if not hasattr(cls, "ix"):
            cls.ix = property(_Ix)


OBJECT_STRINGS = "text kept as object, as pandas before 3 stored it (promote/pandasera.py)"


def object_strings() -> Shim:
    """Text columns as ``object`` (:mod:`..pandasera` saw ``dtype: object`` in the outputs)."""

    def apply(module: Any) -> None:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the option is deprecated, for pandas 4
            module.set_option("future.infer_string", False)
        record("pandas-object-strings", "text as object (the stored outputs show dtype object)")

    return Shim("pandas-object-strings", OBJECT_STRINGS, "pandas", apply)


SHIMS = (
    Shim(
        "pandas-append",
        "pandas 2/3 removed DataFrame.append, iteritems, fillna(method=): concat, items, ffill",
        "pandas",
        _pandas,
    ),
    Shim(
        "pandas-positional-keys",
        "pandas 3 reads an integer key as a label only: on an index of labels, a position",
        "pandas",
        _positions,
    ),
    Shim(
        "pandas-ix",
        "pandas 1.0 removed .ix: .loc, integers as positions on an index of labels",
        "pandas",
        _ix,
    ),
)
