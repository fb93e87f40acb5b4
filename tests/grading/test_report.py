"""Item analysis on a simulated cohort with a known hard and a known non-discriminating exercise,
checked against numpy; the report in the trainer's words, looked at in Chromium."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from nbgrader.api import Gradebook

from shequlab.autograder.autograde import autograde_module
from shequlab.autograder.sandbox import Limits
from shequlab.grading.export import export_all
from shequlab.grading.feedback import hidden_test_lines, leaks
from shequlab.grading.items import analyse_module, cell_failure, course_directory
from shequlab.grading.report import ReportError, write_report
from shequlab.grading.roster import import_roster
from shequlab.rehearsal.simulate import build_single_module_root, write_answer_plan, wrong_answers
from tests.browser.conftest import ARTIFACTS, DOCS_IMAGES, ROOT
from tests.grading.conftest import MODULE

pytestmark = pytest.mark.slow

N = 20  # trainee t00 is the weakest, t19 the strongest
POINTS = {"areas": 1, "area_count": 1, "total_residents": 1, "largest_area": 2, "oldest_area": 2,
          "median_leader_age": 1, "housing_counts": 2, "elevator_share": 2, "walkups": 2,
          "walkup_elderly": 1}  # fmt: skip
# Trainee of rank i answers an ordinary exercise right when i >= its threshold (stronger trainees
# get more right: these exercises discriminate).
THRESHOLD = {"area_count": 3, "total_residents": 6, "largest_area": 9, "median_leader_age": 5,
             "elevator_share": 12, "walkup_elderly": 2}  # fmt: skip
HARD = "oldest_area"  # only the 4 strongest get it right: 20 % full marks
NOISE = "housing_counts"  # right for every other trainee, whatever their rank
REFLECTION = "reflection_first_visit"
NAMES = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十", "郑一", "冯二"]


def right(grade_id: str, i: int) -> bool:
    if grade_id == HARD:
        return i >= 16
    if grade_id == NOISE:
        return i % 2 == 0
    return i >= THRESHOLD.get(grade_id, 0)


def student(i: int) -> str:
    return f"t{i:02d}"


@pytest.fixture(scope="module")
def item_cohort(tmp_path_factory):
    """(root, course dir): 20 trainees of onb-01 autograded, roster imported, reflections
    not graded."""
    base = tmp_path_factory.mktemp("items")
    root = build_single_module_root(base / "root", MODULE)
    course = root / "grading"
    wrong = {}
    for entry in wrong_answers(root, MODULE):
        wrong.setdefault(entry["grade_id"], []).append(entry["code"])
    plan = {}
    for i in range(N):
        answers = {g: wrong[g][0] for g in THRESHOLD if not right(g, i)}
        if not right(NOISE, i):
            answers[NOISE] = wrong[NOISE][0]
        if not right(HARD, i):  # two misconceptions: counts instead of shares (10), ×100 (6)
            answers[HARD] = wrong[HARD][0] if i < 10 else wrong[HARD][1]
        plan[student(i)] = answers
    write_answer_plan(course, MODULE, root, plan)
    roster = "学号,姓名,期次,项目\n" + "".join(
        f"{student(i)},{NAMES[i % 10]},2026春,onboarding\n" for i in range(N)
    )
    (base / "roster.csv").write_text(roster, encoding="utf-8")
    import_roster(course, base / "roster.csv")
    autograde_module(course, MODULE, workers=2, limits=Limits(notebook_seconds=30))
    return root, course


def expected_scores() -> dict[str, np.ndarray]:
    """Each exercise's scores by rank, from the plan alone (right: full points, wrong: 0)."""
    return {g: np.array([p if right(g, i) else 0.0 for i in range(N)]) for g, p in POINTS.items()}


def gradebook_scores(course: Path) -> dict[str, np.ndarray]:
    with Gradebook(course_directory(course).db_url) as gb:
        return {g: np.array([gb.find_grade(g, "exercises", MODULE, student(i)).score
                             for i in range(N)]) for g in POINTS}  # fmt: skip


def items_by_id(course: Path) -> dict:
    coursedir = course_directory(course)
    with Gradebook(coursedir.db_url) as gb:
        items = analyse_module(gb, coursedir, MODULE, [student(i) for i in range(N)])
    return {i.grade_id: i for i in items}


