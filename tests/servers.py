"""A real team setup for tests: PostgreSQL (Debian's package) and `mlflow server` on it.

Both run as child processes in a temporary folder, on loopback ports, started by the fixtures
in conftest.py once per session. ``make test`` installs PostgreSQL (apt) and the server's
driver (psycopg2-binary, pinned in requirements.lock) on a fresh machine.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_bin() -> Path:
    """The folder of Debian's PostgreSQL server binaries (initdb, pg_ctl, createdb)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
    return found[-1].parent


class Postgres:
    """A private PostgreSQL cluster in a new folder under ``parent`` (trust auth, loopback).

    The folder is made traversable (0711): as root the server runs as ``postgres``, which could
    not otherwise reach a private pytest temporary folder.
    """

    def __init__(self, parent: Path | None = None, root: Path | None = None) -> None:
        if root is None:
            root = Path(tempfile.mkdtemp(prefix="xp-pg-", dir=parent))
        root.mkdir(parents=True, exist_ok=True)
        root.chmod(0o711)
        self.root = root
        self.data = root / "pgdata"
        self.socket_dir = root / "sock"
        self.log = root / "postgres.log"
        self.port = free_port()
        self.bin = postgres_bin()
        # PostgreSQL refuses to run as root: as root, run it as the `postgres` user.
        self._as: list[str] = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        # Redirect every stream: pg_ctl's postmaster keeps inherited pipes open forever.
        with open(self.root / "commands.log", "ab") as log:
            done = subprocess.run(
                [*self._as, *args], stdin=subprocess.DEVNULL, stdout=log, stderr=log, timeout=120
            )
        if done.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed: see {self.root / 'commands.log'}")

    def start(self) -> None:
        """initdb, start on a free port, create the ``mlflow`` database."""
        for folder in (self.data, self.socket_dir):
            folder.mkdir(parents=True, exist_ok=True)
        if self._as:
            user = pwd.getpwnam("postgres")
            for path in (self.root, self.data, self.socket_dir):
                os.chown(path, user.pw_uid, user.pw_gid)
            self.log.touch()
            os.chown(self.log, user.pw_uid, user.pw_gid)
        fresh = not (self.data / "PG_VERSION").exists()  # `make team` keeps its cluster
        if fresh:
            self._run(
                str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"
            )
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
            "-w", "start",
        )  # fmt: skip
        if fresh:
            self.create_database("mlflow")

    def create_database(self, name: str) -> str:
        """Create database ``name``; returns its SQLAlchemy URI (psycopg2 driver)."""
        self._run(
            str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
            name,
        )  # fmt: skip
        return self.uri(name)

    def uri(self, database: str = "mlflow") -> str:
        # `postgresql://` alone would pick the psycopg 3 dialect; the driver here is psycopg2.
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{database}"

    def snapshot(self, database: str = "mlflow") -> TableReset:
        """Remember the database as it is now (migrated, Default experiment) to reset it later."""
        return TableReset(self, database)

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run(
                [*self._as, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                 "stop"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=60,
                check=False,
            )  # fmt: skip


class MlflowServer:
    """``mlflow server`` on a backend store, serving artifacts, in its own process group."""

    def __init__(
        self,
        backend_uri: str,
        artifacts: Path,
        extra_args: tuple[str, ...] = (),
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.backend_uri = backend_uri
        self.artifacts = artifacts
        self.extra_args = extra_args
        self.extra_env = extra_env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = artifacts.parent / f"mlflow-server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 180.0) -> None:
        """Start (or start again, on the same port) and wait until ``/health`` answers."""
        self.artifacts.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
        # Its job runners (huey consumers) would outlive a kill of the server: none.
        env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
        env.update(self.extra_env)
        mlflow = shutil.which("mlflow", path=str(Path(sys.executable).parent)) or "mlflow"
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    mlflow, "server", "--backend-store-uri", self.backend_uri,
                    "--serve-artifacts", "--artifacts-destination", str(self.artifacts),
                    "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1",
                    *self.extra_args,
                ],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own process group: kill() takes every worker
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mlflow server exited: see {self.log}")
            if self.healthy():
                return
            time.sleep(0.3)
        raise RuntimeError(f"mlflow server not healthy after {timeout} s: see {self.log}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL the whole server (as a crash or an OOM kill would), and wait for it."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None


class TableReset:
    """Empties MLflow's tables between tests, keeping the schema and the Default experiment.

    A test on the team server then sees only its own runs, as on a fresh SQLite file, without
    a new server (seconds) per test: one TRUNCATE is a few milliseconds.
    """

    def __init__(self, postgres: Postgres, database: str) -> None:
        import psycopg2

        self._connect = lambda: psycopg2.connect(
            host="127.0.0.1", port=postgres.port, user="postgres", dbname=database
        )
        with self._connect() as conn, conn.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
            self.tables = sorted(row[0] for row in cursor.fetchall())
            cursor.execute("SELECT * FROM experiments WHERE experiment_id = 0")
            self.columns = [d.name for d in cursor.description or ()]
            self.default_experiment = cursor.fetchone()

    def reset(self) -> None:
        with self._connect() as conn, conn.cursor() as cursor:
            quoted = ", ".join(f'"{name}"' for name in self.tables)
            cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
            if self.default_experiment is not None:
                marks = ", ".join(["%s"] * len(self.columns))
                names = ", ".join(f'"{c}"' for c in self.columns)
                cursor.execute(
                    f"INSERT INTO experiments ({names}) VALUES ({marks})",
                    self.default_experiment,
                )


def basic_auth_config(folder: Path, admin_password: str) -> dict[str, str]:
    """The environment that makes ``mlflow server --app-name basic-auth`` keep its users in
    ``folder`` (an ini file and a SQLite user database), with ``admin`` / ``admin_password``."""
    ini = folder / "basic_auth.ini"
    ini.write_text(
        "[mlflow]\n"
        "default_permission = READ\n"
        f"database_uri = sqlite:///{folder / 'basic_auth.db'}\n"
        "admin_username = admin\n"
        f"admin_password = {admin_password}\n"
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
    )
    # The app's CSRF protection needs a fixed key (random per test folder is enough here).
    return {
        "MLFLOW_AUTH_CONFIG_PATH": str(ini),
        "MLFLOW_FLASK_SERVER_SECRET_KEY": os.urandom(16).hex(),
    }


def main() -> None:
    """``make team``: a PostgreSQL + ``mlflow server`` pair to try team mode, until Ctrl-C."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--dir", default=".team", help="where the database and artifacts live")
    parser.add_argument("--basic-auth", action="store_true", help="MLflow's basic-auth app")
    args = parser.parse_args()
    root = Path(args.dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    postgres = Postgres(root=root / "postgres")
    postgres.start()
    extra = ("--app-name", "basic-auth") if args.basic_auth else ()
    server = MlflowServer(postgres.uri(), root / "artifacts", extra)
    try:
        server.start()
        print(f"MLflow tracking server on PostgreSQL: {server.url}  (logs: {server.log})")
        print(f"  export MLFLOW_TRACKING_URI={server.url}")
        print("then start JupyterLab (make lab) in that shell. Ctrl-C stops both.", flush=True)
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        server.kill()
        postgres.stop()


if __name__ == "__main__":
    main()
