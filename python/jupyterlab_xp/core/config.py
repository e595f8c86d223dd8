"""Where the store lives: one resolution shared by the kernel, the server and the CLI.

No MLflow import here: the kernel calls this on the hot path of ``%xp start``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DB_NAME = "mlflow.db"
ARTIFACTS_DIR = "artifacts"
RUNS_DIR = "runs"


def xp_home() -> Path:
    """The xp home folder: ``$XP_HOME``, else ``<jupyter data dir>/xp``."""
    configured = os.environ.get("XP_HOME")
    if configured:
        return Path(configured).expanduser().resolve()
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()).resolve() / "xp"


@dataclass(frozen=True)
class StoreLocation:
    """Resolved tracking location.

    Attributes:
        home: the xp home folder (journals and run state live here even with a remote store).
        tracking_uri: the MLflow tracking URI every part of jupyterlab-xp uses.
        artifact_location: where new experiments keep artifacts, or None to let a remote
            tracking server decide.
        embedded: True for the default SQLite store inside ``home``.
    """

    home: Path
    tracking_uri: str
    artifact_location: str | None
    embedded: bool

    @property
    def runs_dir(self) -> Path:
        """Folder holding one sub-folder per locally recorded run (journal, state)."""
        return self.home / RUNS_DIR

    @property
    def display(self) -> str:
        """The tracking URI with any credentials removed, safe to show and to log."""
        from jupyterlab_xp.core.redact import strip_url_credentials

        return strip_url_credentials(self.tracking_uri)


def resolve_store(tracking_uri: str | None = None, home: Path | None = None) -> StoreLocation:
    """Resolve the store from an explicit URI, ``MLFLOW_TRACKING_URI``, or the embedded default.

    Args:
        tracking_uri: an explicit URI (server trait, CLI flag); wins over the environment.
        home: the xp home folder; defaults to :func:`xp_home`.

    Returns:
        The location. A relative ``sqlite:///`` URI is made absolute here because MLflow would
        otherwise resolve it against whatever the current directory happens to be.
    """
    home = home or xp_home()
    uri = tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or ""
    if not uri:
        db = home / DB_NAME
        return StoreLocation(
            home=home,
            tracking_uri=f"sqlite:///{db}",
            artifact_location=(home / ARTIFACTS_DIR).as_uri(),
            embedded=True,
        )
    if uri.startswith("sqlite:///") and not uri.startswith("sqlite:////"):
        uri = f"sqlite:///{Path(uri.removeprefix('sqlite:///')).resolve()}"
    local_db = uri.startswith("sqlite:////")
    artifact_location = None
    if local_db:
        # Keep artifacts beside a local database rather than in MLflow's cwd-relative ./mlruns.
        artifact_location = (Path(uri.removeprefix("sqlite:///")).parent / ARTIFACTS_DIR).as_uri()
    return StoreLocation(
        home=home, tracking_uri=uri, artifact_location=artifact_location, embedded=False
    )


# The team server's backend database, read directly for the run list (see store/index_db.py).
STORE_DATABASE_ENV = "XP_STORE_DATABASE_URI"


def store_database_uri() -> str | None:
    """``$XP_STORE_DATABASE_URI`` (a SQLAlchemy URI of the tracking server's database), if set."""
    return os.environ.get(STORE_DATABASE_ENV) or None
