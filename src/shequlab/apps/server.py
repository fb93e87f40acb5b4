"""Voila with a gallery landing page: `/` and `/voila/tree` show app cards instead of files."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import math
import os
import sys
import threading
import time
from pathlib import Path

import jinja2
import markupsafe
from jupyter_client.session import DELIM
from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import url_path_join
from tornado import ioloop, web
from traitlets import Unicode
from voila import notebook_renderer
from voila.app import Voila
from voila.execute import VoilaExecutor
from voila.exporter import VoilaExporter
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler
from voila.utils import ENV_VARIABLE

from shequlab.apps.room import ReadyReporter, kernel_pools_config


class GalleryHandler(web.RequestHandler):
    """Serve the pre-rendered gallery page (written by `shequlab apps serve` before start)."""

    def initialize(self, gallery_file: str) -> None:
        self.gallery_file = gallery_file

    def get(self, *args: str) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(Path(self.gallery_file).read_bytes())


HOLD_AT_MOST = 180  # seconds the other apps' pools wait for the room's to fill
# Seconds at least a kernel handed to a page that has not connected yet is kept, however short
# the idle timeout: a room's phones (or browsers on a loaded machine) can take half a minute.
NEVER_CONNECTED_GRACE = 90
# A pool's refill waits while a room is arriving: the arrivals get the CPU first. A room is
# arriving while a page handed a kernel has not connected to it yet (for at most WAVE_AT_MOST
# seconds after it got the kernel), and for WAVE_QUIET seconds after the last page arrived. A
# refill starts at the latest WAVE_AT_MOST seconds after it was asked for, and at once when a
# visitor is waiting for that very kernel (the pool had run dry).
WAVE_QUIET = 3.0
WAVE_AT_MOST = 60.0
WAVE_CHECK = 0.2  # seconds between checks of a waiting refill


class VisitorAwareKernelManager(AsyncMappingKernelManager):
    """Culls idle kernels of closed tabs, never one handed to a browser that is still connecting.

    Voila protects the kernels waiting in its pools from culling, but a pooled kernel keeps the
    idle time it gathered while waiting: once a visitor takes it, the culler could shut it down
    in the second before the browser's websocket connects. A kernel that never had a connection
    is therefore given a full idle timeout (NEVER_CONNECTED_GRACE at least) from the moment the
    culler first sees it unpooled.

    Pools refill after a wave of arrivals rather than during it (see WAVE_QUIET): a refill runs
    the whole notebook in a new kernel and renders its page, the same work as serving a visitor
    beyond the pool, and would otherwise take the CPU from the room's pages as they load.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._ever_connected: set[str] = set()
        self._unclaimed_since: dict[str, float] = {}
        self._held_folders: set[str] = set()
        self._room_filled: asyncio.Event | None = None
        self._last_arrival = -math.inf  # time.monotonic() of the last page arriving
        self._connecting: dict[str, float] = {}  # kernel handed to a page → when (monotonic)
        self.refills_deferred = 0  # refills that waited for a wave to pass

    def arrived(self, kernel_id: str | None = None) -> None:
        """A page arrived: it was handed a kernel (`kernel_id`, until its websocket connects) or
        connected its websocket."""
        self._last_arrival = time.monotonic()
        if kernel_id is not None and kernel_id not in self._ever_connected:
            self._connecting[kernel_id] = self._last_arrival

    def room_arriving(self) -> bool:
        """Whether pages are arriving: one arrived in the last WAVE_QUIET seconds, or one that
        was handed a kernel (less than WAVE_AT_MOST seconds ago) has not connected yet."""
        now = time.monotonic()
        for kernel_id, since in list(self._connecting.items()):
            if now - since >= WAVE_AT_MOST:
                del self._connecting[kernel_id]
        return bool(self._connecting) or now - self._last_arrival < WAVE_QUIET

    def count_takes(self) -> None:
        """Note each page that takes a pooled kernel as an arrival. Voila's pooled manager (the
        subclass voila_kernel_manager_factory makes of this class) hands them out in
        get_rendered_notebook."""
        take = getattr(self, "get_rendered_notebook", None)
        if take is None:
            return

        async def taking(*args, **kwargs):
            self.arrived()
            taken = await take(*args, **kwargs)
            self.arrived(kernel_id=taken[-1])  # (render task, rendered cells, kernel id)
            return taken

        self.get_rendered_notebook = taking

    def _still_pooled(self, task: asyncio.Task | None) -> bool:
        return any(task in pool for pool in getattr(self, "_pools", {}).values())

    async def _after_the_wave(self) -> None:
        """Wait while pages are arriving, unless a visitor already took this refill's task."""
        task = asyncio.current_task()
        asked = time.monotonic()
        waited = False
        while (
            self.room_arriving()
            and time.monotonic() - asked < WAVE_AT_MOST
            and self._still_pooled(task)
        ):
            waited = True
            await asyncio.sleep(WAVE_CHECK)
        if waited:
            self.refills_deferred += 1
            self.log.debug("Pool refill started after %.1f s", time.monotonic() - asked)

    def hold_back(self, folders: set[str]) -> None:
        """Kernels for notebooks in these folders start only once release_held() is called
        (at most HOLD_AT_MOST seconds later): the room's pools fill first, on all cores."""
        self._held_folders = set(folders)
        self._room_filled = asyncio.Event()

    def release_held(self) -> None:
        if self._room_filled is not None:
            self._room_filled.set()

    async def start_kernel(self, *args, **kwargs):
        held = self._room_filled
        if held is not None and not held.is_set() and kwargs.get("path") in self._held_folders:
            with contextlib.suppress(TimeoutError):  # a room that never fills holds nobody back
                await asyncio.wait_for(held.wait(), HOLD_AT_MOST)
        if (kwargs.get("env") or {}).get(ENV_VARIABLE.VOILA_PREHEAT) == "True":
            await self._after_the_wave()  # a pool's kernel: the room's pages first
            return await super().start_kernel(*args, **kwargs)
        self.arrived()  # a visitor beyond the pools
        kernel_id = await super().start_kernel(*args, **kwargs)
        self.arrived(kernel_id=kernel_id)
        return kernel_id

    def start_watching_activity(self, kernel_id: str) -> None:
        """Record each kernel's activity (for culling) from its messages' headers alone.

        jupyter_server's watcher deserializes every IOPub message a second time (the page
        renderer already does): it checks the signature and parses the dates of the headers,
        a fifth of the server's work while an app's page is rendered (every widget a kernel
        creates is a message). What culling needs is in the header frames: the message's type,
        its parent's type, and the execution state of status messages. The signature protects
        nothing here: only the kernel publishes on its IOPub socket.
        """
        kernel = self._kernels[kernel_id]
        kernel.reason = ""
        kernel.last_activity = utcnow()
        kernel._activity_stream = kernel.connect_iopub()

        def record_activity(frames: list[bytes]) -> None:
            try:
                # [identities…, DELIM, signature, header, parent header, metadata, content, …]
                at = frames.index(DELIM)
                msg_type = json.loads(frames[at + 2]).get("msg_type")
                parent_type = json.loads(frames[at + 3]).get("msg_type")
            except (ValueError, IndexError, AttributeError):
                return  # not a Jupyter message: no activity
            tracked = self.track_message_type(parent_type)
            if self.track_message_type(msg_type) or tracked or kernel.execution_state == "busy":
                self.last_kernel_activity = kernel.last_activity = utcnow()
            if msg_type != "status":
                return
            with contextlib.suppress(ValueError, IndexError, AttributeError):
                state = json.loads(frames[at + 5]).get("execution_state")
                if tracked:
                    kernel.execution_state = state
                elif kernel.execution_state == "starting" and state != "starting":
                    kernel.execution_state = "idle"  # as jupyter_server normalises it

        kernel._activity_stream.on_recv(record_activity)

    def notify_connect(self, kernel_id: str) -> None:
        self._ever_connected.add(kernel_id)
        self._connecting.pop(kernel_id, None)
        self.arrived()
        super().notify_connect(kernel_id)

    async def cull_kernel_if_idle(self, kernel_id: str):
        if kernel_id not in self._ever_connected:
            first_seen = self._unclaimed_since.setdefault(kernel_id, time.monotonic())
            grace = max(self.cull_idle_timeout, NEVER_CONNECTED_GRACE)
            if time.monotonic() - first_seen < grace:
                return None
        return await super().cull_kernel_if_idle(kernel_id)

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs):
        self._ever_connected.discard(kernel_id)
        self._connecting.pop(kernel_id, None)
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


