"""A trainee's path through the real JupyterLab that `make start` serves, driven in Chromium.

Fetch a module in the Assignments tab, answer in exercises.ipynb, Validate, Submit; the trainer
(the same user here, through nbgrader's API) collects, autogrades and releases feedback; the
trainee fetches the feedback and opens it. Every step leaves a screenshot in test-artifacts/lab/;
with SHEQULAB_UPDATE_SCREENSHOTS=1 they also replace docs/images/trainee-*.png, the pictures in
docs/trainee-guide.md. (tests/course/test_trainee_path.py covers the same path without a browser.)
"""

from __future__ import annotations

import re
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from lab.make_start import (
    ROOT,
    free_port,
    make_env,
    spawn_make_start,
    stop_group,
    tail,
    wait_until_lab_serves,
)
from lab.screenshots import Screenshots
from shequlab.autograder.nbgrader import nbgrader_api, quiet_gradebook, run
from shequlab.curriculum import load_curriculum

pytestmark = [
    pytest.mark.server,
    pytest.mark.slow,
    # nbgrader 0.9.6's NbGraderAPI.release_feedback misspells a keyword ("authentictor").
    pytest.mark.filterwarnings(
        "ignore:Passing unrecognized arguments to super\\(ExchangeReleaseFeedback\\)"
        ":DeprecationWarning"
    ),
]

MODULE = "onb-02-hotline"  # its test cells use shequlab.checks (✔ / ✘ boxes)
TYPED_ANSWER = "order_count_answer"  # typed in the browser; the others are written to the file
WRONG_ANSWER = "order_count = orders.size"  # from wrong_answers.yml: cells, not rows
WRONG_ANSWER_NAMED = "用 .size，得到的是单元格总数"  # the box names that recorded misconception
REFLECTION = "群租工单按时办结率最低，建议联合上门、楼组长早发现。/ Joint visits for group renting."
MARKERS = {"### BEGIN SOLUTION", "### END SOLUTION"}
UI_TIMEOUT_MS = 30_000
RUN_TIMEOUT_MS = 120_000  # running or validating the whole notebook in a fresh kernel


def solutions(source: Path) -> dict[str, str]:
    """grade_id → the answer a trainee who gets everything right would write (from the source)."""
    nb = nbformat.read(source, as_version=4)
    answers = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            lines = [line for line in cell.source.splitlines() if line.strip() not in MARKERS]
            answers[meta["grade_id"]] = "\n".join(lines)
        elif meta.get("solution"):
            answers[meta["grade_id"]] = REFLECTION
    return answers


def cell_index(notebook: Path, grade_id: str) -> int:
    """Position of the cell with this nbgrader grade_id (= its position in the browser)."""
    cells = nbformat.read(notebook, as_version=4).cells
    ids = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in cells]
    return ids.index(grade_id)


def write_answers(notebook: Path, answers: dict[str, str]) -> None:
    """Fill in every answer but the one typed (and saved) in the browser, which must be there."""
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id == TYPED_ANSWER:
            assert cell.source == answers[TYPED_ANSWER], "the typed answer was not saved"
        elif grade_id in answers:
            cell.source = answers[grade_id]
    nbformat.write(nb, notebook)


def grade_as_trainer(course: Path, exchange: Path) -> float:
    """collect → autograde → mark the written answers by rubric → feedback, on a copy of grading/.

    The written answers get the rubric's second level, with its wording as the comment, as a
    trainer marking in the formgrader would; returns the total score in the feedback.
    """
    api = nbgrader_api(course, Exchange={"root": str(exchange)})
    run(api.collect(MODULE), "collect")
    [student] = [p.name for p in (course / "submitted").iterdir()]
    with quiet_gradebook():
        run(api.autograde(MODULE, student), "autograde")
    [module] = load_curriculum(ROOT).modules(module=MODULE)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        for exercise in (e for e in module.exercises if e.kind == "manual"):
            level = exercise.rubric[1]
            gradebook.find_grade(
                exercise.grade_id, "exercises", MODULE, student
            ).manual_score = level.points
            comment = gradebook.find_comment(exercise.grade_id, "exercises", MODULE, student)
            comment.manual_comment = f"{level.zh}\n\n{level.en}"
        gradebook.db.commit()
        submission = gradebook.find_submission(MODULE, student)
        assert submission.code_score == submission.max_code_score, "the answers should score full"
        score = submission.score
    run(api.generate_feedback(MODULE, student), "generate_feedback")
    run(api.release_feedback(MODULE, student), "release_feedback")
    return score


