"""Where the nbgrader course keeps things: nbgrader's CourseDirectory, read from the course's
nbgrader_config.py, is the one source of every course path, notebook id and the gradebook URL.

Every command that touches the course asks a Course; nothing joins `grading/...` by hand, so a
course with another layout (`directory_structure`, `db_url`, `notebook_id`, ...) just works.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import re
from dataclasses import dataclass
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config, PyFileConfigLoader

from shequlab.errors import ExpectedError
from shequlab.layout.project import Project

CONFIG_FILE = "nbgrader_config.py"
# Ours, beside nbgrader's steps in the course root:
ROSTER_FILE = "roster.csv"  # cohort and program per trainee (nbgrader's Student has neither)
BACKUPS = "backups"  # gradebook backups (SQLite gradebooks)
PROGRESS = "autograde-progress"  # resume journal per assignment
EXPORTS = "exports"  # `grade export` CSV files
REPORT_FILE = "report.html"  # `grade report`
UNMATCHED = "submitted-unmatched"  # zip entries `grade collect` could not match


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL (gradebook, workshop store), else None (a server)."""
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


class CourseConfigError(ExpectedError):
    """The folder is not an nbgrader course (no nbgrader_config.py)."""


def course_root(root: Path | None = None) -> Path:
    """The nbgrader course root (grading/) of the project at `root` (default: this project)."""
    return Project.at(root).course_dir


def load_course_config(course_dir: Path) -> Config:
    """Read the course's nbgrader_config.py, with the course root pinned to `course_dir`."""
    course_dir = Path(course_dir).resolve()
    if not (course_dir / CONFIG_FILE).is_file():
        raise CourseConfigError(
            f"{course_dir} 不是 nbgrader 课程目录（没有 {CONFIG_FILE}）/ "
            f"{course_dir} is not an nbgrader course (no {CONFIG_FILE}); check --course-dir"
        )
    config = PyFileConfigLoader(CONFIG_FILE, path=str(course_dir)).load_config()
    config.CourseDirectory.root = str(course_dir)
    return config


def as_course(course: Course | Path | str | None) -> Course:
    """`course` itself, or the course loaded from that folder (None: the project's)."""
    return course if isinstance(course, Course) else Course.load(course)


class NotBuiltError(ExpectedError):
    """The assignment has no graded notebook in source/: it was never built."""


@dataclass(frozen=True)
class Course:
    """One nbgrader course: its config and the CourseDirectory built from it."""

    root: Path
    config: Config
    coursedir: CourseDirectory

    @classmethod
    def load(cls, course_dir: Path | str | None = None) -> Course:
        """The course at `course_dir` (default: the project's grading/), its config loaded."""
        root = Path(course_dir).resolve() if course_dir is not None else course_root()
        config = load_course_config(root)
        return cls(root, config, CourseDirectory(config=config))

    # --- what nbgrader's config says ---
    @property
    def course_id(self) -> str:
        return self.coursedir.course_id

    @property
    def db_url(self) -> str:
        """The gradebook: CourseDirectory.db_url (default sqlite:///<root>/gradebook.db)."""
        return self.coursedir.db_url

    @property
    def sqlite_file(self) -> Path | None:
        """The gradebook's file when it is SQLite, else None (a server database)."""
        return sqlite_file(self.db_url)

    @property
    def exchange_root(self) -> Path:
        """Exchange.root as the course config sets it (nbgrader's default otherwise)."""
        from nbgrader.exchange.abc.exchange import Exchange

        return Path(Exchange(config=self.config).root)

    def path(self, step: str, student: str = ".", assignment: str = ".") -> Path:
        """CourseDirectory.format_path for one step (source, release, submitted, ...)."""
        directory = getattr(self.coursedir, f"{step}_directory")
        return Path(self.coursedir.format_path(directory, student, assignment))

    def source(self, assignment: str) -> Path:
        return self.path("source", ".", assignment)

    def release(self, assignment: str) -> Path:
        return self.path("release", ".", assignment)

    def submitted(self, student: str, assignment: str) -> Path:
        return self.path("submitted", student, assignment)

    def autograded(self, student: str, assignment: str) -> Path:
        return self.path("autograded", student, assignment)

    def feedback(self, student: str, assignment: str) -> Path:
        return self.path("feedback", student, assignment)

    def notebook_ids(self, assignment: str) -> list[str]:
        """The graded notebooks of an assignment: source notebooks matching `notebook_id`,
        as nbgrader's generate_assignment picks them (so they are the gradebook's notebooks)."""
        source = self.source(assignment)
        pattern = f"{self.coursedir.notebook_id}.ipynb"
        return sorted(
            p.stem for p in source.glob("*.ipynb") if fnmatch.fnmatchcase(p.name, pattern)
        )

    def graded_notebooks(self, assignment: str) -> list[str]:
        """notebook_ids(assignment), or NotBuiltError saying how to build it."""
        ids = self.notebook_ids(assignment)
        if not ids:
            source = self.source(assignment)
            raise NotBuiltError(
                f"{assignment} 尚未生成：{source} 中没有要评分的笔记本，请先运行 "
                f"shequlab course build（或 nbgrader generate_assignment {assignment}）/ "
                f"{assignment} is not built: no graded notebook in {source}; run "
                f"`shequlab course build` (or `nbgrader generate_assignment {assignment}`)"
            )
        return ids

    def student_folders(self, step: str, assignment: str) -> dict[str, Path]:
        """student id -> <step>/<student>/<assignment>/ folder, for every student that has one."""
        cd = self.coursedir
        directory = getattr(cd, f"{step}_directory")
        pattern = re.compile(
            cd.format_path(directory, "(?P<student_id>[^/]+)", re.escape(assignment), escape=True)
            + "$"
        )
        found = {}
        for folder in sorted(glob.glob(cd.format_path(directory, "*", assignment))):
            match = pattern.match(folder)
            if match and os.path.isdir(folder):
                found[match.group("student_id")] = Path(folder)
        return found

    def submissions(self, assignment: str) -> dict[str, Path]:
        """student id -> submitted/<student>/<assignment>/ folder, for every submission."""
        return self.student_folders("submitted", assignment)

    # --- ours, kept in the course root ---
    @property
    def roster_file(self) -> Path:
        return self.root / ROSTER_FILE

    @property
    def backups_dir(self) -> Path:
        return self.root / BACKUPS

    def progress_file(self, assignment: str) -> Path:
        return self.root / PROGRESS / f"{assignment}.json"

    @property
    def progress_dir(self) -> Path:
        return self.root / PROGRESS

    @property
    def exports_dir(self) -> Path:
        return self.root / EXPORTS

    @property
    def report_file(self) -> Path:
        return self.root / REPORT_FILE

    def unmatched(self, assignment: str) -> Path:
        return self.root / UNMATCHED / assignment
