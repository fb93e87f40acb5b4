"""The hub's settings: one dataclass read from SHEQULAB_HUB_* variables, so `jupyterhub -f
deploy/hub/jupyterhub_config.py` and `shequlab hub start|rehearse` configure the same hub.

The dataclass owns every default; `shequlab hub start` overrides a field only for an option the
user gave (from_env(**overrides)), so the environment and the CLI never disagree."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from shequlab.layout.project import Project

CONFIG_FILE = Project.at().hub_config_file


def _default_state() -> str:
    if os.geteuid() == 0:
        return "/var/lib/shequlab/hub"
    return str(Path.home() / ".local" / "share" / "shequlab" / "hub")


@dataclass
class HubSettings:
    """Every knob of deploy/hub/jupyterhub_config.py; the env var is SHEQULAB_HUB_<FIELD>."""

    ip: str = "127.0.0.1"  # where the public proxy listens (0.0.0.0 for a classroom LAN)
    port: int = 8000  # the public port: trainees open http://<server>:<port>/
    api_port: int = 8081  # the hub's own API (loopback only)
    proxy_api_port: int = 8001  # configurable-http-proxy's REST API (loopback only)
    state: str = ""  # SQLite hub db, cookie secret, proxy pid file
    course_dir: str = ""  # nbgrader course root (default: <project>/grading)
    exchange: str = ""  # nbgrader exchange shared by all users (default: <state>/../exchange)
    homes: str = "/home"  # parent folder of the trainees' home folders (system mode)
    mode: str = ""  # "system" (one OS user per trainee; needs root) or "simple" (one OS user)
    trainee_group: str = "shequlab-trainees"  # OS group of trainees (may log in)
    trainer_group: str = "shequlab-trainers"  # OS group of trainers (hub admins, formgrader)
    mem_limit: str = "2G"  # per process address space (RLIMIT_AS); see docs/hub.md
    nproc: int = 256  # processes per trainee OS user (RLIMIT_NPROC counts per uid)
    cull_timeout: int = 3600  # seconds of inactivity before a user server is stopped
    admin_token: str = ""  # optional API token of the `shequlab-admin` service (automation)
    shared_password: str = ""  # simple mode only: SharedPasswordAuthenticator's user password
    admin_password: str = ""  # simple mode only: the trainers' password (>= 32 characters)
    trainers: str = ""  # simple mode only: comma-separated trainer usernames

    def __post_init__(self) -> None:
        self.state = self.state or _default_state()
        self.course_dir = self.course_dir or str(Project.at().course_dir)
        # Beside the state folder, not in it: the state is root's only (0700), the exchange not.
        self.exchange = self.exchange or str(Path(self.state).parent / "exchange")
        self.mode = self.mode or ("system" if os.geteuid() == 0 else "simple")
        if self.mode not in ("system", "simple"):
            raise ValueError(f"SHEQULAB_HUB_MODE must be system or simple, not {self.mode!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> HubSettings:
        """SHEQULAB_HUB_* variables, then `overrides` (fields given on a command line; None
        means "not given" and is ignored), then the defaults above for everything else."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = environ.get(f"SHEQULAB_HUB_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = int(raw) if f.type == "int" else raw
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise TypeError(f"not hub settings: {sorted(unknown)}")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        return {f"SHEQULAB_HUB_{f.name.upper()}": str(getattr(self, f.name)) for f in fields(self)}

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.ip in ("", "0.0.0.0") else self.ip
        return f"http://{host}:{self.port}"

    @property
    def mem_bytes(self) -> int:
        units = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
        text = self.mem_limit.strip().upper()
        return int(float(text[:-1]) * units[text[-1]]) if text[-1] in units else int(text)
