"""Reading a run's artifacts through MLflow's client: texts, bytes, listings, folders, the cache.

:class:`~jupyterlab_xp.store.mlflow_store.MlflowStore` holds one as ``store.artifacts``. It is
given the store's client rather than making one, so it imports nothing of MLflow itself and
``mlflow_store.py`` stays the one module that does.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyterlab_xp.core.errors import StoreError
from jupyterlab_xp.store.artifact_cache import ArtifactCache

if TYPE_CHECKING:
    from jupyterlab_xp.core.config import StoreLocation


class ArtifactReader:
    """Reads one store's run artifacts; finished runs' texts are kept in a local cache.

    Args:
        location: where the store is (the cache is keyed by its tracking URI).
        client: returns the store's MlflowClient; called on each read, so the client (and the
            import of MLflow) is made only when an artifact is first read.
    """

    def __init__(
        self,
        location: StoreLocation,
        client: Callable[[], Any],
        repository: Callable[[str], Any] | None = None,
    ) -> None:
        self._location = location
        self._client = client
        # A run's artifact repository from its artifact URI (MlflowStore's), for reads that
        # know the URI: one request per file instead of the client's lookups by run id.
        self._repository = repository

    def read_text(
        self, run_id: str, path: str, finished: bool = False, artifact_uri: str | None = None
    ) -> str | None:
        """Text of one artifact (e.g. ``xp/seeds.json``), or None when it does not exist.

        Raises StoreError when the store could not say (its artifact store is down).

        ``finished``: the run has ended, so its artifact is read once and then kept in the
        artifact cache (``$XP_HOME/cache/artifacts``). ``artifact_uri``: the run's (from
        ``run.info``), read through its repository directly.
        """
        if finished:
            cached = self.cache.get(run_id, path)
            if cached is not None:
                return cached
        with tempfile.TemporaryDirectory(prefix="xp-artifact-") as tmp:
            try:
                if artifact_uri and self._repository is not None:
                    local = self._repository(artifact_uri).download_artifacts(path, tmp)
                else:
                    local = self._client().download_artifacts(run_id, path, tmp)
                text = Path(local).read_text(encoding="utf-8", errors="replace")
            except Exception as exc:
                # MLflow raises the same error for a missing file and for an artifact store
                # that is down: a listing of the folder tells the two apart (only on failure).
                if not self._listed(run_id, path, artifact_uri):
                    return None
                raise StoreError(f"could not read {path} from the store: {exc}") from exc
        if finished:
            self.cache.put(run_id, path, text)
        return text

    def _listed(self, run_id: str, path: str, artifact_uri: str | None = None) -> bool:
        """Whether ``path`` is among its folder's artifacts (StoreError: the listing failed)."""
        return path in self.sizes(run_id, path.rpartition("/")[0], artifact_uri)

    def sizes(self, run_id: str, folder: str, artifact_uri: str | None = None) -> dict[str, int]:
        """The files directly in the run's artifact ``folder``: path to size in bytes
        (``artifact_uri``: as in :meth:`read_text`).

        Raises:
            StoreError: the artifact store could not list it (down, refusing).
        """
        try:
            if artifact_uri and self._repository is not None:
                listed = self._repository(artifact_uri).list_artifacts(folder or None)
            else:
                listed = self._client().list_artifacts(run_id, folder or None)
        except Exception as exc:
            first = (str(exc) or type(exc).__name__).splitlines()[0]
            raise StoreError(f"could not list the run's artifacts in the store: {first}") from exc
        return {info.path: int(info.file_size or 0) for info in listed if not info.is_dir}

    def download_dir(self, run_id: str, path: str, dest: Path) -> Path:
        """Download the artifact folder ``path`` of a run into ``dest``; the local folder.

        Raises:
            StoreError: the store failed or has no such folder.
        """
        try:
            return Path(self._client().download_artifacts(run_id, path, str(dest)))
        except Exception as exc:
            first = (str(exc) or type(exc).__name__).splitlines()[0]
            raise StoreError(f"cannot download {path} of run {run_id}: {first}") from exc

    def read_bytes(self, run_id: str, path: str) -> bytes | None:
        """The bytes of one artifact (a predictions file), or None when it cannot be read."""
        with tempfile.TemporaryDirectory(prefix="xp-artifact-") as tmp:
            try:
                return Path(self._client().download_artifacts(run_id, path, tmp)).read_bytes()
            except Exception:
                return None

    @cached_property
    def cache(self) -> ArtifactCache:
        """Finished runs' artifact texts, kept on local disk (see :mod:`.artifact_cache`)."""
        return ArtifactCache(
            self._location.home / "cache" / "artifacts", self._location.tracking_uri
        )
