"""`shequlab apps ...`: serve the case apps and manage workshop sessions from the terminal."""

from __future__ import annotations

from pathlib import Path

import typer

apps_app = typer.Typer(help="Case-study apps (Voila) and live workshop participation.")


def _default(field: str) -> str:
    """The default ServeOptions owns, for the help text (the CLI never restates it)."""
    from shequlab.apps.serve import ServeOptions

    return f"default {getattr(ServeOptions, field)}"


@apps_app.command("serve")
def apps_serve(
    program: str = typer.Option(None, "--program", "-p", help="Only this program's case apps."),
    port: int = typer.Option(
        None, "--port", help=f"Port; the command fails if it is taken ({_default('port')})."
    ),
    host: str = typer.Option(
        None,
        "--host",
        help=f"Address to listen on; 0.0.0.0 lets phones on the LAN join ({_default('host')}).",
    ),
    pool_size: int = typer.Option(
        None, "--pool-size", help=f"Preheated kernels kept ready per app ({_default('pool_size')})."
    ),
    cull_idle: int = typer.Option(
        None,
        "--cull-idle",
        help="Seconds before an idle kernel of a closed tab is shut down "
        f"({_default('cull_idle_timeout')}).",
    ),
    cull_interval: int = typer.Option(
        None, "--cull-interval", help=f"Seconds between cull checks ({_default('cull_interval')})."
    ),
    room: int = typer.Option(
        None,
        "--room",
        help="Participants joining at once: kernels kept ready for each participation app "
        f"(vote, rating, own data) and each --room-app ({_default('room')}: no room pools).",
    ),
    room_app: list[str] = typer.Option(
        None, "--room-app", help="A case app (module id, e.g. onb-02-hotline) sized for --room."
    ),
    no_fork: bool = typer.Option(
        False, "--no-fork", help="Start each app kernel as a new process instead of a fork."
    ),
    no_preheat: bool = typer.Option(False, "--no-preheat", help="Start kernels on demand (slow)."),
    build_dir: Path = typer.Option(None, "--build-dir", help="Folder to serve from (build/apps)."),
    db: str = typer.Option(
        None, "--db", help="Workshop store: SQLite file or database URL ($SHEQULAB_WORKSHOP_DB)."
    ),
    template: str = typer.Option(
        None,
        "--template",
        help="App page: shequlab (light, offline) or lab (Voila's own, for third-party widgets); "
        f"{_default('template')}.",
    ),
) -> None:
    """Serve every case.ipynb and the workshop apps as Voila apps with a gallery page.

    ServeOptions owns every default; an option not given keeps it."""
    from shequlab.apps.serve import ServeError, ServeOptions, serve
    from shequlab.curriculum import CurriculumError

    given = {
        "program": program, "port": port, "host": host, "pool_size": pool_size,
        "cull_idle_timeout": cull_idle, "cull_interval": cull_interval,
        "preheat": False if no_preheat else None, "build_dir": build_dir, "workshop_db": db,
        "template": template, "room": room, "room_apps": room_app or None,
        "fork_kernels": False if no_fork else None,
    }  # fmt: skip
    options = ServeOptions(**{k: v for k, v in given.items() if v is not None})
    try:
        serve(options, echo=typer.echo)
    except (ServeError, CurriculumError) as exc:
        typer.echo(f"ERROR: {exc}", err=True)
        raise typer.Exit(1) from None


@apps_app.command("sessions")
def apps_sessions(db: str = typer.Option(None, "--db", help="Workshop store URL or file.")) -> None:
    """List workshop sessions: join code, kind, status, entries, title."""
    from shequlab.workshop.store import WorkshopStore

    store = WorkshopStore(_url(db))
    for s in store.sessions():
        typer.echo(
            f"{s.code}  {s.kind:<6}  {s.status:<6}  {len(store.entries(s.code)):>3}  {s.title}"
        )


@apps_app.command("export")
def apps_export(
    code: str = typer.Argument(..., help="Join code of the session."),
    out: Path = typer.Option(None, "--out", "-o", help="CSV file (default: print)."),
    db: str = typer.Option(None, "--db", help="Workshop store URL or file."),
) -> None:
    """Export one session's entries as CSV (UTF-8 with BOM, opens in Excel)."""
    from shequlab.workshop.store import EntryRefused, WorkshopStore

    try:
        text = WorkshopStore(_url(db)).export_csv(code)
    except EntryRefused as exc:
        typer.echo(f"ERROR: {exc}", err=True)
        raise typer.Exit(1) from None
    if out:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")
    else:
        typer.echo(text.lstrip("\ufeff"), nl=False)


def _url(db: str | None) -> str | None:
    if db is None:
        return None
    return db if "://" in db else f"sqlite:///{Path(db).resolve()}"
