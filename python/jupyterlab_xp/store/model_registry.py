"""MLflow's model registry, as jupyterlab-xp uses it: versions with lineage tags, and aliases.

No registry of our own: registered models, versions and aliases are MLflow's, readable with
plain MLflow. This module only goes through :attr:`MlflowStore.client` (it imports nothing of
MLflow itself), and turns MLflow's refusals into the product's errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from jupyterlab_xp.core.errors import StoreError, XpError
from jupyterlab_xp.core.tags import MAX_TAG_VALUE
from jupyterlab_xp.store.boundary import MAX_MODEL_VERSIONS
from jupyterlab_xp.store.mlflow_store import MlflowStore

T = TypeVar("T")
_MISSING = ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND")
_REFUSED = ("INVALID_PARAMETER_VALUE", "RESOURCE_ALREADY_EXISTS", "BAD_REQUEST")


@dataclass(frozen=True)
class Version:
    """One registered model version, as the product shows it."""

    name: str
    version: str
    run_id: str | None
    source: str
    aliases: tuple[str, ...]
    tags: Mapping[str, str]

    @classmethod
    def of(cls, found: Any) -> Version:
        return cls(
            name=str(found.name),
            version=str(found.version),
            run_id=found.run_id or None,
            source=str(found.source or ""),
            aliases=tuple(str(a) for a in (getattr(found, "aliases", None) or ())),
            tags={str(k): str(v) for k, v in (found.tags or {}).items()},
        )


class ModelRegistry:
    """Registered models in one tracking store."""

    def __init__(self, store: MlflowStore) -> None:
        self.store = store

    def _call(self, call: Callable[[], T]) -> T | None:
        """One registry call: None when the thing does not exist, XpError when MLflow refuses
        the value, StoreError when the store fails."""
        try:
            return call()
        except Exception as exc:
            code = getattr(exc, "error_code", None)
            if code in _MISSING:
                return None
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if code in _REFUSED:
                raise XpError(first[:300]) from None
            raise StoreError(f"the model registry failed: {first[:300]}") from exc

    def register(self, name: str, source: str, run_id: str, tags: Mapping[str, str]) -> Version:
        """A new version of model ``name`` (created when new) from ``source``, with ``tags``."""
        client = self.store.client
        if self._call(lambda: client.get_registered_model(name)) is None:
            self._call(lambda: client.create_registered_model(name))
        capped = {k: v[:MAX_TAG_VALUE] for k, v in tags.items()}
        created = self._call(
            lambda: client.create_model_version(name, source, run_id=run_id, tags=capped)
        )
        if created is None:
            raise StoreError(f"the registry did not create a version of {name!r}")
        return Version.of(created)

    def set_alias(self, name: str, alias: str, version: str) -> None:
        client = self.store.client
        self._call(lambda: client.set_registered_model_alias(name, alias, version))

    def set_tag(self, name: str, version: str, key: str, value: str) -> None:
        client = self.store.client
        self._call(lambda: client.set_model_version_tag(name, version, key, value[:MAX_TAG_VALUE]))

    def by_alias(self, name: str, alias: str) -> Version | None:
        client = self.store.client
        found = self._call(lambda: client.get_model_version_by_alias(name, alias))
        return Version.of(found) if found is not None else None

    def get(self, name: str, version: str) -> Version | None:
        client = self.store.client
        found = self._call(lambda: client.get_model_version(name, version))
        return Version.of(found) if found is not None else None

    def of_run(self, run_id: str) -> list[Version]:
        """Every version registered from run ``run_id`` (a 32-character hex id)."""
        if len(run_id) != 32 or not all(c in "0123456789abcdef" for c in run_id):
            return []
        client = self.store.client
        found: list[Any] = list(
            self._call(lambda: client.search_model_versions(f"run_id = '{run_id}'")) or []
        )
        # A search leaves the aliases out (MLflow fills them on a get only): get each one.
        versions = [self.get(str(v.name), str(v.version)) for v in found[:MAX_MODEL_VERSIONS]]
        # Numbers in order without int(): a team server's version may be any text.
        return sorted((v for v in versions if v), key=lambda v: (v.name, len(v.version), v.version))
