"""OS accounts for the hub's system mode: trainees and trainers as Linux users (needs root)."""

from __future__ import annotations

import grp
import pwd
import secrets
import subprocess
from pathlib import Path

from shequlab.errors import ExpectedError
from shequlab.trainees import id_problem


class UserError(ExpectedError, RuntimeError):
    """An account cannot be created; the message says why and what to do."""


def ensure_group(name: str) -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        subprocess.run(["groupadd", name], check=True, capture_output=True)
        return grp.getgrnam(name).gr_gid


def create_user(name: str, group: str, homes: Path, password: str | None = None) -> str:
    """Create OS user `name` in `group` with home homes/<name> (0700); return its password."""
    problem = id_problem(name)
    if problem:
        raise UserError(problem)
    ensure_group(group)
    home = Path(homes) / name
    try:
        pwd.getpwnam(name)
        exists = True
    except KeyError:
        exists = False
    if not exists:
        Path(homes).mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["useradd", "--create-home", "--home-dir", str(home), "--gid", group,
             "--shell", "/bin/bash", "--no-user-group", name],
            check=True, capture_output=True,
        )  # fmt: skip
    elif group not in {g.gr_name for g in grp.getgrall() if name in g.gr_mem} and (
        pwd.getpwnam(name).pw_gid != grp.getgrnam(group).gr_gid
    ):
        raise UserError(f"OS user {name!r} exists and is not in {group}; refusing to take it over")
    home.chmod(0o700)
    password = password or secrets.token_urlsafe(9)
    subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
    return password


def delete_user(name: str) -> None:
    """Remove the OS account (its home folder is left to the caller)."""
    subprocess.run(["userdel", name], check=False, capture_output=True)


def delete_group(name: str) -> None:
    subprocess.run(["groupdel", name], check=False, capture_output=True)
