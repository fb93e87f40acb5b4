"""`shequlab hub rehearse`: a whole cohort through the real hub on loopback, stage by stage.

The trainer releases a module; N trainees (real OS accounts) log in, their servers spawn, each
fetches, answers (right, blank or one typical wrong answer), validates and submits through its
own server; the trainer collects, autogrades and releases feedback; each trainee fetches it.
The trainer is an OS account that is not root: it releases, collects, grades, returns feedback,
exports and reports with `nbgrader`/`shequlab grade` run from a kernel of its own server.
Checks: the freshly built course is open and `shequlab.permissions.fix` closes it (what
`hub start --fix-permissions` does); every submission arrived exactly once; every grade equals
plain nbgrader's; no trainee, as its OS user or from its kernel, reads the course's private
parts, another's work, the hub's state or the workshop store, while the trainer reads them
(shequlab.rehearsal.isolation); every process started is stopped.
Needs root (it creates and removes the OS accounts, prefixed with a random run tag).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests
from nbgrader.api import Gradebook, MissingEntry

from shequlab.autograder.nbgrader import quiet_gradebook
from shequlab.hub.access import traversable
from shequlab.hub.exchange import prepare_exchange
from shequlab.hub.server import RunningHub, free_port, start_hub
from shequlab.hub.settings import HubSettings
from shequlab.hub.users import create_user, delete_group, delete_user, ensure_group
from shequlab.layout.course import Course
from shequlab.layout.project import Project
from shequlab.permissions import Targets, check, fix
from shequlab.rehearsal.cohort import (
    COURSE_ID,
    NOTEBOOK,
    Trainee,
    TraineeClient,
    answer_variants,
    reference_scores,
)  # fmt: skip
from shequlab.rehearsal.isolation import check_isolation
from shequlab.rehearsal.simulate import build_single_module_root


@dataclass
class RehearsalResult:
    """Timings per stage (seconds), memory per user server (MiB) and the problems found."""

    trainees: int
    module: str
    timings: dict[str, float] = field(default_factory=dict)
    memory_mib: dict[str, float] = field(default_factory=dict)
    grades: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    leftovers: list[int] = field(default_factory=list)  # pids still alive after cleanup

    @property
    def ok(self) -> bool:
        return not self.problems and not self.leftovers

    def table(self) -> str:
        rows = [f"| {stage} | {seconds:.1f} |" for stage, seconds in self.timings.items()]
        return "| stage | seconds |\n|---|---:|\n" + "\n".join(rows)


class Stages:
    """Times each stage and prints it as it ends."""

    def __init__(self, result: RehearsalResult, log: Callable[[str], None]) -> None:
        self.result, self.log = result, log

    @contextlib.contextmanager
    def __call__(self, name: str):
        started = time.perf_counter()
        yield
        self.result.timings[name] = time.perf_counter() - started
        self.log(f"  {name:<22} {self.result.timings[name]:7.1f} s")


def _pool(n: int, fn, items) -> list:
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(fn, items))


def rss_by_uid(uids: set[int]) -> dict[int, int]:
    """Resident memory (bytes) of all processes of each uid, from /proc."""
    totals = dict.fromkeys(uids, 0)
    for pid in pids_of(uids):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        uid = int(next(ln for ln in status.splitlines() if ln.startswith("Uid:")).split()[1])
        rss = [ln for ln in status.splitlines() if ln.startswith("VmRSS:")]
        if rss:
            totals[uid] += int(rss[0].split()[1]) * 1024
    return totals


def pids_of(uids: set[int]) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def kill_uids(uids: set[int]) -> list[int]:
    """SIGKILL the processes of the rehearsal's own accounts; return those still alive."""
    for pid in pids_of(uids):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    return pids_of(uids)


def login(hub_url: str, name: str, password: str) -> bool:
    """The hub's login form (PAM), as a browser posts it; True when the hub lets the user in."""
    session = requests.Session()
    session.get(f"{hub_url}/hub/login", timeout=30)
    r = session.post(f"{hub_url}/hub/login", allow_redirects=False, timeout=60,
                     data={"username": name, "password": password,
                           "_xsrf": session.cookies.get("_xsrf", "")})  # fmt: skip
    return r.status_code == 302 and "jupyterhub-session-id" in session.cookies


