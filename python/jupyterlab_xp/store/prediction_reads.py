"""The parsing boundary for predictions tables read back from the store (compare's paired tests).

A predictions file comes from anyone who can write to the store: it may be a pickle in an NPZ,
a malformed Parquet file, a list column, text labels on a regression or millions of rows. It is
bounded before it is decompressed (rows, bytes) and checked column by column; a file that does
not fit is one line of XpError, which compare shows as a note on that pair of runs.
"""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING

from jupyterlab_xp.core.errors import XpError
from jupyterlab_xp.core.prediction_files import NPZ, PARQUET, read_columns

if TYPE_CHECKING:
    import numpy as np

MAX_ROWS = 100_000  # examples per run and split that compare's paired tests read; in the README
MAX_BYTES = 64 << 20  # the file, and an NPZ's columns once decompressed
REQUIRED = ("id", "y_true", "y_pred")
_SCALARS = (str, int, float, bool)


def predictions(data: bytes, suffix: str, task: str, where: str) -> dict[str, np.ndarray]:
    """The columns of a predictions file, checked; ``where`` names it in errors.

    Raises:
        XpError: too large, too many rows, not readable as ``suffix``, a pickle, a missing or
            nested column, columns of different lengths, or non-numeric values on a regression.
    """
    if len(data) > MAX_BYTES:
        raise XpError(f"{where} is larger than {MAX_BYTES >> 20} MiB")
    rows = _declared_rows(data, suffix, where)
    if rows > MAX_ROWS:
        raise XpError(f"{where} has {rows:,} rows, more than the {MAX_ROWS:,} compare reads")
    try:
        columns = read_columns(data, suffix)
    except Exception as exc:  # pyarrow's and NumPy's errors alike: the file is not readable
        first = (str(exc) or type(exc).__name__).splitlines()[0][:120]
        raise XpError(f"{where} is not a readable predictions file: {first}") from None
    return _checked(columns, task, where)


def _declared_rows(data: bytes, suffix: str, where: str) -> int:
    """Rows (Parquet's footer) or decompressed bytes (NPZ's zip directory), read first."""
    try:
        if suffix == PARQUET:
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(io.BytesIO(data)).metadata.num_rows)
        if suffix == NPZ:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if sum(info.file_size for info in archive.infolist()) > MAX_BYTES:
                    raise XpError(f"{where} decompresses to more than {MAX_BYTES >> 20} MiB")
            return 0  # counted once loaded (without pickles)
    except XpError:
        raise
    except Exception as exc:
        first = (str(exc) or type(exc).__name__).splitlines()[0][:120]
        raise XpError(f"{where} is not a readable predictions file: {first}") from None
    raise XpError(f"{where} is not a predictions file ({suffix[:20]!r})")


def _checked(columns: dict[str, np.ndarray], task: str, where: str) -> dict[str, np.ndarray]:
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise XpError(f"{where} has no {', '.join(missing)} column")
    lengths = {len(c) if c.ndim == 1 else -1 for c in columns.values()}
    if len(lengths) != 1 or -1 in lengths:
        raise XpError(f"{where}: its columns are not one value per example of one length")
    if lengths.pop() > MAX_ROWS:
        raise XpError(f"{where} has more than the {MAX_ROWS:,} rows compare reads")
    for name, column in columns.items():
        if column.dtype.kind == "O" and not all(isinstance(v, _SCALARS) for v in column):
            raise XpError(f"{where}: column {name[:40]!r} holds lists or objects, not values")
        if column.dtype.kind not in "biufUSO":
            raise XpError(f"{where}: column {name[:40]!r} is not numbers or text")
    if task == "regression":
        for name in ("y_true", "y_pred"):
            if columns[name].dtype.kind not in "biuf":
                raise XpError(f"{where}: {name} of a regression is not numeric")
    return columns