def wait_for_file(folder: Path, pattern: str, timeout_s: float = 30) -> Path:
    """The one file matching `pattern` under `folder`, once it exists."""
    deadline = time.monotonic() + timeout_s
    while not (found := sorted(folder.glob(pattern))):
        assert time.monotonic() < deadline, f"no {pattern} in {folder} after {timeout_s:.0f}s"
        time.sleep(0.2)
    [path] = found
    return path


def copy_course(target: Path) -> Path:
    """The built course as make start left it, so grading does not touch the real gradebook."""
    grading = ROOT / "grading"
    target.mkdir()
    for name in ("nbgrader_config.py", "gradebook.db"):
        shutil.copy2(grading / name, target / name)
    for folder in ("source", "release"):
        shutil.copytree(grading / folder / MODULE, target / folder / MODULE)
    return target


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[dict]:
    """`make start` with a private HOME, exchange and trainee folder; stopped afterwards."""
    port, token = free_port(), secrets.token_hex(16)
    trainee = ROOT / "test-artifacts" / "lab" / "trainee"  # must be under the server root
    shutil.rmtree(trainee, ignore_errors=True)
    home = tmp_path / "home"
    home.mkdir()
    env = make_env(tmp_path, HOME=str(home), SHEQULAB_TRAINEE_DIR=str(trainee))
    log = tmp_path / "make-start.log"
    proc = spawn_make_start(port, token, log, env)
    try:
        url = f"http://127.0.0.1:{port}/lab?token={token}"
        wait_until_lab_serves(proc, url, log)
        yield {"url": url, "trainee": trainee, "exchange": Path(env["SHEQULAB_EXCHANGE"])}
    finally:
        stop_group(proc)
        print(tail(log, 60))  # shown by pytest when the test fails


