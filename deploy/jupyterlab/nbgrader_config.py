"""nbgrader config for the JupyterLab that `make start` runs (one machine: trainer = trainee).

`make start` puts this folder first on JUPYTER_CONFIG_PATH. nbgrader's lab extensions (the
Assignments tab, the Validate button, the course list and the formgrader) read nbgrader_config.py
from the Jupyter config path and from the server's working directory (the project root), never
from grading/. This file therefore loads the course config, grading/nbgrader_config.py (course id,
exchange, course root), and adds the one trainee-side setting: where fetched modules go.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 — injected by traitlets when it loads this file

ROOT = Path(__file__).resolve().parents[2]

load_subconfig(str(ROOT / "grading" / "nbgrader_config.py"))  # noqa: F821 — injected by traitlets

# Fetched modules land in trainee/<module>/ (git-ignored) under the server root, so the
# Assignments tab can open them; SHEQULAB_TRAINEE_DIR moves them (tests use a scratch folder).
c.Exchange.assignment_dir = os.environ.get("SHEQULAB_TRAINEE_DIR", str(ROOT / "trainee"))
