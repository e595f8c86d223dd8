"""A bounded on-disk cache of finished runs' artifact texts, in ``$XP_HOME/cache/artifacts``.

A finished run's ``xp/*`` artifacts do not change, and fetching seven of them from a team
server costs a round trip each (seconds in all): the run detail reads them here after the first
time. Only artifacts that exist are kept (one may still arrive after a run ends: late captures),
and the oldest entries go once the cache passes its size.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from jupyterlab_xp.core.config import private_dir
from jupyterlab_xp.core.files import write_atomic

MAX_BYTES = 256 * 2**20


class ArtifactCache:
    """Artifact texts keyed by (store, run id, artifact path)."""

    def __init__(self, folder: Path, store_uri: str, max_bytes: int = MAX_BYTES) -> None:
        self.folder = folder
        self._store = store_uri
        self.max_bytes = max_bytes
        # Bytes in the folder as of the last full count, plus what was put since: the folder is
        # listed again only when that passes max_bytes (a detail puts ten files; listing a full
        # cache's thousands of entries at each would cost more than the downloads).
        self._size: int | None = None

    def _path(self, run_id: str, artifact: str) -> Path:
        key = hashlib.sha256(f"{self._store}\0{run_id}\0{artifact}".encode()).hexdigest()
        return self.folder / key[:2] / key

    def get(self, run_id: str, artifact: str) -> str | None:
        """The cached text, or None when it is not cached."""
        path = self._path(run_id, artifact)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: evicted last
        return text

    def put(self, run_id: str, artifact: str, text: str) -> None:
        """Keep ``text``; then trim the cache to its size, oldest first."""
        path = self._path(run_id, artifact)
        try:
            private_dir(path.parent, top=self.folder.parent)  # 0700 whatever the umask
            write_atomic(path, text.encode("utf-8"))
        except OSError:
            return  # a cache that cannot write only costs time
        self._trim(len(text.encode("utf-8")))

    def _trim(self, added: int) -> None:
        if self._size is not None:
            self._size += added
            if self._size <= self.max_bytes:
                return
        entries = []
        for path in self.folder.glob("*/*"):
            with contextlib.suppress(OSError):
                stat = path.stat()
                entries.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size
        self._size = total