@pytest.fixture
def page(browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        context.set_default_timeout(UI_TIMEOUT_MS)
        expect.set_options(timeout=UI_TIMEOUT_MS)
        yield context.new_page()
    finally:
        context.close()


def open_assignments_tab(page: Page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
    expect(page.locator("#released_assignments_list_loading")).to_be_hidden()


def fetched_row(page: Page):
    return page.locator("#fetched_assignments_list > .list_item", has_text=MODULE)


def submitted_row(page: Page):
    return page.locator("#submitted_assignments_list > .list_item", has_text=MODULE)


def open_folder(page: Page, relative: Path) -> None:
    """Walk the file browser from the root into `relative`, one double-click per folder.

    The listing is redrawn whenever files change (this test writes screenshots under the root),
    and the Assignments tab may still be moving the file browser when the walk starts: a walk
    that ends anywhere else starts again from the root.
    """
    crumbs = page.locator(".jp-BreadCrumbs")
    for attempt in range(5):
        try:
            page.locator(".jp-BreadCrumbs-home").click()
            expect(crumbs).to_have_text(re.compile(r"^\s*/\s*$"), timeout=10_000)
            for part in relative.parts:
                name = re.compile(rf"^{re.escape(part)}$")
                page.locator(".jp-DirListing-itemText", has_text=name).dblclick(timeout=10_000)
                expect(crumbs).to_contain_text(part, timeout=10_000)
            return
        except (PlaywrightTimeoutError, AssertionError):
            if attempt == 4:
                raise


def run_all_cells(page: Page, test_cell: Locator) -> None:
    """运行 → 运行所有单元格; wait until the test cell has run again and the kernel is idle."""
    prompt = test_cell.locator(".jp-InputPrompt")
    before = prompt.inner_text()
    page.locator(".lm-MenuBar-itemLabel", has_text="运行").click()
    page.locator(".lm-Menu-itemLabel").get_by_text("运行所有单元格", exact=True).click()
    expect(prompt).not_to_have_text(before, timeout=RUN_TIMEOUT_MS)
    expect(prompt).to_have_text(re.compile(r"\[\d+\]"), timeout=RUN_TIMEOUT_MS)
    busy = page.locator(".jp-Notebook .jp-InputPrompt", has_text="[*]")
    expect(busy).to_have_count(0, timeout=RUN_TIMEOUT_MS)


def type_answer(page: Page, answer_cell: Locator, code: str) -> None:
    """Replace the whole answer cell with `code`, as typed (pasted) by the trainee.

    Ctrl+A pressed before the editor has focus selects nothing and the text is inserted beside
    the old one (seen in CI under load): wait for the focus, and select and insert again if the
    cell does not read exactly `code`.
    """
    editor = answer_cell.locator(".cm-editor")
    content = answer_cell.locator(".cm-content")
    for attempt in range(3):
        content.click()
        expect(editor).to_have_class(re.compile(r"\bcm-focused\b"))
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(code)
        try:
            expect(content).to_have_text(code.replace("\n", ""), timeout=5_000)
            return
        except AssertionError:
            if attempt == 2:
                raise


def show_from(page: Page, cell: Locator) -> None:
    """Select `cell` (command mode), scroll it to the top, wait for it and the kernel to settle."""
    page.keyboard.press("Escape")
    cell.click(position={"x": 40, "y": 10})  # the prompt area (x=5 would fold the cell)
    cell.evaluate("cell => cell.scrollIntoView({block: 'start'})")
    expect(cell.locator(".jp-RenderedMarkdown")).to_be_visible()
    page.mouse.move(640, 790)  # over the status bar: no hover marks in the screenshot
    expect(page.locator("#jp-main-statusbar")).to_contain_text("空闲")  # kernel idle


def open_exercises(page: Page) -> None:
    """Open exercises.ipynb from the Assignments tab (the module's notebook list is expanded)."""
    fetched_row(page).locator(".nested_list_item a", has_text="exercises").click()
    expect(page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell").first).to_be_visible()


def save_and_close(page: Page) -> None:
    """Ctrl+S, then close the notebook's tab (no unsaved-changes dialog once it is saved)."""
    tab = page.locator(".lm-TabBar-tab", has_text="exercises.ipynb")
    page.keyboard.press("Control+s")
    expect(tab).not_to_have_class(re.compile(r"jp-mod-dirty"))
    tab.locator(".lm-TabBar-tabCloseIcon").click()
    expect(tab).to_have_count(0)


def test_trainee_fetches_answers_validates_submits_and_reads_feedback(
    lab: dict, page: Page, tmp_path: Path
) -> None:
    shots = Screenshots.from_env()
    folder = lab["trainee"] / MODULE

    # 1. JupyterLab in Chinese; the Nbgrader menu opens the Assignments tab.
    page.goto(lab["url"])
    expect(page.locator(".jp-Launcher")).to_be_visible()
    expect(page.locator(".lm-MenuBar-itemLabel", has_text="文件")).to_be_visible()
    shots.take(page, "01-lab")
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    expect(page.locator(".lm-Menu-itemLabel", has_text="Assignment List")).to_be_visible()
    shots.take(page, "02-menu")
    page.keyboard.press("Escape")

    # 2. The released module, fetched into the trainee's folder.
    open_assignments_tab(page)
    released = page.locator("#released_assignments_list > .list_item", has_text=MODULE)
    expect(released).to_be_visible()
    shots.take(page, "03-assignments")
    released.get_by_role("button", name="Fetch").click()
    expect(fetched_row(page)).to_be_visible()
    assert {"case.ipynb", "exercises.ipynb", "data"} <= {p.name for p in folder.iterdir()}
    fetched_row(page).locator("a.assignment-notebooks-link").click()
    expect(fetched_row(page).locator(".nested_list_item a", has_text="exercises")).to_be_visible()
    open_folder(page, folder.relative_to(ROOT))
    shots.take(page, "04-fetched")

    # 3. Answer the first exercise in the browser: a typical mistake first, which its visible
    #    test catches with a bilingual message, then the right answer. The other exercises are
    #    then filled in on disk (as if answered the same way) and everything runs and passes.
    answers = solutions(ROOT / "grading" / "source" / MODULE / "exercises.ipynb")
    typed = cell_index(folder / "exercises.ipynb", TYPED_ANSWER)
    open_exercises(page)
    cells = page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell")
    question, answer_cell, test_cell = cells.nth(typed - 1), cells.nth(typed), cells.nth(typed + 1)
    expect(answer_cell).to_contain_text("raise NotImplementedError()")
    show_from(page, question)
    shots.take(page, "05-stub")
    type_answer(page, answer_cell, WRONG_ANSWER)
    run_all_cells(page, test_cell)
    failed = test_cell.locator(".jp-OutputArea-output")
    expect(failed.first).to_contain_text("✘ 练习 1")  # the bilingual box, not a traceback
    expect(failed.first).to_contain_text(WRONG_ANSWER_NAMED)
    expect(failed.last).to_contain_text("CheckFailed")  # the one-line error nbgrader grades by
    expect(test_cell).not_to_contain_text("Traceback")
    show_from(page, question)
    shots.take(page, "06-test-fails")
    type_answer(page, answer_cell, answers[TYPED_ANSWER])
    save_and_close(page)
    write_answers(folder / "exercises.ipynb", answers)
    page.locator(".lm-TabBar-tab", has_text="Assignments").click()
    open_exercises(page)
    run_all_cells(page, test_cell)
    passed = test_cell.locator(".jp-OutputArea-output")
    expect(passed).to_have_count(1)
    expect(passed).to_contain_text("✔ 练习 1 通过检查")
    show_from(page, question)
    shots.take(page, "07-answer")

    # 4. Validate (saves, then runs every test the trainee can see).
    page.locator(".jp-NotebookPanel:visible .jp-Toolbar").get_by_text("Validate").click()
    dialog = page.locator(".jp-Dialog")
    success = "Success! Your notebook passes all the tests."
    expect(dialog).to_contain_text(success, timeout=RUN_TIMEOUT_MS)
    shots.take(page, "08-validated")
    dialog.get_by_role("button").last.click()
    expect(dialog).to_have_count(0)

    # 5. Submit: the submission lands in the exchange's inbound folder.
    page.locator(".lm-TabBar-tab", has_text="Assignments").click()
    fetched_row(page).get_by_role("button", name="Submit").click()
    expect(submitted_row(page)).to_be_visible()
    inbound = list((lab["exchange"] / "shequlab" / "inbound").glob(f"*+{MODULE}+*"))
    assert len(inbound) == 1, inbound
    submitted = nbformat.read(inbound[0] / "exercises.ipynb", as_version=4)
    assert answers[TYPED_ANSWER] in [cell.source for cell in submitted.cells]
    shots.take(page, "09-submitted")

    # 6. The trainer grades and returns feedback (CLI/API; the same user on one machine).
    score = grade_as_trainer(copy_course(tmp_path / "course"), lab["exchange"])

    # 7. Fetch the feedback and open it from the file browser. (The Assignments tab offers no
    #    "(view feedback)" link for our modules: nbgrader shows it only when every submitted
    #    notebook has feedback, and case.ipynb, submitted too, is never graded.)
    submitted_row(page).get_by_role("button", name="Fetch Feedback").click()
    html = wait_for_file(folder, "feedback/*/exercises.html")
    expect(submitted_row(page).get_by_role("button", name="Fetch Feedback")).to_be_enabled()
    open_folder(page, html.parent.relative_to(ROOT))
    shots.take(page, "10-feedback-fetched")
    page.locator(".jp-DirListing-itemText", has_text="exercises.html").dblclick()
    frame = page.frame_locator(".jp-HTMLViewer:visible iframe")
    expect(frame.locator("body")).to_contain_text(f"Score: {score:.1f}")
    shots.take(page, "11-feedback")
    frame.get_by_role("link", name="Comment").click()  # the trainer's comment on the reflection
    expect(frame.locator(".panel-footer", has_text="Comments:").last).to_be_in_viewport()
    shots.take(page, "12-feedback-comment")
    assert "HIDDEN TESTS" not in html.read_text(encoding="utf-8")
    shots.publish()  # docs/images/, only with SHEQULAB_UPDATE_SCREENSHOTS=1
