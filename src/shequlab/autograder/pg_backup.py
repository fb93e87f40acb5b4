"""Backups of a PostgreSQL gradebook with PostgreSQL's own tools: pg_dump (custom format) before
each grading run, pg_restore --clean in one transaction to put one back.

The client programs come with Debian's postgresql-client (installed with `postgresql`); their
major version must be at least the server's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from shequlab.errors import ExpectedError

SUFFIX = ".dump"


class PgToolError(ExpectedError):
    """pg_dump or pg_restore is missing, or failed; the message says which and why."""


def is_postgres(db_url: str) -> bool:
    return make_url(db_url).get_backend_name() == "postgresql"


def _connection(db_url: str) -> tuple[list[str], dict[str, str]]:
    """libpq options and environment for the database of a SQLAlchemy URL."""
    url = make_url(db_url)
    host = url.query.get("host") or url.host
    port = url.query.get("port") or url.port
    args = [f"--dbname={url.database}"]
    args += [f"--host={host}"] if host else []
    args += [f"--port={port}"] if port else []
    args += [f"--username={url.username}"] if url.username else []
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise PgToolError(
            f"没有找到 {name}，请安装 postgresql-client / {name} is not installed: "
            "apt-get install -y postgresql-client"
        )
    return path


def dump(db_url: str, target: Path) -> Path:
    """pg_dump the gradebook's database into `target` (custom format)."""
    args, env = _connection(db_url)
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", *args]
    _run(command, env, "pg_dump")
    return target


def restore(db_url: str, backup: Path) -> None:
    """Replace the gradebook's tables with the backup's, in one transaction."""
    args, env = _connection(db_url)
    command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
               "--single-transaction", *args, str(backup)]  # fmt: skip
    _run(command, env, "pg_restore")


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600,
                            stdin=subprocess.DEVNULL)  # fmt: skip
    if result.returncode != 0:
        raise PgToolError(f"{what} 失败 failed: {result.stderr.strip()[-1000:]}")
