"""Voila with a gallery landing page: `/` and `/voila/tree` show app cards instead of files."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import url_path_join
from tornado import ioloop, web
from traitlets import Unicode
from voila import notebook_renderer
from voila.app import Voila
from voila.execute import VoilaExecutor

from shequlab.apps.room import ReadyReporter, kernel_pools_config


class GalleryHandler(web.RequestHandler):
    """Serve the pre-rendered gallery page (written by `shequlab apps serve` before start)."""

    def initialize(self, gallery_file: str) -> None:
        self.gallery_file = gallery_file

    def get(self, *args: str) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(Path(self.gallery_file).read_bytes())


class VisitorAwareKernelManager(AsyncMappingKernelManager):
    """Culls idle kernels of closed tabs, never one handed to a browser that is still connecting.

    Voila protects the kernels waiting in its pools from culling, but a pooled kernel keeps the
    idle time it gathered while waiting: once a visitor takes it, the culler could shut it down
    in the second before the browser's websocket connects. A kernel that never had a connection
    is therefore given a full idle timeout from the moment the culler first sees it unpooled.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._ever_connected: set[str] = set()
        self._unclaimed_since: dict[str, float] = {}

    def notify_connect(self, kernel_id: str) -> None:
        self._ever_connected.add(kernel_id)
        super().notify_connect(kernel_id)

    async def cull_kernel_if_idle(self, kernel_id: str):
        if kernel_id not in self._ever_connected:
            first_seen = self._unclaimed_since.setdefault(kernel_id, time.monotonic())
            if time.monotonic() - first_seen < self.cull_idle_timeout:
                return None
        return await super().cull_kernel_if_idle(kernel_id)

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs):
        self._ever_connected.discard(kernel_id)
        self._unclaimed_since.pop(kernel_id, None)
        return await super().shutdown_kernel(kernel_id, *args, **kwargs)


class WidgetStateExecutor(VoilaExecutor):
    """Keeps the state of the notebook's live widgets in its metadata while the cells run.

    The app template writes that state into the page, so the browser creates the widgets as soon
    as the page arrives instead of first asking the kernel for each of them. Widgets that were
    closed (a view's previous table) are dropped, as the kernel drops them.
    """

    def handle_comm_msg(self, outs, msg, cell_index):
        if msg["msg_type"] == "comm_close":
            self.widget_state.pop(msg["content"]["comm_id"], None)
            self.widget_buffers.pop(msg["content"]["comm_id"], None)
        super().handle_comm_msg(outs, msg, cell_index)

    async def execute_cell(self, cell, resources, cell_index, store_history=True):
        try:
            return await super().execute_cell(cell, resources, cell_index, store_history)
        finally:
            self.set_widgets_metadata()


# Voila builds its executor in NotebookRenderer by this module-level name; the app server (and
# only it: this module is imported by `shequlab apps serve`) swaps in the one above.
notebook_renderer.VoilaExecutor = WidgetStateExecutor


class ShequlabVoila(Voila):
    """Voila serving a folder of apps, whose directory listing is replaced by the gallery."""

    name = "shequlab-voila"
    gallery_file = Unicode("", config=True, help="HTML file shown at / and /voila/tree.")
    pool_sizes = Unicode(
        "{}", config=True, help="JSON: pool size per notebook path, where not --pool_size."
    )

    def initialize(self, argv=None) -> None:
        super().initialize(argv)
        self.sizes = json.loads(self.pool_sizes)
        if self.sizes:
            default = self.voila_configuration.default_pool_size
            pools = kernel_pools_config(self.sizes, default)
            self.config.VoilaKernelManager.kernel_pools_config = pools

    def start(self) -> None:
        if self.voila_configuration.preheat_kernel:
            self._watch_pools()
        try:
            super().start()
        finally:
            from shequlab.apps.provisioner import stop_app_forkserver

            stop_app_forkserver()

    def _watch_pools(self) -> None:
        """Print the ready line once every pool holds its kernels with their pages rendered."""
        notebooks = list(Path(self.root_dir).rglob("*.ipynb"))
        default = self.voila_configuration.default_pool_size

        def echo(line: str) -> None:
            print(line, flush=True)  # on the terminal the facilitator watches, once

        reporter = ReadyReporter(self.sizes, default, len(notebooks), echo)
        watch = ioloop.PeriodicCallback(lambda: None, 250)

        def check() -> None:
            pools = getattr(self.kernel_manager, "_pools", {})
            if reporter.check(pools):
                watch.stop()

        watch.callback = check
        watch.start()

    def init_handlers(self) -> list:
        handlers = super().init_handlers()
        if not self.gallery_file:
            return handlers
        conf = {"gallery_file": self.gallery_file}
        # Tornado takes the first matching route, so the gallery goes before Voila's tree handler.
        gallery = [
            (self.server_url, GalleryHandler, conf),
            (url_path_join(self.server_url, r"/index\.html"), GalleryHandler, conf),
            (url_path_join(self.server_url, r"/voila/tree(/.*)?"), GalleryHandler, conf),
        ]
        return gallery + handlers


def main(argv: list[str] | None = None) -> None:
    """Entry point: `python -m shequlab.apps.server <voila options>`."""
    ShequlabVoila.launch_instance(argv=argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