def report_row(page: str, grade_id: str) -> str:
    match = re.search(rf"<tr><td>练习 \d+ · <code>{grade_id}</code>.*?</tr>", page)
    assert match, f"no item row for {grade_id}"
    return match.group(0)


def test_item_statistics_match_an_independent_computation(item_cohort) -> None:
    _, course = item_cohort
    expected = expected_scores()
    actual = gradebook_scores(course)
    for g in POINTS:  # the autograder scored exactly what the plan says
        assert actual[g].tolist() == expected[g].tolist(), g
    total = sum(expected.values())
    items = items_by_id(course)
    for g, x in expected.items():
        item = items[g]
        assert item.full == int((x == POINTS[g]).sum()), g
        if x.std() == 0:
            assert item.discrimination is None, g
        else:  # item–rest correlation: the reflection, graded for nobody, is not in the rest
            r = np.corrcoef(x, total - x)[0, 1]
            assert item.discrimination == pytest.approx(r, abs=1e-9), g
    assert items[HARD].full_share == 0.2 and items[HARD].too_hard
    assert not items[HARD].low_discrimination  # hard, but the strong trainees get it
    assert items[NOISE].full_share == 0.5 and not items[NOISE].too_hard
    assert items[NOISE].discrimination < 0.2 and items[NOISE].low_discrimination
    for g in THRESHOLD:
        assert not items[g].too_hard and not items[g].low_discrimination, g
    reflection = items[REFLECTION]
    assert reflection.manual and reflection.graded == 0 and reflection.ungraded == N


def test_failing_messages_are_counted_per_misconception(item_cohort) -> None:
    _, course = item_cohort
    items = items_by_id(course)
    assert sorted(m.count for m in items[HARD].messages) == [6, 10]
    assert len({m.text for m in items[HARD].messages}) == 2
    assert [m.count for m in items[NOISE].messages] == [10]
    assert items["areas"].messages == []


def test_report_flags_and_numbers(item_cohort, tmp_path: Path) -> None:
    root, course = item_cohort
    page = write_report(course, tmp_path / "report.html", root=root).read_text(encoding="utf-8")
    hard = report_row(page, HARD)
    assert "4/20（20%）" in hard and "太难" in hard and "区分度低" not in hard
    assert re.search(r"\b10× ", hard) and re.search(r"\b6× ", hard)
    noise = report_row(page, NOISE)
    assert "10/20（50%）" in noise and "区分度低" in noise and "太难" not in noise
    x = expected_scores()[NOISE]
    r = np.corrcoef(x, sum(expected_scores().values()) - x)[0, 1]
    assert r < 0 and f"<td class='num'>{r:.2f}</td>" in noise and "为负" in noise
    assert "未评" in report_row(page, REFLECTION)
    assert "t03 赵六" in page  # roster name beside the id
    assert "描述与比较" in page and ">describing_comparing<" not in page
    hidden = hidden_test_lines(course / "source" / MODULE / "exercises.ipynb")
    assert hidden and not leaks(page, hidden)


def test_partly_graded_reflection(item_cohort, tmp_path: Path) -> None:
    """Graded for 12 trainees: its statistics over those 12; the others' rest leaves it out."""
    root, course = item_cohort
    before = items_by_id(course)
    graded = {student(i): (4.0 if i >= 6 else 2.0) for i in range(12)}
    with Gradebook(course_directory(course).db_url) as gb:
        for sid, score in graded.items():
            grade = gb.find_grade(REFLECTION, "exercises", MODULE, sid)
            grade.manual_score, grade.needs_manual_grade = score, False
        gb.db.commit()
    try:
        after = items_by_id(course)
        reflection = after[REFLECTION]
        assert (reflection.graded, reflection.ungraded, reflection.full) == (12, 8, 6)
        x = np.array(list(graded.values()))
        rest = sum(expected_scores().values())[:12]
        assert reflection.discrimination == pytest.approx(np.corrcoef(x, rest)[0, 1], abs=1e-9)
        assert after[NOISE].discrimination == before[NOISE].discrimination
        page = write_report(course, tmp_path / "r.html", root=root).read_text(encoding="utf-8")
        assert "6/12（50%）" in report_row(page, REFLECTION) and "8 人未评" in page
        _, comps = export_all(course, tmp_path / "exports", root=root)
        rows = list(csv.DictReader(comps.read_text(encoding="utf-8-sig").splitlines()))
        gov = {r["student_id"]: r for r in rows if r["competency"] == "governance_knowledge"}
        assert (gov["t11"]["ungraded"], gov["t11"]["percent"]) == ("0", "100")
        assert (gov["t00"]["ungraded"], gov["t00"]["percent"]) == ("0", "50")
        assert (gov["t12"]["ungraded"], gov["t12"]["percent"]) == ("4", "")  # not a red 0 %
    finally:
        with Gradebook(course_directory(course).db_url) as gb:
            for sid in graded:
                grade = gb.find_grade(REFLECTION, "exercises", MODULE, sid)
                grade.manual_score, grade.needs_manual_grade = None, True
            gb.db.commit()


