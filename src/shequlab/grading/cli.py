"""`shequlab grade …`: the trainer's loop. Parses and prints; the work lives in shequlab.grading."""

from __future__ import annotations

import contextlib
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from shequlab.autograder.status import label

grade_app = typer.Typer(
    help="Trainer's loop: roster, collect, autograde, feedback, export, report, restore.",
    no_args_is_help=True,
)
roster_app = typer.Typer(help="Trainees (学员名单).", no_args_is_help=True)
grade_app.add_typer(roster_app, name="roster")

COURSE_DIR = typer.Option(None, "--course-dir", help="nbgrader course root (default: grading/).")


# Held while a verb runs, closed when it ends (see _course).
_PRIVATE_WRITES = contextlib.ExitStack()


@grade_app.callback()
def _grade(ctx: typer.Context) -> None:
    ctx.call_on_close(_PRIVATE_WRITES.close)


def _course(course_dir: Path | None):
    """The course (shequlab.layout.course.Course) at --course-dir, default the project's. On a
    cohort course, what the verb writes stays private to the trainers (umask 007 while it runs,
    private parts closed again when it ends: shequlab.permissions).

    A folder that is no course raises CourseConfigError, an expected error (message, exit 1)."""
    from shequlab.layout.course import Course
    from shequlab.permissions import private_writes

    course = Course.load(course_dir)
    _PRIVATE_WRITES.enter_context(private_writes(course.root))
    return course


@grade_app.command("autograde")
def autograde(
    module: str = typer.Argument(..., help="Module id, e.g. onb-01-neighbourhood."),
    workers: int = typer.Option(2, "--workers", "-j", help="Submissions graded in parallel."),
    student: list[str] = typer.Option(None, "--student", "-s", help="Only these trainees."),
    force: bool = typer.Option(False, "--force", help="Grade again what was already graded."),
    isolation: str = typer.Option("auto", help="bwrap, none, or auto (bwrap when available)."),
    course_dir: Path = COURSE_DIR,
) -> None:
    """Autograde every notebook of submitted/<trainee>/MODULE in sandboxed parallel workers;
    print a status table (one line per notebook when the module has several)."""
    from shequlab.autograder.autograde import autograde_module

    console = Console()
    run = autograde_module(
        _course(course_dir), module, students=student or None, workers=workers,
        force=force, isolation=isolation, console=Console(stderr=True),
    )  # fmt: skip
    table = Table(title=f"{module} — {len(run.results)} 份提交 submissions, {run.seconds:.1f} s")
    for column in ("学员 trainee", "状态 status", "得分 score", "说明 notes"):
        table.add_column(column, overflow="fold")
    several = len(run.notebooks) > 1
    for r in run.results:
        table.add_row(
            r.student_id, label(r.status), _score(r), "" if several else "; ".join(r.notes)
        )
        if several:
            for nb, n in r.notebooks.items():
                table.add_row(f"  └ {nb}", label(n.status), _score(n), "; ".join(n.notes))
    console.print(table)
    if run.backup:
        console.print(f"成绩簿已备份 gradebook backed up: {run.backup}")
    console.print(f"隔离 isolation: {run.isolation}")
    if run.interrupted:
        console.print(
            "[yellow]已中断 interrupted[/]: 再次运行同一命令即可继续 / run again to resume"
        )
        raise typer.Exit(130)


def _score(result) -> str:
    return "—" if result.score is None else f"{result.score:g}/{result.max_score:g}"


@grade_app.command("restore")
def restore(
    backup: Path = typer.Argument(None, help="Backup file (default: the latest)."),
    course_dir: Path = COURSE_DIR,
) -> None:
    """Put a gradebook backup back (the current gradebook is backed up first)."""
    from shequlab.autograder.gradebook import restore_gradebook

    restored, saved = restore_gradebook(_course(course_dir), backup)
    typer.echo(f"已恢复 restored: {restored}\n原成绩簿另存为 previous gradebook saved as: {saved}")


@grade_app.command("backups")
def backups(course_dir: Path = COURSE_DIR) -> None:
    """List gradebook backups, oldest first."""
    from shequlab.autograder.gradebook import list_backups

    for path in list_backups(_course(course_dir)):
        typer.echo(str(path))


