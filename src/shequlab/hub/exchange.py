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

    def copy_files(self):
        super().copy_files()
        # nbgrader then opens the folder to 0777 "so the instructor can delete"; the group does.
        os.chmod(os.path.join(self.inbound_path, self.assignment_filename), DIR_MODE)


def prepare_exchange(root: Path, course_id: str, trainer_group: str | None) -> Path:
    """Create <root>/<course>/{inbound,outbound,feedback} as nbgrader expects, hardened.

    root: 1777 (nbgrader wants it writable by all; sticky so nobody renames another's folder);
    inbound: 3733 (write-only for trainees, setgid to the trainers' group, sticky).
    """
    root = Path(root)
    course = root / course_id
    for folder in (root, course, course / "outbound", course / "inbound", course / "feedback"):
        folder.mkdir(parents=True, exist_ok=True)
    gid = grp.getgrnam(trainer_group).gr_gid if trainer_group else -1
    root.chmod(0o1777)
    course.chmod(0o755)
    (course / "outbound").chmod(0o755)
    inbound = course / "inbound"
    if gid != -1 and os.geteuid() == 0:
        os.chown(inbound, -1, gid)
    inbound.chmod(0o3733)
    (course / "feedback").chmod(0o711)
    return course
