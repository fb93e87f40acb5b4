"""The `shequlab` command: parses arguments and prints; the work lives in plain functions."""

from __future__ import annotations

from pathlib import Path

import click
import typer
from typer.core import TyperGroup

from shequlab import __version__
from shequlab.apps.cli import apps_app
from shequlab.errors import ExpectedError
from shequlab.grading.cli import grade_app
from shequlab.hub.cli import hub_app
from shequlab.rehearsal.cli import rehearse_cmd
from shequlab.research.cli import research_app


class _Group(TyperGroup):
    """Every verb runs inside this: an expected error is its message and an exit status."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ExpectedError as exc:
            typer.echo(f"ERROR: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=_Group,
    help="shequlab — training environment for Shanghai community social workers.",
    no_args_is_help=True,
    add_completion=False,
)
data_app = typer.Typer(help="Sample data of Xinhua Road Subdistrict: generate, validate, describe.")
app.add_typer(data_app, name="data")
course_app = typer.Typer(help="Training modules: build the nbgrader course and prove it correct.")
app.add_typer(course_app, name="course")
app.add_typer(apps_app, name="apps")
app.add_typer(grade_app, name="grade")
hub_app.command("rehearse")(rehearse_cmd)  # rehearsal sits above the hub it drives
app.add_typer(hub_app, name="hub")
app.add_typer(research_app, name="research")


@app.callback(invoke_without_command=True)
def _main(
    version: bool = typer.Option(
        False, "--version", is_eager=True, help="Print the version and exit."
    ),
) -> None:
    if version:
        typer.echo(__version__)
        raise typer.Exit()


@data_app.command("generate")
def data_generate(
    out: Path = typer.Option(None, "--out", help="Folder to write into (default: datasets/)."),
) -> None:
    """Regenerate every CSV table and datapackage.json, byte for byte, from the fixed seed."""
    from shequlab.data.generate import generate_all

    written = generate_all(out)
    typer.echo(f"wrote {len(written)} tables to {written[0].parent if written else out}")


@data_app.command("validate")
def data_validate(
    files: list[Path] = typer.Argument(
        None, help="CSV files to check (default: the whole package)."
    ),
    table: str = typer.Option(None, "--table", "-t", help="Table whose schema the FILES must fit."),
    package: Path = typer.Option(None, "--package", help="datapackage.json (default: datasets/)."),
) -> None:
    """Check the tables against datasets/datapackage.json (types, enums, keys, foreign keys)."""
    from shequlab.data.validate import run_validate_command

    raise typer.Exit(run_validate_command(files or [], table, package))


@data_app.command("describe")
def data_describe(
    table: str = typer.Argument(..., help="Table name, e.g. hotline_orders."),
) -> None:
    """Print a readable summary of one table: meaning, columns, types, sample rows."""
    from shequlab.data.describe import describe_table

    raise typer.Exit(describe_table(table))


@course_app.command("build")
def course_build(
    program: str = typer.Option(
        None, "--program", "-p", help="Only this program, e.g. onboarding."
    ),
    module: str = typer.Option(
        None, "--module", "-m", help="Only this module, e.g. onb-02-hotline."
    ),
) -> None:
    """Turn notebooks/ and curriculum/ into grading/source and grading/release (nbgrader)."""
    from shequlab.course.build import build_course

    def run() -> int:
        build_course(program, module)
        return 0

    raise typer.Exit(_report_errors(run))


@course_app.command("check")
def course_check(
    program: str = typer.Option(
        None, "--program", "-p", help="Only this program, e.g. onboarding."
    ),
    module: str = typer.Option(
        None, "--module", "-m", help="Only this module, e.g. onb-02-hotline."
    ),
    workers: int = typer.Option(2, "--workers", "-j", help="Modules checked in parallel."),
    plain: bool = typer.Option(
        False, "--plain-nbgrader", help="Grade with plain nbgrader autograde (slower)."
    ),
    probe_wrong: bool = typer.Option(
        False,
        "--probe-wrong",
        help="Judge each wrong answer by running its test cell in one kernel per module instead "
        "of grading a submission for each (several times faster; solution, release and other "
        "right answers are still graded).",
    ),
    mistakes: Path = typer.Option(
        None,
        "--mistakes",
        help="Instead of the proofs, measure the share of these mistakes (a YAML file or a "
        "folder of <module-id>.yml, wrong_answers.yml format) the visible and the hidden "
        "tests catch.",
    ),
    min_visible: float = typer.Option(
        None, "--min-visible", help="With --mistakes: fail when a module's visible share is lower."
    ),
    min_hidden: float = typer.Option(
        None, "--min-hidden", help="With --mistakes: fail when a module's hidden share is lower."
    ),
) -> None:
    """Prove every module: solution full marks, release zero, wrong answers fail, metadata valid."""
    from shequlab.course.check import check_course

    if mistakes is not None:
        limits = (min_visible, min_hidden)
        raise typer.Exit(
            _report_errors(lambda: _measure_mistakes(mistakes, program, module, workers, *limits))
        )
    if min_visible is not None or min_hidden is not None:
        typer.echo("--min-visible/--min-hidden need --mistakes PATH", err=True)
        raise typer.Exit(2)

    def run() -> int:
        checks = check_course(
            program,
            module,
            workers=workers,
            engine="nbgrader" if plain else "shequlab",
            grade_wrong=not probe_wrong,
        )
        failed = [c.module_id for c in checks if not c.ok]
        typer.echo(
            f"{len(checks) - len(failed)}/{len(checks)} modules passed"
            + (f"; failed: {', '.join(failed)}" if failed else "")
        )
        return 1 if failed else 0

    raise typer.Exit(_report_errors(run))


def _measure_mistakes(mistakes, program, module, workers, min_visible, min_hidden) -> int:
    from shequlab.course.mistakes import failures, measure_mistakes

    try:
        results = measure_mistakes(mistakes, program, module, workers=workers)
    except ValueError as exc:
        typer.echo(f"错误 / error: {exc}", err=True)
        return 2
    reasons = failures(results, min_visible, min_hidden)
    for reason in reasons:
        typer.echo(f"FAIL {reason}", err=True)
    return 1 if reasons else 0


def _report_errors(work) -> int:
    """Run `work`; print curriculum and build errors as messages, not tracebacks."""
    from shequlab.autograder.nbgrader import NbGraderError
    from shequlab.course.build import BuildError
    from shequlab.curriculum import CurriculumError

    try:
        return work() or 0
    except (CurriculumError, BuildError, NbGraderError) as exc:
        typer.echo(f"ERROR: {exc}", err=True)
        return 1


if __name__ == "__main__":  # pragma: no cover
    app()
