"""deploy/hub/jupyterhub_config.py and its settings, loaded as JupyterHub loads them."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from traitlets.config import PyFileConfigLoader

from shequlab.hub.exchange import prepare_exchange
from shequlab.hub.settings import CONFIG_FILE, HubSettings
from shequlab.hub.spawner import TraineeSpawner
from tests.conftest import run_in_fresh_loop


def load(monkeypatch, tmp_path: Path, **env: str):
    for key, value in {"state": str(tmp_path / "state"), **env}.items():
        monkeypatch.setenv(f"SHEQULAB_HUB_{key.upper()}", value)
    return PyFileConfigLoader(CONFIG_FILE.name, path=str(CONFIG_FILE.parent)).load_config()


def test_settings_round_trip_through_the_environment() -> None:
    s = HubSettings(port=8123, mode="simple", state="/tmp/x", mem_limit="1.5G")
    again = HubSettings.from_env(s.to_env())
    assert again == s
    assert again.mem_bytes == int(1.5 * 2**30)
    with pytest.raises(ValueError):
        HubSettings(mode="cluster")


def test_system_mode_pam_groups_own_os_users_and_limits(monkeypatch, tmp_path) -> None:
    c = load(monkeypatch, tmp_path, mode="system", port="8765", mem_limit="1G", nproc="64")
    assert c.JupyterHub.authenticator_class == "pam"
    assert c.PAMAuthenticator.admin_groups == {"shequlab-trainers"}
    assert c.PAMAuthenticator.allowed_groups == {"shequlab-trainees", "shequlab-trainers"}
    assert c.JupyterHub.spawner_class == "shequlab.hub.spawner.TraineeSpawner"
    assert c.TraineeSpawner.address_space == 2**30 and c.TraineeSpawner.nproc == 64
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8765"
    assert c.JupyterHub.db_url.startswith("sqlite:///")
    assert os.access(c.ConfigurableHTTPProxy.command[0], os.X_OK)
    assert os.access(c.Spawner.cmd[0], os.X_OK)
    culler = next(s for s in c.JupyterHub.services if s["name"] == "idle-culler")
    assert "--timeout=3600" in culler["command"]
    assert not any(s["name"] == "shequlab-admin" for s in c.JupyterHub.services)


def test_simple_mode_and_the_automation_token(monkeypatch, tmp_path) -> None:
    c = load(monkeypatch, tmp_path, mode="simple", admin_token="t" * 32, trainers="lin")
    assert c.JupyterHub.authenticator_class == "shared-password"
    assert c.Authenticator.admin_users == {"lin"}
    assert any(s.get("api_token") == "t" * 32 for s in c.JupyterHub.services)


def test_spawner_refuses_accounts_outside_the_course_groups() -> None:
    fake = SimpleNamespace(user=SimpleNamespace(name="root"), allowed_groups="shequlab-trainees")
    with pytest.raises(RuntimeError, match=r"refusing|no OS account"):
        TraineeSpawner.check_account(fake)
    fake.user.name = "no-such-user-sq"
    with pytest.raises(RuntimeError, match="no OS account"):
        TraineeSpawner.check_account(fake)


def test_exchange_folders_are_hardened(tmp_path) -> None:
    course = prepare_exchange(tmp_path / "exchange", "shequlab", None)
    modes = {p.name: oct(p.stat().st_mode & 0o7777) for p in (course.parent, course,
             course / "inbound", course / "outbound", course / "feedback")}  # fmt: skip
    assert modes == {"exchange": "0o1777", "shequlab": "0o755", "inbound": "0o3733",
                     "outbound": "0o755", "feedback": "0o711"}  # fmt: skip


@pytest.mark.skipif(os.geteuid() != 0, reason="chgrp to the trainers' group needs root")
def test_exchange_course_folders_are_shared_with_the_trainers_group(tmp_path) -> None:
    import grp
    import secrets
    import subprocess

    group = f"sqx{secrets.token_hex(2)}-trainers"
    subprocess.run(["groupadd", group], check=True)
    try:
        course = prepare_exchange(tmp_path / "exchange", "shequlab", group)
        gid = grp.getgrnam(group).gr_gid
        folders = (course, course / "inbound", course / "outbound", course / "feedback")
        assert {p.name: oct(p.stat().st_mode & 0o7777) for p in folders} == {
            "shequlab": "0o2775", "inbound": "0o3773", "outbound": "0o2775", "feedback": "0o2771"
        }  # fmt: skip
        assert {p.stat().st_gid for p in folders} == {gid}
    finally:
        subprocess.run(["groupdel", group], check=False)


def test_trainee_config_hides_the_formgrader() -> None:
    import json

    singleuser = CONFIG_FILE.parent / "singleuser"
    server = json.loads((singleuser / "trainee" / "jupyter_server_config.json").read_text())
    assert (
        server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is False
    )
    page = json.loads((singleuser / "trainee" / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"]["@jupyter/nbgrader:formgrader"] is True


def _start(monkeypatch, tmp_path: Path, *args: str, **env: str):
    """`shequlab hub start ARGS` with SHEQULAB_HUB_* = env; returns (exit code, hub's env)."""
    from typer.testing import CliRunner

    from shequlab.cli import app

    for key, value in {"state": str(tmp_path / "state"), "mode": "simple", **env}.items():
        monkeypatch.setenv(f"SHEQULAB_HUB_{key.upper()}", value)
    started: dict[str, str] = {}
    monkeypatch.setattr(os, "execve", lambda path, argv, environ: started.update(environ))
    monkeypatch.setattr(os, "chdir", lambda path: None)
    result = CliRunner().invoke(app, ["hub", "start", *args])
    return result, started


def test_hub_start_keeps_the_environment_unless_an_option_is_given(monkeypatch, tmp_path) -> None:
    from shequlab.hub.server import free_port

    port, other = str(free_port()), str(free_port())
    result, env = _start(monkeypatch, tmp_path, port=port, cull_timeout="600", mem_limit="1G")
    assert result.exit_code == 0, result.output
    assert env["SHEQULAB_HUB_PORT"] == port
    assert env["SHEQULAB_HUB_CULL_TIMEOUT"] == "600"
    assert env["SHEQULAB_HUB_MEM_LIMIT"] == "1G"
    result, env = _start(monkeypatch, tmp_path, "--port", other, port=port)
    assert result.exit_code == 0, result.output
    assert env["SHEQULAB_HUB_PORT"] == other  # the option given wins over the environment
    assert env["SHEQULAB_HUB_CULL_TIMEOUT"] == "600"  # what was not given still holds


def test_hub_start_refuses_a_busy_port_without_a_traceback(monkeypatch, tmp_path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result, env = _start(monkeypatch, tmp_path, port=str(busy.getsockname()[1]))
    assert result.exit_code == 1 and not env
    assert "已被占用" in result.output and "already in use" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, OSError)


def test_one_trainee_id_rule_for_roster_hub_users_and_hub_config(
    monkeypatch, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from shequlab.cli import app
    from shequlab.hub import users
    from shequlab.trainees import ID_RULE, RosterError, parse_roster

    c = load(monkeypatch, tmp_path, mode="simple")
    assert c.Authenticator.username_pattern == ID_RULE
    roster = tmp_path / "名单.csv"
    roster.write_bytes("学号,姓名,期次,项目\n2024001,张三,2026春,onboarding\n".encode("gbk"))
    with pytest.raises(RosterError):
        parse_roster(roster)
    create_user = users.create_user
    created = []
    monkeypatch.setattr(users, "create_user", lambda n, g, h: created.append(n) or "pw")
    out = tmp_path / "pw.csv"
    result = CliRunner().invoke(app, ["hub", "users", str(roster), "--out", str(out)])
    assert result.exit_code == 1 and not created
    assert "2024001" in result.output and "t2024001" in result.output
    # The same GBK file with a valid id: read by the roster's reader (Chinese header, GBK).
    roster.write_bytes("学号,姓名,期次,项目\nt2024001,张三,2026春,onboarding\n".encode("gbk"))
    result = CliRunner().invoke(app, ["hub", "users", str(roster), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert created == ["t2024001"]
    with pytest.raises(users.UserError):  # refused before any OS account is touched
        create_user("2024001", "shequlab-trainees", tmp_path)


def test_two_servers_spawned_at_once_never_share_a_port(monkeypatch) -> None:
    """JupyterHub's random_port() may hand the same free port to two spawns in a row; our
    spawners skip a port another of their servers holds, and free it when that server stops."""
    from jupyterhub.spawner import LocalProcessSpawner

    from shequlab.hub import spawner as module

    offered = iter([50001, 50001, 50001, 50002, 50001])
    monkeypatch.setattr(module, "random_port", lambda: next(offered))
    monkeypatch.setattr(module.RoleEnvMixin, "ports_in_use", set())

    async def started(self):
        return ("127.0.0.1", self.port)

    async def stopped(self, now=False):
        return None

    monkeypatch.setattr(LocalProcessSpawner, "start", started)
    monkeypatch.setattr(LocalProcessSpawner, "stop", stopped)
    one, two, three = (
        TraineeSpawner(user=SimpleNamespace(name=f"t{i}", admin=False), port=0) for i in range(3)
    )
    assert run_in_fresh_loop(module.RoleEnvMixin.start(one)) == ("127.0.0.1", 50001)
    assert run_in_fresh_loop(module.RoleEnvMixin.start(two)) == ("127.0.0.1", 50002)
    run_in_fresh_loop(module.RoleEnvMixin.stop(one))
    assert run_in_fresh_loop(module.RoleEnvMixin.start(three)) == ("127.0.0.1", 50001)