class SharedTemplateCode(jinja2.BytecodeCache):
    """Compiled page templates, kept in memory and shared by every page's exporter.

    Voila makes a new exporter, and with it a new Jinja environment, for each page it renders
    (each preheated kernel): every one parsed and compiled the same templates again, most of the
    server's CPU while a room's pools fill. Jinja checks each entry against its template's source
    (a changed file is compiled anew). The environments sharing it are all alike (VoilaExporter's
    settings), so the code compiled for one is the code another would compile.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with self._lock:
            code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = bucket.bytecode_to_string()
        with self._lock:
            self._code[bucket.key] = code


TEMPLATE_CODE = SharedTemplateCode()


APP_STATIC = Path(__file__).parent / "share" / "voila" / "templates" / "shequlab" / "static"


@functools.cache
def inline_static(name: str) -> markupsafe.Markup:
    """A built file of the app template's static folder, for the page to carry inline (read
    once per server)."""
    text = (APP_STATIC / name).read_text(encoding="utf-8")
    if "</script" in text or "</style" in text:
        raise ValueError(f"{name} would end its inline element early")
    return markupsafe.Markup(text)


class SharedTemplateExporter(VoilaExporter):
    """Voila's exporter, its templates compiled once per server (SharedTemplateCode); the app
    template's `inline_static` available to it."""

    def _create_environment(self) -> jinja2.Environment:
        environment = super()._create_environment()
        environment.bytecode_cache = TEMPLATE_CODE
        environment.globals["inline_static"] = inline_static
        return environment


