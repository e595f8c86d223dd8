"""The per-example predictions file: Parquet through pyarrow when installed, else compressed NPZ.

Columns: ``id``, ``y_true``, ``y_pred`` and, when given, ``y_score`` (one score per example) or
``score_0`` ... ``score_{k-1}`` (one per class). The writer (the kernel) and the reader (compare)
share this module so that the two ends agree on the format.
"""

from __future__ import annotations

import importlib.util
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

PARQUET = ".parquet"
NPZ = ".npz"
SUFFIXES = (PARQUET, NPZ)


def preferred_suffix() -> str:
    """``.parquet`` when pyarrow is installed, else ``.npz``."""
    return PARQUET if importlib.util.find_spec("pyarrow") is not None else NPZ


def columns_bytes(columns: dict[str, np.ndarray], suffix: str) -> bytes:
    """``columns`` (equal-length 1-D arrays) as a file in the format ``suffix`` names."""
    buffer = io.BytesIO()
    if suffix == PARQUET:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({name: pa.array(values) for name, values in columns.items()})
        pq.write_table(table, buffer, compression="zstd")
    else:
        import numpy as np

        # What allow_pickle=False does from NumPy 2.1 on, said here so that NumPy 1.26 does it too.
        if any(np.asarray(values).dtype.hasobject for values in columns.values()):
            raise ValueError("Object arrays cannot be saved when allow_pickle=False")
        if "allow_pickle" in columns:  # NumPy 2 would take that column for its argument
            raise ValueError("a predictions column cannot be named allow_pickle")
        np.savez_compressed(buffer, **columns)  # type: ignore[arg-type]  # (the same reason)
    return buffer.getvalue()


def read_columns(data: bytes, suffix: str) -> dict[str, np.ndarray]:
    """The columns of a predictions file's bytes (no pickles are ever loaded)."""
    import numpy as np

    if suffix == PARQUET:
        import pyarrow.parquet as pq

        table = pq.read_table(io.BytesIO(data))
        return {name: table.column(name).to_numpy() for name in table.column_names}
    if suffix == NPZ:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    raise ValueError(f"not a predictions file: {suffix!r}")
