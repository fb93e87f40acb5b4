"""OS accounts for the hub's system mode: trainees and trainers as Linux users (needs root)."""

from __future__ import annotations

import grp
import pwd
import secrets
import subprocess
import time
from pathlib import Path

from shequlab.errors import ExpectedError
from shequlab.trainees import id_problem


class UserError(ExpectedError, RuntimeError):
    """An account cannot be created; the message says why and what to do."""


def _accounts(args: list[str], check: bool = True, stdin: str | None = None):
    """Run a shadow-utils command (useradd, userdel, …). Each one locks /etc/passwd and friends
    and gives up at once when another holds the lock ("cannot lock /etc/passwd; try again
    later"): try again for a few seconds before taking its answer."""
    for attempt in range(40):
        done = subprocess.run(args, input=stdin, text=True, capture_output=True)
        if done.returncode == 0 or "lock" not in done.stderr or attempt == 39:
            break
        time.sleep(0.25)
    if check and done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, args, done.stdout, done.stderr)
    return done


def ensure_group(name: str) -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        _accounts(["groupadd", name])
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
        _accounts(
            ["useradd", "--create-home", "--home-dir", str(home), "--gid", group,
             "--shell", "/bin/bash", "--no-user-group", name],
        )  # fmt: skip
    elif group not in {g.gr_name for g in grp.getgrall() if name in g.gr_mem} and (
        pwd.getpwnam(name).pw_gid != grp.getgrnam(group).gr_gid
    ):
        raise UserError(f"OS user {name!r} exists and is not in {group}; refusing to take it over")
    home.chmod(0o700)
    password = password or secrets.token_urlsafe(9)
    _accounts(["chpasswd"], stdin=f"{name}:{password}\n")
    return password


def delete_user(name: str) -> None:
    """Remove the OS account (its home folder is left to the caller)."""
    _accounts(["userdel", name], check=False)


def delete_group(name: str) -> None:
    _accounts(["groupdel", name], check=False)
