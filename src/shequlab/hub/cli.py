"""`shequlab hub …`: run the cohort's JupyterHub, create accounts, rehearse a cohort."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from shequlab.hub.settings import HubSettings

hub_app = typer.Typer(
    help="JupyterHub for a cohort on one server: start, users, rehearse.", no_args_is_help=True
)


_DEFAULTS = "default: SHEQULAB_HUB_{}, else {}"


def _given(field: str, text: str) -> str:
    """Help text naming the environment variable and the default HubSettings owns."""
    from shequlab.hub.settings import HubSettings

    default = getattr(HubSettings, field) or "see docs/hub.md"
    return f"{text} ({_DEFAULTS.format(field.upper(), default)})"


@hub_app.command("start")
def start(
    ip: str = typer.Option(None, help=_given("ip", "Public address (0.0.0.0 for the LAN).")),
    port: int = typer.Option(None, help=_given("port", "Public port; a busy port is an error.")),
    api_port: int = typer.Option(None, help=_given("api_port", "The hub's API port (loopback).")),
    proxy_api_port: int = typer.Option(
        None, help=_given("proxy_api_port", "The proxy's API port (loopback).")
    ),
    state: Path = typer.Option(
        None, help="Hub database and cookie secret, 0700 (SHEQULAB_HUB_STATE)."
    ),
    exchange: Path = typer.Option(
        None, help="nbgrader exchange (SHEQULAB_HUB_EXCHANGE, else <state>/../exchange)."
    ),
    mode: str = typer.Option(
        None, help="system (root: one OS user each) or simple (one OS user); SHEQULAB_HUB_MODE."
    ),
    cull_timeout: int = typer.Option(
        None, help=_given("cull_timeout", "Seconds idle before a server is stopped.")
    ),
    mem_limit: str = typer.Option(
        None, help=_given("mem_limit", "Address space per process (RLIMIT_AS).")
    ),
    fix_permissions: bool = typer.Option(
        False, "--fix-permissions", help="Close the course's private parts to trainees first."
    ),
) -> None:
    """Run JupyterHub (SQLite, local processes, pure-Python proxy) until Ctrl-C.

    Every option not given keeps what SHEQULAB_HUB_* (or the default) says, as `jupyterhub -f
    deploy/hub/jupyterhub_config.py` would."""
    from shequlab.hub.exchange import prepare_exchange
    from shequlab.hub.server import hub_command, hub_env, port_busy
    from shequlab.hub.settings import HubSettings

    try:
        settings = HubSettings.from_env(
            ip=ip, port=port, api_port=api_port, proxy_api_port=proxy_api_port,
            state=str(state.resolve()) if state else None,
            exchange=str(exchange.resolve()) if exchange else None,
            mode=mode, cull_timeout=cull_timeout, mem_limit=mem_limit,
        )  # fmt: skip
    except ValueError as exc:
        typer.echo(f"ERROR: {exc}", err=True)
        raise typer.Exit(2) from exc
    ip, port = settings.ip, settings.port
    if port_busy(ip, port):
        typer.echo(
            f"ERROR: 端口 {port} 已被占用 / port {port} is already in use (--port)", err=True
        )
        raise typer.Exit(1)
    group = settings.trainer_group if settings.mode == "system" else None
    if group:
        from shequlab.hub.users import ensure_group

        ensure_group(group)
        ensure_group(settings.trainee_group)
    Path(settings.state).mkdir(parents=True, exist_ok=True, mode=0o700)
    if group:
        _close_course(settings, fix_permissions)
    prepare_exchange(Path(settings.exchange), "shequlab", group)
    typer.echo(f"JupyterHub ({settings.mode} mode) 正在启动 / starting at {settings.url}/")
    typer.echo(f"state: {settings.state}   exchange: {settings.exchange}")
    os.chdir(settings.state)
    os.execve(hub_command(settings)[0], hub_command(settings), hub_env(settings))


def _close_course(settings: HubSettings, fix: bool) -> None:
    """System mode: refuse a course whose private parts trainees could read (or close them)."""
    from shequlab.hub.access import cohort_targets
    from shequlab.permissions import check
    from shequlab.permissions import fix as fix_modes

    targets = cohort_targets(settings)
    if Path(settings.state).resolve() in Path(settings.exchange).resolve().parents:
        typer.echo(
            "ERROR: 交换目录不能放在仅 root 可读的状态目录中 / the exchange cannot be inside the "
            f"hub's private state folder ({settings.state}): choose another --exchange",
            err=True,
        )
        raise typer.Exit(1)
    if fix:
        changed = fix_modes(targets, settings.trainer_group)
        typer.echo(f"权限已修复 / permissions fixed: {len(changed)} paths")
    problems = check(targets, settings.trainer_group)
    if problems:
        listed = "\n".join(f"  {p}" for p in problems[:10])
        more = f"\n  … {len(problems) - 10} more" if len(problems) > 10 else ""
        typer.echo(
            "ERROR: 学员可以读取课程中只属于培训师的部分（答案、隐藏测试、成绩簿等）/ trainees "
            f"could read the trainers' private parts of the course (solutions, hidden tests, "
            f"gradebook …):\n{listed}{more}\n"
            "修复 / to fix: sudo .venv/bin/shequlab hub start --fix-permissions …",
            err=True,
        )
        raise typer.Exit(1)


@hub_app.command("users")
def users(
    roster: Path = typer.Argument(
        ..., help="The roster (CSV UTF-8/GBK or .xlsx) with a column 学号 or id: the accounts."
    ),
    trainer: list[str] = typer.Option(None, "--trainer", help="Trainer account(s) to create too."),
    homes: Path = typer.Option(
        None, help="Parent folder of the home folders (default: SHEQULAB_HUB_HOMES, else /home)."
    ),
    out: Path = typer.Option(Path("hub-passwords.csv"), help="Where to write initial passwords."),
) -> None:
    """Create an OS account per trainee (shequlab-trainees) and trainer (shequlab-trainers)."""
    from shequlab.hub.settings import HubSettings
    from shequlab.hub.users import UserError, create_user
    from shequlab.trainees import RosterError, parse_roster

    settings = HubSettings.from_env()
    try:  # the roster reader of `grade roster import`: CSV UTF-8/GBK or Excel, Chinese headers
        names = [t.id for t in parse_roster(roster, required=("id",))]
    except RosterError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    accounts = [(n, settings.trainee_group) for n in names]
    accounts += [(t, settings.trainer_group) for t in trainer or []]
    written = []
    try:
        for name, group in accounts:
            written.append((name, group, create_user(name, group, homes or Path(settings.homes))))
    except UserError as exc:
        typer.echo(f"ERROR: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        with out.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([("account", "group", "password"), *written])
        out.chmod(0o600)
    typer.echo(f"{len(written)} accounts; initial passwords in {out} (0600)")
