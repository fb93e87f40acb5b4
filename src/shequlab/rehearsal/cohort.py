"""What the rehearsal's trainees do through their own servers' REST APIs (nbgrader's server
extensions, the contents API, a kernel), and the answers they give with the grades they expect."""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat
import requests
import websocket
from nbgrader.api import Gradebook

from shequlab.autograder.nbgrader import nbgrader_api, quiet_gradebook, run
from shequlab.layout.course import Course
from shequlab.rehearsal.simulate import fill, solution_answers, wrong_answers

COURSE_ID = "shequlab"
NOTEBOOK = "exercises.ipynb"  # the graded notebook of our modules (notebook_id "exercises")


@dataclass
class Trainee:
    """One rehearsal trainee: OS/hub account, its API token and the answers it will give."""

    name: str
    password: str
    variant: str  # right, blank or wrong-<k>
    token: str = ""

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}


def answer_variants(root: Path, module: str, program: str, max_wrong: int = 2) -> dict[str, dict]:
    """variant -> answers for fill(): all right, blank (the release as fetched), one wrong each."""
    good = solution_answers(root, module, program)
    variants = {"right": good, "blank": {}}
    for k, entry in enumerate(wrong_answers(root, module, program)[:max_wrong], start=1):
        variants[f"wrong-{k}"] = {**good, f"{entry['grade_id']}_answer": entry["code"]}
    return variants


def reference_scores(course_dir: Path, work: Path, module: str, variants: dict[str, dict]) -> dict:
    """variant -> score that plain `nbgrader autograde` gives (on a copy of the course)."""
    ref = work / "reference"
    shutil.copytree(course_dir, ref)
    course = Course.load(ref)
    release = nbformat.read(course.release(module) / NOTEBOOK, as_version=4)
    for variant, answers in variants.items():
        folder = course.submitted(variant, module)
        folder.mkdir(parents=True)
        nbformat.write(fill(release, answers), folder / NOTEBOOK)
        (folder / "timestamp.txt").write_text("2026-05-01 10:00:00.000000 UTC")
    api = nbgrader_api(ref)
    scores = {}
    with quiet_gradebook():
        for variant in variants:
            run(api.autograde(module, variant, force=True, create=True), f"autograde {variant}")
        with Gradebook(api.coursedir.db_url, COURSE_ID) as gb:
            for variant in variants:
                scores[variant] = gb.find_submission(module, variant).score
    return scores


