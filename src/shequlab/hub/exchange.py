"""The nbgrader exchange for a cohort: folders with permissions that keep submissions private.

nbgrader's default submit leaves each submission world-readable (0444 files in a 0777 folder)
and relies on the inbound folder being unlistable and the folder name carrying a random part.
PrivateExchangeSubmit makes a submission readable by its owner and the trainers' group only;
the inbound folder is setgid to that group and sticky, so no trainee can delete or rename
another's submission either.
"""

from __future__ import annotations

import grp
import os
from pathlib import Path

from nbgrader.exchange.default.submit import ExchangeSubmit

FILE_MODE = 0o440  # owner (trainee) and group (trainers) read
DIR_MODE = 0o2770  # owner and trainers' group; setgid keeps the group


class PrivateExchangeSubmit(ExchangeSubmit):
    """nbgrader submit whose copy in inbound/ is owner + trainers' group only."""

    def set_perms(self, dest, fileperms, dirperms):
        if Path(dest).resolve().parent == Path(self.inbound_path).resolve():
            fileperms, dirperms = FILE_MODE, DIR_MODE
        super().set_perms(dest, fileperms, dirperms)

    def do_copy(self, src, dest):
        super().do_copy(src, dest)
        if Path(dest).resolve().parent == Path(self.inbound_path).resolve():
            # copytree ends with copystat() on the folder, which drops its setgid bit, so the
            # files nbgrader writes next (timestamp.txt, submission_secret.txt) would get the
            # trainee's group and trainers who are not root could not collect them. A folder
            # made afresh in the setgid inbound/ has the trainers' group and the bit; the
            # copied files (already the trainers' group) move into it.
            fresh = f"{dest}.private"
            os.mkdir(fresh)
            for name in os.listdir(dest):
                os.rename(os.path.join(dest, name), os.path.join(fresh, name))
            os.rmdir(dest)
            os.rename(fresh, dest)

    def copy_files(self):
        super().copy_files()
        # nbgrader then opens the folder to 0777 "so the instructor can delete"; the group does.
        os.chmod(os.path.join(self.inbound_path, self.assignment_filename), DIR_MODE)


def prepare_exchange(root: Path, course_id: str, trainer_group: str | None) -> Path:
    """Create <root>/<course>/{inbound,outbound,feedback} as nbgrader expects, hardened.

    root: 1777 (nbgrader wants it writable by all; sticky so nobody renames another's folder);
    inbound: 3733 (write-only for trainees, setgid, sticky). With a trainers' group, the course
    folders belong to it so that trainers who are not root release, collect and return feedback
    (nbgrader's `groupshared`): course and outbound/ 2775, inbound/ 3773 (trainers list it),
    feedback/ 2771 (trainees find their page by its hashed name, never list the folder).
    """
    root = Path(root)
    course = root / course_id
    for folder in (root, course, course / "outbound", course / "inbound", course / "feedback"):
        folder.mkdir(parents=True, exist_ok=True)
    gid = grp.getgrnam(trainer_group).gr_gid if trainer_group else -1
    if gid != -1 and os.geteuid() == 0:
        for folder in (course, course / "outbound", course / "inbound", course / "feedback"):
            os.chown(folder, -1, gid)
    shared = 0o2070 if gid != -1 else 0  # group write + setgid for the trainers
    root.chmod(0o1777)
    course.chmod(0o755 | shared)
    (course / "outbound").chmod(0o755 | shared)
    (course / "inbound").chmod(0o3733 | (0o040 if gid != -1 else 0))
    (course / "feedback").chmod(0o711 | shared)
    return course