@roster_app.command("import")
def roster_import(
    file: Path = typer.Argument(
        ..., help="CSV (UTF-8, UTF-8-BOM or GBK) or .xlsx: 学号,姓名,期次,项目"
    ),
    course_dir: Path = COURSE_DIR,
) -> None:
    """Add or update trainees; any bad or duplicate row stops the import (nothing half-imported)."""
    from shequlab.grading.roster import import_roster
    from shequlab.trainees import RosterError

    try:
        trainees = import_roster(_course(course_dir), file, _programs())
    except RosterError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"已导入 imported {len(trainees)} 名学员 trainees")


def _programs() -> set[str] | None:
    from shequlab.curriculum import CurriculumError, load_curriculum

    try:
        return {p.id for p in load_curriculum().programs}
    except CurriculumError:
        return None


@grade_app.command("collect")
def collect(
    module: str = typer.Argument(..., help="Module id."),
    zip_file: Path = typer.Option(None, "--zip", help="A zip of notebooks gathered offline."),
    course_dir: Path = COURSE_DIR,
) -> None:
    """Collect submissions from the nbgrader exchange, or from --zip (files matched to trainees)."""
    from shequlab.grading.collect import collect_exchange, collect_zip

    cd = _course(course_dir)
    result = collect_zip(cd, module, zip_file) if zip_file else collect_exchange(cd, module)
    for entry, student in result.matched.items():
        typer.echo(f"  {student} ← {entry}")
    if result.unmatched:
        typer.echo(
            f"未匹配 unmatched ({len(result.unmatched)}), kept in submitted-unmatched/{module}/:"
        )
        for line in result.unmatched:
            typer.echo(f"  {line}")
    typer.echo(result.log or f"已收取 collected {len(result.matched)}")


@grade_app.command("feedback")
def feedback(
    module: str = typer.Argument(..., help="Module id."),
    student: str = typer.Option(None, "--student", "-s", help="Only this trainee."),
    release: bool = typer.Option(
        True, "--release/--no-release", help="Also put it in the exchange for Fetch Feedback."
    ),
    course_dir: Path = COURSE_DIR,
) -> None:
    """HTML feedback per trainee in feedback/<trainee>/MODULE/ (hidden tests never shown)."""
    from shequlab.grading.feedback import generate_feedback, release_feedback

    course = _course(course_dir)
    result = generate_feedback(course, module, student)
    typer.echo(f"已生成反馈 feedback written for {len(result.pages)} trainees")
    for sid, why in sorted(result.failed.items()):
        typer.echo(f"  {sid}: 未生成反馈 no feedback — {why}", err=True)
    if release and result.pages:
        release_feedback(course, module, sorted(result.pages))
        typer.echo("已发布到交换目录 released to the exchange (学员可点 Fetch Feedback 获取)")
    if result.failed:
        typer.echo(
            f"{len(result.failed)} 名学员未生成反馈，请先解决上述问题（如重新 autograde）/ "
            f"{len(result.failed)} trainees got no feedback; fix the above (e.g. autograde again)",
            err=True,
        )
        raise typer.Exit(1)


@grade_app.command("export")
def export(
    out: Path = typer.Option(
        None, "--out", help="Folder for the CSV files (default: <course>/exports)."
    ),
    course_dir: Path = COURSE_DIR,
) -> None:
    """grades.csv (nbgrader's columns) and competencies.csv (per trainee and competency)."""
    from shequlab.grading.export import export_all

    for path in export_all(_course(course_dir), out):
        typer.echo(str(path))


@grade_app.command("report")
def report(
    program: str = typer.Option(None, "--program", "-p", help="Only trainees of this program."),
    out: Path = typer.Option(
        None, "--out", help="HTML file to write (default: <course>/report.html)."
    ),
    course_dir: Path = COURSE_DIR,
) -> None:
    """A self-contained HTML cohort report: scores, item analysis, competencies, missing work."""
    from shequlab.grading.report import ReportError, write_report

    try:
        typer.echo(str(write_report(_course(course_dir), out, program=program)))
    except ReportError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
