"""Read-only connections to MLflow's own database, for the read model in :mod:`.run_index`.

Two sources hold MLflow's tables: the embedded store's SQLite file, and, in team mode, the
tracking server's backend database when the user gives its URI (``XP_STORE_DATABASE_URI``, e.g.
``postgresql+psycopg2://reader@db/mlflow``: a read-only role is enough). Both answer the same
fixed SQL; this module hides the two drivers' differences (parameter marks, case-insensitive
``LIKE``) and turns their errors into :class:`IndexReadError`.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

# One engine (and its connection pool) per database URI: connecting to PostgreSQL costs more
# than the queries of a page.
_ENGINES: dict[str, Any] = {}
_ENGINES_LOCK = threading.Lock()


class IndexReadError(Exception):
    """The database could not answer (its driver's message, credentials removed)."""


class IndexConnection:
    """One read-only connection; ``execute`` takes SQLite-style ``?`` marks on every driver."""

    def __init__(self, conn: Any, sqlite: bool) -> None:
        self._conn = conn
        self._sqlite = sqlite

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        """Run ``sql`` (fixed text, every value a ``?`` parameter); the cursor, iterable."""
        if not self._sqlite:
            # The SQL is fixed fragments with no literal '?' or '%': only the marks change.
            # SQLite's LIKE ignores ASCII case, as MLflow's name search does everywhere.
            sql = sql.replace("?", "%s").replace(" LIKE ", " ILIKE ")
        try:
            cursor = self._conn.cursor()
            cursor.execute(sql, tuple(args))
        except Exception as exc:
            raise IndexReadError(str(exc).splitlines()[0] if str(exc) else repr(exc)) from exc
        return cursor


@contextlib.contextmanager
def connect(source: Path | str) -> Iterator[IndexConnection]:
    """A read-only connection to an SQLite file (a Path) or a database URI (SQLAlchemy's).

    Raises:
        IndexReadError: the database cannot be opened.
    """
    if isinstance(source, Path):
        try:
            conn = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise IndexReadError(str(exc)) from exc
        with contextlib.closing(conn):
            yield IndexConnection(conn, sqlite=True)
        return
    try:
        raw = _engine(source).raw_connection()
    except Exception as exc:
        raise IndexReadError(_first_line(exc)) from exc
    try:
        yield IndexConnection(raw, sqlite=False)
    finally:
        with contextlib.suppress(Exception):
            raw.rollback()  # read-only: end the transaction before the pool takes it back
        raw.close()


def _engine(uri: str) -> Any:
    with _ENGINES_LOCK:
        engine = _ENGINES.get(uri)
        if engine is None:
            import sqlalchemy  # installed with MLflow; only team mode with a database URI

            engine = sqlalchemy.create_engine(uri, pool_pre_ping=True, pool_size=2)
            _ENGINES[uri] = engine
        return engine


def _first_line(exc: Exception) -> str:
    from jupyterlab_xp.core.redact import strip_url_credentials

    return strip_url_credentials(str(exc).splitlines()[0] if str(exc) else repr(exc))
