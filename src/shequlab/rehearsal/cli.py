"""`shequlab hub rehearse`: the verb's body lives with the rehearsal it runs; the top-level
command registers it under `hub`, so the hub package never imports rehearsal code."""

from __future__ import annotations

import typer


def rehearse_cmd(
    trainees: int = typer.Option(10, "--trainees", "-n", help="How many trainees (>= 2)."),
    module: str = typer.Option("onb-01-neighbourhood", "--module", "-m", help="Module to run."),
    program: str = typer.Option("onboarding", "--program", "-p", help="Its program."),
    keep: bool = typer.Option(False, help="Keep the work folder (hub log, course) afterwards."),
) -> None:
    """A whole cohort through the real hub on loopback; prints a timing per stage (needs root)."""
    from shequlab.rehearsal.rehearse import rehearse

    if trainees < 2:
        typer.echo("ERROR: --trainees must be at least 2", err=True)
        raise typer.Exit(2)
    result = rehearse(trainees, module, program, keep=keep, log=typer.echo)
    typer.echo("\n" + result.table())
    for what, mib in result.memory_mib.items():
        typer.echo(f"memory, {what}: {mib:.0f} MiB")
    for problem in result.problems:
        typer.echo(f"PROBLEM: {problem}", err=True)
    if result.leftovers:
        typer.echo(f"PROBLEM: processes left running: {result.leftovers}", err=True)
    typer.echo("rehearsal passed" if result.ok else "rehearsal FAILED")
    raise typer.Exit(0 if result.ok else 1)
