"""nbgrader for a trainee's server on the hub: fetch into the home folder, submit privately.

The hub points JUPYTER_CONFIG_PATH here (shequlab.hub.spawner) for every non-admin user.
"""

import os

c = get_config()  # noqa: F821 — injected by traitlets

c.CourseDirectory.course_id = "shequlab"
c.Exchange.root = os.environ["SHEQULAB_EXCHANGE"]
c.Exchange.assignment_dir = os.path.expanduser("~")
c.ExchangeFactory.submit = "shequlab.hub.exchange.PrivateExchangeSubmit"
