"""JupyterHub for one shequlab cohort on one server (`shequlab hub start` runs it).

Embedded defaults: SQLite hub database, the pure-Python configurable-http-proxy, local processes.
Every setting comes from shequlab.hub.settings.HubSettings (SHEQULAB_HUB_* variables), so the
same file serves `shequlab hub start`, `shequlab hub rehearse` and a plain `jupyterhub -f`.

system mode (the hub runs as root; what a training centre uses):
  - PAM login; trainees are OS accounts in `shequlab-trainees` (created from the roster by
    `shequlab hub users`), trainers are in `shequlab-trainers` and are hub admins;
  - each user's JupyterLab runs as their own OS user, home folder 0700, with rlimits;
  - trainees get the Assignments tab and Validate; trainers also get the formgrader;
  - the nbgrader exchange is hardened (shequlab.hub.exchange): a submission is readable by its
    owner and the trainers' group only.
simple mode (not root; a demo on a laptop): everyone runs as one OS user, SharedPassword login.
    There is no isolation between users in simple mode.
"""

import sys
from pathlib import Path

from shequlab.hub.settings import HubSettings
from shequlab.trainees import ID_RULE

c = get_config()  # noqa: F821 — injected by traitlets when JupyterHub loads this file

s = HubSettings.from_env()
state = Path(s.state)
state.mkdir(parents=True, exist_ok=True, mode=0o700)
bin_dir = Path(sys.executable).parent

# --- the hub, its database and the proxy (embedded defaults) ---
c.JupyterHub.bind_url = f"http://{s.ip}:{s.port}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{s.api_port}"
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.ConfigurableHTTPProxy.command = [str(bin_dir / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s.proxy_api_port}"
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user server
c.JupyterHub.default_url = "/hub/home"
c.JupyterHub.shutdown_on_logout = False
c.JupyterHub.concurrent_spawn_limit = 50  # a whole class pressing "start" at 9:00
c.JupyterHub.active_server_limit = 0

# --- who may log in ---
if s.mode == "system":
    c.JupyterHub.authenticator_class = "pam"
    c.PAMAuthenticator.allowed_groups = {s.trainee_group, s.trainer_group}
    c.PAMAuthenticator.admin_groups = {s.trainer_group}
    c.PAMAuthenticator.open_sessions = False
else:
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = s.shared_password
    c.SharedPasswordAuthenticator.admin_password = s.admin_password
    c.Authenticator.admin_users = {n for n in s.trainers.split(",") if n}
    c.Authenticator.allow_all = True
c.Authenticator.username_pattern = ID_RULE  # the roster's trainee-id rule: valid OS user names
c.Authenticator.manage_groups = False

# --- each user's JupyterLab (Chinese UI from <venv>/share/jupyter/lab/settings/overrides.json) ---
if s.mode == "system":
    c.JupyterHub.spawner_class = "shequlab.hub.spawner.TraineeSpawner"
    c.TraineeSpawner.address_space = s.mem_bytes
    c.TraineeSpawner.nproc = s.nproc
    c.TraineeSpawner.allowed_groups = f"{s.trainee_group},{s.trainer_group}"
    c.Spawner.notebook_dir = "~"
else:
    c.JupyterHub.spawner_class = "shequlab.hub.spawner.SimpleRoleSpawner"
    c.SimpleLocalProcessSpawner.home_dir_template = str(state / "homes" / "{username}")
c.Spawner.cmd = [str(bin_dir / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.exchange = s.exchange
c.Spawner.course_dir = s.course_dir
c.Spawner.start_timeout = 120  # 30 servers starting at once on 2 cores take a while
c.Spawner.http_timeout = 120
# Informational for local spawners (JupyterHub exports MEM_LIMIT/CPU_LIMIT but cannot enforce
# them); enforced on Kubernetes (deploy/k8s/values.yaml). Locally, rlimits apply (see above).
c.Spawner.mem_limit = s.mem_limit
c.Spawner.cpu_limit = 1.0

# --- hub services: idle culling, optional automation token ---
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable, "-m", "jupyterhub_idle_culler",
            f"--timeout={s.cull_timeout}", f"--cull-every={max(10, s.cull_timeout // 6)}",
        ],
    }
]  # fmt: skip
if s.admin_token:
    c.JupyterHub.services.append({"name": "shequlab-admin", "api_token": s.admin_token})
    c.JupyterHub.load_roles.append(
        {
            "name": "shequlab-admin",
            "scopes": [
                "admin:users",
                "admin:servers",
                "tokens",
                "access:servers",
                "list:users",
                "list:services",
                "read:services",
            ],
            "services": ["shequlab-admin"],
        }
    )
