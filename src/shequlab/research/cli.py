"""`shequlab research …`: workspaces from templates and their reports. Parses and prints only."""

from __future__ import annotations

from pathlib import Path

import typer

research_app = typer.Typer(
    help="Research workspace: your own survey or hotline export to a report (研究工作区).",
    no_args_is_help=True,
)


@research_app.command("templates")
def templates() -> None:
    """List the workspace templates."""
    from shequlab.research.templates import TEMPLATES

    for t in TEMPLATES.values():
        typer.echo(f"{t.name:10} {t.title}\n{'':10} {t.description}")


@research_app.command("new")
def new(
    template: str = typer.Argument(..., help="survey, pre-post or hotline."),
    data: list[Path] = typer.Option(
        ..., "--data", help="The export (.xlsx/.csv); pre-post: twice."
    ),
    out: Path = typer.Option(..., "--out", help="The workspace folder to create."),
    key: str = typer.Option(None, "--key", help="pre-post: the column matching respondents."),
) -> None:
    """Create OUT with data/ (identifiers removed), codebook.csv and analysis.ipynb."""
    from shequlab.research.templates import new_workspace

    made = new_workspace(template, data, out, key)
    typer.echo(f"已创建工作区 workspace created: {made}")
    typer.echo("在 JupyterLab 中打开 analysis.ipynb / open analysis.ipynb in JupyterLab; then:")
    typer.echo(f"  shequlab research report {made}")


@research_app.command("report")
def report(
    workspace: Path = typer.Argument(..., help="The workspace folder."),
    timeout: int = typer.Option(600, help="Seconds a notebook cell may run."),
) -> None:
    """Run the workspace notebook and write report.docx and report.html (no code in them)."""
    from shequlab.research.report import make_report

    made = make_report(workspace, timeout)
    typer.echo(f"已生成报告 report written: {made.docx}\n  {made.html}")
    typer.echo(f"{made.findings} 项结果 findings, {made.seconds:.1f} s")
    for line in made.suppressed:
        typer.echo(f"  {line}")