# Voila builds its executor and exporter in NotebookRenderer by these module-level names; the app
# server (and only it: this module is imported by `shequlab apps serve`) swaps in the ones above.
notebook_renderer.VoilaExecutor = WidgetStateExecutor
notebook_renderer.VoilaExporter = SharedTemplateExporter


KERNEL_WS_PROTOCOL = "v1.kernel.websocket.jupyter.org"


class V1KernelWebsocketHandler(VoilaKernelWebsocketHandler):
    """Voila's kernel websocket, for clients of the v1 protocol only.

    Voila's handler reads the header of every binary frame it sends as v1. On the older protocol
    (a client that asks for none) a frame with buffers, such as an image widget's bytes, makes
    it count billions of offsets, and the whole server, every participant's page with it, stops.
    Our page script and JupyterLab's ask for v1; a client that does not is refused.
    """

    async def get(self, kernel_id: str):
        offered = self.request.headers.get("Sec-WebSocket-Protocol", "")
        if KERNEL_WS_PROTOCOL not in (p.strip() for p in offered.split(",")):
            raise web.HTTPError(400, f"kernel websockets need the {KERNEL_WS_PROTOCOL} protocol")
        return await super().get(kernel_id)


class ShequlabVoila(Voila):
    """Voila serving a folder of apps, whose directory listing is replaced by the gallery."""

    name = "shequlab-voila"
    gallery_file = Unicode("", config=True, help="HTML file shown at / and /voila/tree.")
    pool_sizes = Unicode(
        "{}", config=True, help="JSON: pool size per notebook path, where not --pool_size."
    )

    def get_default_logging_config(self) -> dict:
        """traitlets leaves the app's logger at DEBUG and filters in its handler: every debug
        call (several per kernel message) then builds a record that is thrown away. The logger
        itself is set to the app's level instead."""
        config = super().get_default_logging_config()
        for logger in config.get("loggers", {}).values():
            logger["level"] = logging.getLevelName(self.log_level)
        return config

    def initialize(self, argv=None) -> None:
        super().initialize(argv)
        self.sizes = json.loads(self.pool_sizes)
        if self.sizes:
            default = self.voila_configuration.default_pool_size
            pools = kernel_pools_config(self.sizes, default)
            self.config.VoilaKernelManager.kernel_pools_config = pools

    def init_settings(self) -> dict:
        settings = super().init_settings()
        if self.sizes and self.voila_configuration.preheat_kernel:
            # The pools' kernels start when the event loop runs; until the room's pools are
            # full, the other apps' kernels wait (the room joins at once, the rest trickle in).
            room = {os.path.dirname(path) for path in self.sizes}
            others = {
                os.path.dirname(str(nb.relative_to(self.root_dir)))
                for nb in Path(self.root_dir).rglob("*.ipynb")
            }
            self.kernel_manager.hold_back(others - room)
        if isinstance(self.kernel_manager, VisitorAwareKernelManager):
            self.kernel_manager.count_takes()
        return settings

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

        def in_background(report) -> None:
            threading.Thread(target=report, name="ready-line", daemon=True).start()

        def room_filled() -> None:
            if isinstance(self.kernel_manager, VisitorAwareKernelManager):
                self.kernel_manager.release_held()

        reporter = ReadyReporter(
            self.sizes,
            default,
            len(notebooks),
            echo,
            background=in_background,
            on_ready=room_filled,
        )
        watch = ioloop.PeriodicCallback(lambda: None, 250)

        def check() -> None:
            pools = getattr(self.kernel_manager, "_pools", {})
            if reporter.check(pools):
                watch.stop()

        watch.callback = check
        watch.start()

    def init_handlers(self) -> list:
        handlers = [
            (route, V1KernelWebsocketHandler, *rest)
            if handler is VoilaKernelWebsocketHandler
            else (route, handler, *rest)
            for route, handler, *rest in super().init_handlers()
        ]
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
