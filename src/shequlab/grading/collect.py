"""`shequlab grade collect`: submissions from the nbgrader exchange, or from an offline zip."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from shequlab.autograder.nbgrader import nbgrader_api, run
from shequlab.grading.roster import load_roster
from shequlab.layout.course import Course, as_course


@dataclass
class Collected:
    matched: dict[str, str] = field(default_factory=dict)  # zip entry -> trainee id
    unmatched: list[str] = field(default_factory=list)  # entries kept in unmatched/, with reasons
    log: str = ""


def collect_exchange(course_dir: Course | Path, module: str) -> Collected:
    """nbgrader collect from the exchange (latest submission of every trainee)."""
    api = nbgrader_api(as_course(course_dir).root)
    return Collected(log=run(api.collect(module, update=True), "collect"))


def match_trainee(entry: str, ids: list[str], names: dict[str, str]) -> tuple[str | None, str]:
    """Which trainee a file in the zip belongs to: an id or a (unique) name in its path."""
    tokens = set(re.split(r"[\\/_\-\s.()（）]+", entry))
    by_id = [i for i in ids if i in tokens or i.lower() in {t.lower() for t in tokens}]
    if len(by_id) == 1:
        return by_id[0], ""
    if len(by_id) > 1:
        return None, f"matches several ids: {', '.join(by_id)}"
    by_name = [i for i, n in names.items() if n and n in entry]
    if len(by_name) == 1:
        return by_name[0], ""
    if len(by_name) > 1:
        return None, f"name shared by {', '.join(by_name)}"
    return None, "no trainee id or name in the file name"


def which_notebook(entry: str, notebooks: list[str]) -> str | None:
    """The graded notebook a zip entry is: the only one, or the one its file name names."""
    if len(notebooks) == 1:
        return notebooks[0]
    stem = PurePosixPath(entry).stem
    named = [nb for nb in notebooks if nb in stem]
    return max(named, key=len) if named else None


def collect_zip(course_dir: Course | Path, module: str, zip_path: Path) -> Collected:
    """Put each notebook of the zip into submitted/<id>/<module>/<notebook>.ipynb; keep the rest
    (unmatched, ambiguous, a second file for the same trainee and notebook) in
    submitted-unmatched/<module>/."""
    course = as_course(course_dir)
    notebooks = course.graded_notebooks(module)
    roster = load_roster(course)
    ids = sorted(roster)
    names = {i: t.name for i, t in roster.items()}
    result = Collected()
    unmatched_dir = course.unmatched(module)
    taken: set[tuple[str, str]] = set()
    with zipfile.ZipFile(zip_path) as zf:
        entries = [i for i in zf.infolist() if not i.is_dir() and i.filename.endswith(".ipynb")
                   and "__MACOSX" not in i.filename
                   and ".ipynb_checkpoints" not in i.filename]  # fmt: skip
        for info in entries:
            name = _decode_name(info)
            student, reason = match_trainee(name, ids, names)
            notebook = which_notebook(name, notebooks)
            if student and notebook is None:
                student, reason = None, f"not one of {', '.join(notebooks)}"
            if student and (student, notebook) in taken:
                student, reason = None, f"second notebook for {student}"
            data = zf.read(info)
            if student is None:
                unmatched_dir.mkdir(parents=True, exist_ok=True)
                (unmatched_dir / PurePosixPath(name).name).write_bytes(data)
                result.unmatched.append(f"{name}: {reason}")
                continue
            taken.add((student, notebook))
            folder = course.submitted(student, module)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{notebook}.ipynb").write_bytes(data)
            stamp = dt.datetime(*info.date_time, tzinfo=dt.UTC)
            (folder / "timestamp.txt").write_text(stamp.strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
            result.matched[name] = student
    return result


def _decode_name(info: zipfile.ZipInfo) -> str:
    """Zip files made on Chinese Windows store names in GBK without saying so."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename
