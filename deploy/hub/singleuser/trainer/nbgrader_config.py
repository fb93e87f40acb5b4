"""nbgrader for a trainer's server on the hub: the course's own config plus the hub's exchange.

The hub points JUPYTER_CONFIG_PATH here (shequlab.hub.spawner) for admins (trainers group).
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 — injected by traitlets

course_dir = Path(os.environ["SHEQULAB_COURSE_DIR"])
load_subconfig(str(course_dir / "nbgrader_config.py"))  # noqa: F821 — injected by traitlets
c.CourseDirectory.root = str(course_dir)
c.Exchange.root = os.environ["SHEQULAB_EXCHANGE"]
c.Exchange.assignment_dir = os.path.expanduser("~")
# Trainers are not root: they share the course and the exchange through the trainers' group.
c.CourseDirectory.groupshared = True