def wait_ready(hub: RunningHub, token: str, names: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = set(names)
    while pending and time.monotonic() < deadline:
        users = hub.api("GET", "/users", token, params={"state": "active"}).json()
        ready = {u["name"] for u in users if u.get("servers", {}).get("", {}).get("ready")}
        pending -= ready
        if pending:
            time.sleep(0.5)
    if pending:
        raise RuntimeError(f"servers not ready after {timeout:.0f} s: {sorted(pending)}")


def rehearse(
    trainees: int = 10,
    module: str = "onb-01-neighbourhood",
    program: str = "onboarding",
    workdir: Path | None = None,
    keep: bool = False,
    log: Callable[[str], None] = print,
) -> RehearsalResult:
    """Run the cohort; return timings and problems (raises only when setup itself fails)."""
    if os.geteuid() != 0:
        raise PermissionError("rehearse creates OS accounts: run it as root / 需要 root 权限")
    result = RehearsalResult(trainees, module)
    stage = Stages(result, log)
    tag = "sq" + secrets.token_hex(2)
    work = Path(workdir or tempfile.mkdtemp(prefix="shequlab-hub-"))
    work.mkdir(parents=True, exist_ok=True)
    work.chmod(0o755)
    groups = (f"{tag}-trainees", f"{tag}-trainers")
    people = [Trainee(f"{tag}-t{i:02d}", "", "") for i in range(1, trainees + 1)]
    trainer = Trainee(f"{tag}-trainer", "", "trainer")
    uids: set[int] = set()
    saved_env = os.environ.get("SHEQULAB_EXCHANGE")
    hub = None
    log(f"rehearsal {tag}: {trainees} trainees, module {module}, work folder {work}")
    with contextlib.ExitStack() as cleanup:
        try:
            with stage("build module"):
                root = build_single_module_root(work / "project", module, program)
                course_dir = Project(root).course_dir
                variants = answer_variants(root, module, program)
            with stage("reference grades"):
                expected = reference_scores(course_dir, work, module, variants)
                (work / "reference").chmod(0o700)  # a copy of the course: root's only
            names = list(variants)
            for i, person in enumerate(people):
                person.variant = names[i % len(names)]
            with stage("accounts"):
                for g in groups:
                    ensure_group(g)
                for person in people:
                    person.password = create_user(person.name, groups[0], work / "homes")
                trainer.password = create_user(trainer.name, groups[1], work / "homes")
                uids = {pwd.getpwnam(p.name).pw_uid for p in [*people, trainer]}
            exchange = work / "exchange"
            prepare_exchange(exchange, COURSE_ID, groups[1])
            os.environ["SHEQULAB_EXCHANGE"] = str(exchange)
            admin_token = secrets.token_hex(24)
            settings = HubSettings(
                port=free_port(), api_port=free_port(), proxy_api_port=free_port(),
                state=str(work / "state"), course_dir=str(course_dir), exchange=str(exchange),
                homes=str(work / "homes"), mode="system", trainee_group=groups[0],
                trainer_group=groups[1], admin_token=admin_token,
            )  # fmt: skip
            targets = Targets(course_dir, root, Path(settings.state), workshop_store(root))
            with stage("permissions"):
                # The course as `sudo shequlab course build` leaves it is open: `hub start`
                # refuses it, and `hub start --fix-permissions` closes it (the same functions).
                if not check(targets, groups[1]):
                    result.problems.append("check() found nothing open in a fresh build")
                fix(targets, groups[1])
            cleanup.enter_context(traversable(log=log))
            with stage("hub start"):
                hub = start_hub(settings, work / "hub.log")
                result.problems += [f"open after fix: {p}" for p in check(targets, groups[1])]
            with stage("login"):
                everyone = [*people, trainer]
                logged = _pool(8, lambda p: login(hub.url, p.name, p.password), everyone)
                result.problems += [
                    f"{p.name} could not log in"
                    for p, ok in zip(everyone, logged, strict=True)
                    if not ok
                ]
                if login(hub.url, people[0].name, "wrong-password"):
                    result.problems.append("a wrong password was accepted")
            with stage("spawn"):
                # Concurrently, as a class does: the hub answers a spawn request after up to
                # slow_spawn_timeout (10 s), so one request at a time would serialise them.
                spawned = _pool(16, lambda p: hub.api("POST", f"/users/{p.name}/server",
                                                      admin_token), everyone)  # fmt: skip
                for p, r in zip(everyone, spawned, strict=True):
                    if r.status_code not in (201, 202):
                        raise RuntimeError(f"spawn {p.name}: {r.status_code} {r.text[:300]}")
                wait_ready(hub, admin_token, [p.name for p in everyone], timeout=60 + 8 * trainees)
            idle = rss_by_uid(uids)
            for p in everyone:
                r = hub.api("POST", f"/users/{p.name}/tokens", admin_token,
                            json={"expires_in": 7200, "note": "rehearsal"})  # fmt: skip
                p.token = r.json()["token"]
            clients = [TraineeClient(hub.url, p) for p in people]
            # The trainer (not root) works from its own server, as in its JupyterLab terminal.
            desk = TrainerDesk(TraineeClient(hub.url, trainer), course_dir, result)
            with stage("release"):
                desk.run("nbgrader", "release_assignment", module, "--force")
            with stage("fetch"):
                _pool(8, lambda c: c.action("fetch", module), clients)
            with stage("answer (contents API)"):
                _pool(8, lambda c: c.answer(module, variants[c.trainee.variant]), clients)
            with stage("validate"):
                _pool(2, lambda c: c.validate(module), clients)
            with stage("submit"):
                _pool(8, lambda c: c.action("submit", module), clients)
            with stage("collect"):
                desk.grade("collect", module)
                result.problems += check_arrivals(exchange, course_dir, module, people)
            with stage("autograde"):
                desk.grade("autograde", module, "--workers", "2")
            with stage("feedback"):
                desk.grade("feedback", module)  # generates and releases it
            with stage("fetch feedback"):
                _pool(8, lambda c: c.action("fetch_feedback", module), clients)
                result.problems += [f"{c.trainee.name}: no feedback after fetch_feedback"
                                    for c in clients if not _has_feedback(c, module)]  # fmt: skip
            with stage("export + report"):
                desk.grade("export", "--out", str(course_dir / "exports"))
                desk.grade("report", "--out", str(course_dir / "report.html"))
            with stage("isolation check"):
                result.problems += check_isolation(targets, exchange, module, program, people,
                                                   clients, desk.client, _pool)  # fmt: skip
            scores = gradebook_scores(course_dir, module, [p.name for p in people])
            for p in people:
                result.grades[p.name] = scores[p.name]
                if result.grades[p.name][0] != expected[p.variant]:
                    result.problems.append(
                        f"{p.name} ({p.variant}): graded {result.grades[p.name][0]}, "
                        f"plain nbgrader gives {expected[p.variant]}"
                    )
            with stage("trainer + voila"):
                result.problems += check_trainer_and_voila(hub, trainer, clients[0], module)
            with stage("idle culler"):
                services = hub.api("GET", "/services", admin_token).json()
                culler = services.get("idle-culler", {}) if isinstance(services, dict) else {}
                if not culler.get("pid"):
                    result.problems.append(f"the idle-culler service is not running: {services}")
            mem = [idle[u] / 2**20 for u in uids]
            result.memory_mib = {
                "idle server mean": sum(mem) / len(mem),
                "idle server max": max(mem),
            }
        finally:
            with stage("stop"):
                if hub is not None:
                    hub.stop()
                result.leftovers = kill_uids(uids) if uids else []
                for person in [*people, trainer]:
                    delete_user(person.name)
                for g in groups:
                    delete_group(g)
                if saved_env is None:
                    os.environ.pop("SHEQULAB_EXCHANGE", None)
                else:
                    os.environ["SHEQULAB_EXCHANGE"] = saved_env
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


class TrainerDesk:
    """The trainer's commands, run as the trainer's OS account from a kernel of its server."""

    def __init__(self, client: TraineeClient, course_dir: Path, result: RehearsalResult) -> None:
        self.client, self.course_dir, self.result = client, course_dir, result

    def run(self, command: str, *args: str) -> None:
        argv = [str(Path(sys.executable).parent / command), *args]
        code, out = self.client.shell(argv, str(self.course_dir))
        if code != 0:
            self.result.problems.append(f"trainer: {' '.join(argv[1:])} → exit {code}: {out}")

    def grade(self, verb: str, *args: str) -> None:
        self.run("shequlab", "grade", verb, *args, "--course-dir", str(self.course_dir))


def workshop_store(root: Path) -> Path:
    """A workshop store with one session in the rehearsal's project, as the apps leave it."""
    from shequlab.workshop.store import WorkshopStore

    path = root / "build" / "workshop.db"
    WorkshopStore(f"sqlite:///{path}").open_session("vote", "彩排 rehearsal", {"options": []})
    return path


def gradebook_scores(course_dir: Path, module: str, names: list[str]) -> dict[str, tuple]:
    """trainee -> (score, max score) of the graded notebook, read as root from the gradebook."""
    scores = {}
    with quiet_gradebook(), Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", COURSE_ID) as gb:
        for name in names:
            try:
                nb = gb.find_submission_notebook(NOTEBOOK.removesuffix(".ipynb"), module, name)
                scores[name] = (nb.code_score, nb.max_code_score)
            except MissingEntry:
                scores[name] = (None, None)
    return scores


def check_arrivals(
    exchange: Path, course_dir: Path, module: str, people: list[Trainee]
) -> list[str]:
    """Exactly one submission per trainee in inbound/ and in submitted/, and nothing else."""
    inbound = exchange / COURSE_ID / "inbound"
    problems = []
    names = {p.name for p in people}
    for p in people:
        n = len(list(inbound.glob(f"{p.name}+{module}+*")))
        if n != 1:
            problems.append(f"{p.name}: {n} submissions in the exchange (expected 1)")
    submitted = set(Course.load(course_dir).submissions(module))
    if submitted != names:
        problems.append(f"collected {sorted(submitted ^ names)} differ from the cohort")
    strays = [e.name for e in inbound.iterdir() if e.name.split("+")[0] not in names]
    if strays:
        problems.append(f"unexpected entries in inbound: {strays}")
    return problems


def _has_feedback(client: TraineeClient, module: str) -> bool:
    try:
        stamps = client.list_dir(f"{module}/feedback")
        return any(NOTEBOOK.replace(".ipynb", ".html") in client.list_dir(f"{module}/feedback/{s}")
                   for s in stamps)  # fmt: skip
    except RuntimeError:
        return False


def check_trainer_and_voila(hub, trainer: Trainee, client: TraineeClient, module: str) -> list[str]:
    """The trainer has the formgrader, a trainee does not; the case app renders with Voila
    through the hub's proxy; the trainee's Lab is in Chinese."""
    problems = []
    trainer_client = TraineeClient(hub.url, trainer)
    if trainer_client.get("formgrader").status_code != 200:
        problems.append("the trainer's server has no formgrader")
    if client.get("formgrader").status_code != 404:
        problems.append("a trainee's server serves the formgrader")
    r = client.get("lab/api/settings/@jupyterlab/translation-extension:plugin")
    data = r.json() if r.ok else {}
    locale = data.get("settings", {}).get("locale") or (
        data.get("schema", {}).get("properties", {}).get("locale", {}).get("default")
    )
    if locale != "zh_CN":
        problems.append(f"trainee's JupyterLab locale is {locale!r}, not zh_CN")
    page = client.get(f"voila/render/{module}/case.ipynb")
    if page.status_code != 200 or "voila" not in page.text.lower():
        problems.append(f"voila render through the hub: {page.status_code}")
    return problems