class TraineeClient:
    """A trainee acting through /user/<name>/ on the hub's proxy, with their own API token."""

    def __init__(self, hub_url: str, trainee: Trainee) -> None:
        self.base = f"{hub_url}/user/{trainee.name}"
        self.trainee = trainee
        self.session = requests.Session()
        self.session.headers.update(trainee.headers())

    def _ok(self, response: requests.Response, what: str) -> requests.Response:
        if not response.ok:
            raise RuntimeError(
                f"{self.trainee.name}: {what} → {response.status_code} {response.text[:300]}"
            )
        return response

    def action(self, action: str, module: str) -> list | dict:
        """nbgrader assignment_list: fetch, submit or fetch_feedback; returns its JSON."""
        data = {"assignment_id": module, "course_id": COURSE_ID}
        r = self.session.post(f"{self.base}/assignments/{action}", data=data, timeout=300)
        result = self._ok(r, action).json()
        if isinstance(result, dict) and result.get("success") is False:
            raise RuntimeError(f"{self.trainee.name}: {action} failed: {result.get('value')}")
        return result

    def answer(self, module: str, answers: dict[str, str]) -> None:
        """Read the fetched notebook through the contents API, fill in answers, save it back."""
        url = f"{self.base}/api/contents/{module}/{NOTEBOOK}"
        nb = nbformat.from_dict(
            self._ok(self.session.get(url, timeout=60), "read").json()["content"]
        )
        body = {"type": "notebook", "format": "json", "content": fill(nb, answers)}
        self._ok(self.session.put(url, json=body, timeout=60), "save")

    def validate(self, module: str) -> dict:
        r = self.session.post(f"{self.base}/assignments/validate",
                              data={"path": f"{module}/{NOTEBOOK}"}, timeout=300)  # fmt: skip
        result = self._ok(r, "validate").json()
        if not result.get("success"):
            raise RuntimeError(f"{self.trainee.name}: validate error: {result.get('value')}")
        return json.loads(result["value"]) if isinstance(result["value"], str) else result["value"]

    def list_dir(self, path: str) -> list[str]:
        r = self._ok(self.session.get(f"{self.base}/api/contents/{path}", timeout=60), "list")
        return [item["name"] for item in r.json()["content"]]

    def get(self, path: str) -> requests.Response:
        return self.session.get(f"{self.base}/{path}", timeout=120)

    def run_code(self, code: str, timeout: float = 60) -> str:
        """Start a kernel in the trainee's server, run `code`, return its output, then stop it."""
        kernel = self._ok(self.session.post(f"{self.base}/api/kernels", json={}, timeout=60),
                          "start kernel").json()  # fmt: skip
        ws_url = self.base.replace("http", "ws", 1) + f"/api/kernels/{kernel['id']}/channels"
        ws = websocket.create_connection(
            ws_url, header=[f"Authorization: token {self.trainee.token}"], timeout=timeout
        )
        try:
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "",
                           "session": uuid.uuid4().hex, "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell",
                "content": {"code": code, "silent": False, "store_history": False,
                            "user_expressions": {}, "allow_stdin": False},
            }))  # fmt: skip
            out = []
            while True:
                msg = json.loads(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["header"]["msg_type"]
                if kind == "stream":
                    out.append(msg["content"]["text"])
                elif kind == "error":
                    out.append(f"ERROR {msg['content']['ename']}: {msg['content']['evalue']}")
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    return "".join(out)
        finally:
            ws.close()
            self.session.delete(f"{self.base}/api/kernels/{kernel['id']}", timeout=60)

    def shell(self, argv: list[str], cwd: str, timeout: float = 600) -> tuple[int, str]:
        """Run a command from a kernel of this user's server, as in its terminal: (exit code,
        the end of its output). The command runs as the user's OS account, with its server's
        environment, umask and limits."""
        out = self.run_code(SHELL.format(argv=argv, cwd=cwd, timeout=timeout), timeout + 60)
        lines = [ln for ln in out.splitlines() if ln.startswith("SHELL ")]
        if not lines:
            return -1, out[-2000:]
        done = json.loads(lines[-1][len("SHELL ") :])
        return done["rc"], done["out"]

    def probe(self, targets: dict[str, str]) -> dict[str, str]:
        """From a kernel of this user's server: what -> ALLOWED, denied or missing."""
        return parse_probe(self.run_code(PROBE.format(targets=targets)))


SHELL = """
import json, subprocess
r = subprocess.run({argv!r}, cwd={cwd!r}, capture_output=True, text=True, timeout={timeout})
print("SHELL " + json.dumps({{"rc": r.returncode, "out": (r.stdout + r.stderr)[-3000:]}}))
"""

# Read one byte of each file, list each folder: what a curious trainee tries in a terminal.
PROBE = """
import json, os
found = {{}}
for what, path in {targets!r}.items():
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as fh:
                fh.read(1)
        found[what] = "ALLOWED"
    except PermissionError:
        found[what] = "denied"
    except FileNotFoundError:
        found[what] = "missing"
print("PROBE " + json.dumps(found))
"""


def parse_probe(output: str) -> dict[str, str]:
    lines = [ln for ln in output.splitlines() if ln.startswith("PROBE ")]
    return json.loads(lines[-1][len("PROBE ") :]) if lines else {"probe": f"failed: {output!r}"}