def test_report_in_chromium(item_cohort, browser, tmp_path: Path, request) -> None:
    """What the trainer sees: Chinese competency names, grey 未评 cells, whole-point histograms."""
    root, course = item_cohort
    report = write_report(course, tmp_path / "report.html", root=root)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(report.as_uri(), timeout=30_000)
        heads = page.locator("table.heat th").all_inner_texts()
        assert any(h.startswith("描述与比较") for h in heads), heads
        assert not any("describing_comparing" in h for h in heads), heads
        ungraded = page.locator("table.heat td.ungraded")
        # governance_knowledge and visualising_communicating: only the reflection assesses them
        assert ungraded.count() == 2 * N
        assert ungraded.first.inner_text().startswith("未评")
        grey = ungraded.first.evaluate("e => getComputedStyle(e).backgroundColor")
        assert grey == "rgb(228, 228, 228)"
        assert page.locator("table.heat td", has_text="t03 赵六").count() == 1
        bars = page.locator("svg rect").count()
        assert bars == 19 + 1  # 0 … 19 points (15 auto + 4 reflection), one bar per point
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "cohort-report.png"), full_page=True)
        if request.config.getoption("--update-goldens"):  # the trainer guide's pictures
            page.locator("table.items").screenshot(path=str(DOCS_IMAGES / "report-items.png"))
            page.locator("table.heat").screenshot(path=str(DOCS_IMAGES / "report-heat-map.png"))
    finally:
        page.close()


def test_report_before_any_grading_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"no nbgrader_config\.py"):
        write_report(tmp_path, tmp_path / "r.html")
    shutil.copyfile(ROOT / "grading" / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    with pytest.raises(ReportError, match="import the roster and autograde first"):
        write_report(tmp_path, tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()


def test_failing_message_of_a_check_box_is_the_misconception() -> None:
    """A check helper's box that expands its one-line error gives the message; a passed box
    before a failing hidden test does not; tracebacks are never read."""
    from shequlab.checks.render import failed_bundle, passed_bundle, title

    zh, en = title(3, "on_time_rate", False)
    one_line = f"{zh} / {en}"

    def failed(problem: tuple[str, str]) -> list[dict]:
        box = failed_bundle(3, "on_time_rate", problem, ("提示", "hint"), "detail: 0.53")
        return [{"output_type": "display_data", "data": box, "metadata": {}},
                {"output_type": "error", "ename": "CheckFailed", "evalue": one_line,
                 "traceback": ["assert hidden_secret == 1"]}]  # fmt: skip

    message = cell_failure(failed(("用了件数 counts", "Uses counts")))
    assert message.startswith("用了件数 counts\nUses counts") and "提示" in message
    assert "0.53" not in message and "hidden_secret" not in message
    assert cell_failure(failed(("其他 other", "Other"))) != message
    hidden = [{"output_type": "display_data", "data": passed_bundle(3, "x"), "metadata": {}},
              {"output_type": "error", "ename": "AssertionError", "evalue": "",
               "traceback": ["assert hidden_secret == 1"]}]  # fmt: skip
    assert cell_failure(hidden) == "AssertionError（无说明 / no message）"
    assert cell_failure([{"output_type": "stream", "name": "stdout", "text": "hi"}]) is None
