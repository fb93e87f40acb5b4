"""Run one cell in a kernel started by a Jupyter server configured from JUPYTER_CONFIG_PATH.

Run as a script in a subprocess whose environment sets JUPYTER_CONFIG_PATH (as `make start` and
the hub's spawner do): the server's configuration is loaded as `jupyter lab` loads it, and its
kernel manager starts the kernel. Prints the cell's iopub messages as JSON lines.
"""

from __future__ import annotations

import asyncio
import json
import sys

from jupyter_server.serverapp import ServerApp

TIMEOUT_S = 60


async def run(code: str) -> list[dict]:
    app = ServerApp()
    app.load_config_file()
    app.init_event_logger()
    app.init_configurables()
    kernels = app.kernel_manager
    kernel_id = await kernels.start_kernel(kernel_name="python3")
    client = kernels.get_kernel(kernel_id).client()
    client.start_channels()
    messages: list[dict] = []
    try:
        await client.wait_for_ready(timeout=TIMEOUT_S)
        await client.execute_interactive(
            code, timeout=TIMEOUT_S, output_hook=lambda m: messages.append(m)
        )
    finally:
        client.stop_channels()
        await kernels.shutdown_kernel(kernel_id, now=True)
    return [
        {"msg_type": m["msg_type"], "content": m["content"]}
        for m in messages
        if m["msg_type"] in ("display_data", "error", "stream")
    ]


if __name__ == "__main__":
    for message in asyncio.run(run(sys.argv[1])):
        print(json.dumps(message, ensure_ascii=False))
