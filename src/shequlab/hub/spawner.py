"""Spawners for trainees' servers: one OS user each (system mode), with what limits a local
spawner can enforce (rlimits), the right Jupyter config per role, and a private home folder."""

from __future__ import annotations

import grp
import os
import pwd
import resource
from pathlib import Path
from typing import ClassVar

from jupyterhub.spawner import LocalProcessSpawner, SimpleLocalProcessSpawner
from jupyterhub.utils import random_port
from traitlets import Integer, Unicode
from traitlets.config import Configurable

from shequlab.layout.project import Project
from shequlab.permissions import UMASK as TRAINER_UMASK

SINGLEUSER = Project.at().hub_singleuser_dir

# Per-user servers share two cores with everyone: one BLAS/OpenMP thread per kernel.
QUIET_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class RoleEnvMixin(Configurable):
    """Environment of a user server: the trainee or trainer Jupyter config, exchange, course."""

    exchange = Unicode("", config=True, help="nbgrader exchange root shared by all users.")
    course_dir = Unicode("", config=True, help="nbgrader course root (trainers only).")
    # Ports handed to the servers this hub runs. JupyterHub's random_port() only asks the OS for a
    # free port, so two servers spawned at once can get the same one: one fails to bind, and the
    # hub, finding the other answering there, routes its user to a stranger's server (seen in CI:
    # a trainee's fetch answered 404 by another trainee's server).
    ports_in_use: ClassVar[set[int]] = set()

    def role(self) -> str:
        return "trainer" if self.user.admin else "trainee"

    async def start(self):
        if self.role() == "trainer" and self.course_dir:
            # nbgrader's formgrader needs the course root inside the server's root folder.
            self.notebook_dir = self.course_dir
        if self.port == 0:
            self.port = next(p for p in iter(random_port, None) if p not in self.ports_in_use)
        self.ports_in_use.add(self.port)
        try:
            return await super().start()
        except BaseException:
            self.ports_in_use.discard(self.port)
            raise

    async def stop(self, now: bool = False):
        try:
            return await super().stop(now=now)
        finally:
            self.ports_in_use.discard(self.port)

    def get_env(self) -> dict[str, str]:
        env = super().get_env()
        env.update(QUIET_THREADS)
        env["JUPYTER_CONFIG_PATH"] = str(SINGLEUSER / self.role())
        env["SHEQULAB_EXCHANGE"] = self.exchange
        if self.role() == "trainer":
            env["SHEQULAB_COURSE_DIR"] = self.course_dir
        return env


class TraineeSpawner(RoleEnvMixin, LocalProcessSpawner):
    """LocalProcessSpawner for users that are OS accounts in the trainee or trainer group.

    Refuses to start a server for any other OS account (a hub user named `root` never runs
    as root), makes the home folder private (0700) and sets rlimits before dropping to the user.
    """

    address_space = Integer(2 * 2**30, config=True, help="RLIMIT_AS per process, bytes (0: none).")
    nproc = Integer(256, config=True, help="RLIMIT_NPROC: processes of the trainee's uid.")
    allowed_groups = Unicode(
        "shequlab-trainees,shequlab-trainers", config=True,
        help="Comma-separated OS groups whose members may have a server.",
    )  # fmt: skip

    def check_account(self) -> pwd.struct_passwd:
        name = self.user.name
        try:
            account = pwd.getpwnam(name)
        except KeyError as exc:
            raise RuntimeError(
                f"no OS account {name!r}; create it with `shequlab hub users`"
            ) from exc
        groups = {g for g in self.allowed_groups.split(",") if g}
        member_of = {g.gr_name for g in grp.getgrall() if name in g.gr_mem}
        member_of |= {g.gr_name for g in grp.getgrall() if g.gr_gid == account.pw_gid}
        if account.pw_uid == 0 or not (groups & member_of):
            raise RuntimeError(f"{name!r} is not in {sorted(groups)}; refusing to spawn")
        return account

    async def start(self):
        account = self.check_account()
        home = Path(account.pw_dir)
        home.mkdir(parents=True, exist_ok=True)
        os.chown(home, account.pw_uid, account.pw_gid)
        home.chmod(0o700)
        return await super().start()

    def make_preexec_fn(self, name):
        drop_privileges = super().make_preexec_fn(name)
        limits = [(resource.RLIMIT_NPROC, self.nproc)] if self.nproc else []
        if self.address_space:
            limits.append((resource.RLIMIT_AS, self.address_space))
        # A trainer's formgrader and terminal write in the course: nothing new readable by others.
        umask = TRAINER_UMASK if self.role() == "trainer" else None

        def preexec() -> None:
            for kind, value in limits:
                resource.setrlimit(kind, (value, value))
            if umask is not None:
                os.umask(umask)
            drop_privileges()

        return preexec


class SimpleRoleSpawner(RoleEnvMixin, SimpleLocalProcessSpawner):
    """Simple mode: every server runs as the hub's OS user, each in its own folder. No isolation."""
