"""Where the store lives: one resolution shared by the kernel, the server and the CLI.

The xp home folder holds the exact journals, the embedded store and its artifacts: it is made
private (0700, its files 0600) whatever the umask, like the journals in it. No MLflow import
here: the kernel calls this on the hot path of ``%xp start``.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

DB_NAME = "mlflow.db"
ARTIFACTS_DIR = "artifacts"
RUNS_DIR = "runs"
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def private_dir(path: Path, top: Path | None = None) -> Path:
    """``path`` as a folder only its owner can enter (0700), made if missing.

    ``mkdir(mode=...)`` is masked by the umask, leaves an existing folder as it was and makes
    missing parents with the default mode: here each missing folder from ``top`` (default:
    ``path`` itself) down to ``path`` gets 0700 outright, and ``path`` is made private if it
    is this user's. Folders above ``top`` are made as usual.
    """
    top = path if top is None else top
    missing = [p for p in (path, *path.parents) if p == top or top in p.parents] or [path]
    missing[-1].parent.mkdir(parents=True, exist_ok=True)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
            folder.chmod(PRIVATE_DIR)
        except FileExistsError:
            pass
    make_private(path)
    return path


def make_private(path: Path) -> None:
    """Take group and other access away from ``path`` if this user owns it (else leave it)."""
    try:
        st = path.lstat()
    except OSError:  # gone meanwhile
        return
    mine = st.st_uid == getattr(os, "geteuid", lambda: st.st_uid)()  # (no uid on Windows)
    if mine and st.st_mode & 0o077 and not stat.S_ISLNK(st.st_mode):
        with contextlib.suppress(OSError):
            path.chmod(PRIVATE_DIR if stat.S_ISDIR(st.st_mode) else PRIVATE_FILE)


def private_file(path: Path) -> None:
    """Create ``path`` empty and 0600 if it is missing, else make it private (:func:`make_private`).

    A file made here before a library opens it keeps its mode: SQLite opens an existing file
    as it is, and gives its journal and WAL files the database's permissions.
    """
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_FILE))
    make_private(path)


def make_tree_private(top: Path, below: Path) -> None:
    """Make ``below``, every folder from ``top`` down to it and everything under it private."""
    for parent in [below, *below.parents]:
        make_private(parent)
        if parent == top:
            break
    if below.is_dir():
        for root, dirs, files in os.walk(below):
            for name in dirs + files:
                make_private(Path(root) / name)


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
    private_dir(home / RUNS_DIR, top=home)  # before anything else writes under it
    make_private(home)  # a home made before this version (0755 under umask 022)
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
