"""Trainees' kernels load the friendly-errors extension: a kernel spec manager for their server.

`make start` (deploy/jupyterlab/jupyter_server_config.json) and the hub's trainee servers
(deploy/hub/singleuser/trainee/) name `FriendlyKernelSpecManager` as the server's kernel spec
manager, so every IPython kernel JupyterLab starts runs `ipykernel_launcher … --ext
shequlab.friendly`. Only the server's own kernels change: nbgrader's Validate and autograde,
`shequlab grade` and the Voila apps start their kernels through other managers, untouched.
"""

from __future__ import annotations

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

IPYKERNEL_ARGS = ["-m", "ipykernel_launcher"]
EXTENSION = "shequlab.friendly"


class FriendlyKernelSpecManager(KernelSpecManager):
    """Kernel specs whose IPython kernels load `shequlab.friendly`; other kernels as installed."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        spec = super().get_kernel_spec(kernel_name)
        if spec.argv[1:3] == IPYKERNEL_ARGS and f"--ext={EXTENSION}" not in spec.argv:
            spec.argv = [*spec.argv, f"--ext={EXTENSION}"]
        return spec
