"""A throwaway PostgreSQL server for rehearsals and tests: initdb in a temporary folder, a unix
socket there and a random port, stopped and removed afterwards.

It runs the Debian `postgresql` package's programs (scripts/system-deps.sh installs it). As root
it runs them as the `postgres` OS user that package creates (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from shequlab.errors import ExpectedError

SERVER_USER = "postgres"  # the OS account Debian's postgresql package creates


class PostgresUnavailable(ExpectedError):
    """PostgreSQL's server programs are not installed here."""


def server_bin_dir() -> Path:
    """Folder of initdb and pg_ctl: Debian's /usr/lib/postgresql/<version>/bin, newest first."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    path = Path(found[0]).parent if found else None
    if path is None and shutil.which("initdb"):
        path = Path(shutil.which("initdb")).resolve().parent
    if path is None or not (path / "pg_ctl").exists():
        raise PostgresUnavailable(
            "没有找到 PostgreSQL 服务器程序（initdb、pg_ctl），请安装：apt-get install -y "
            "postgresql / PostgreSQL's server programs (initdb, pg_ctl) are not installed: "
            "apt-get install -y postgresql (scripts/system-deps.sh does it as root)"
        )
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    """A running throwaway server; `url(db)` is a SQLAlchemy URL for one of its databases."""

    folder: Path
    port: int
    bin_dir: Path
    run_as: str | None

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    def url(self, database: str = "postgres") -> str:
        return (f"postgresql+psycopg://{SERVER_USER}@/{database}"
                f"?host={self.socket_dir}&port={self.port}")  # fmt: skip

    def create_database(self, name: str) -> str:
        """CREATE DATABASE `name`; returns its URL."""
        import psycopg

        with psycopg.connect(host=str(self.socket_dir), port=self.port, user=SERVER_USER,
                             dbname="postgres", autocommit=True) as con:  # fmt: skip
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)  # fmt: skip

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder."""
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def start_postgres(max_connections: int = 100) -> PostgresServer:
    """initdb and start a server in a new temporary folder; PostgresUnavailable if not installed."""
    bin_dir = server_bin_dir()
    run_as = SERVER_USER if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="shequlab-pg-"))
    (folder / "socket").mkdir()
    if run_as:
        entry = pwd.getpwnam(run_as)
        for path in (folder, folder / "socket"):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    folder.chmod(0o755)
    server = PostgresServer(folder, _free_port(), bin_dir, run_as)
    try:
        server._run("initdb", "-D", str(folder / "data"), "--auth=trust",
                    f"--username={SERVER_USER}", "--encoding=UTF8", "--locale=C.UTF-8")  # fmt: skip
        options = (f"-k {server.socket_dir} -p {server.port} -c listen_addresses='' "
                   f"-c max_connections={max_connections} -c fsync=off")  # fmt: skip
        server._run("pg_ctl", "-D", str(folder / "data"), "-o", options,
                    "-l", str(folder / "server.log"), "-w", "-t", "60", "start")  # fmt: skip
    except subprocess.CalledProcessError as exc:
        log = (folder / "server.log").read_text() if (folder / "server.log").exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}\n{log[-2000:]}") from exc
    return server
