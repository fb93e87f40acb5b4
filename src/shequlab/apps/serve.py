"""`shequlab apps serve`: prepare the app folder and gallery, then run Voila with workshop settings.

The served folder holds only what the apps need: each module's case.ipynb with its tables in
data/, and the workshop participation apps. Voila preheats one kernel pool per notebook in it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

from shequlab.apps.gallery import Card, render_gallery
from shequlab.apps.provisioner import APPS_ROOT_ENV
from shequlab.apps.room import pool_sizes, unknown_room_apps
from shequlab.layout.project import CASE_NOTEBOOK, Project, project_root
from shequlab.widgets.header import MODULE_FILE

WORKSHOP_GROUP = ("工作坊互动", "Workshop participation")
APP_TEMPLATE = "shequlab"
VOILA_TEMPLATES = ("lab",)  # Voila's own page, for notebooks with widgets our page lacks
TEMPLATE_ROOT = Path(__file__).parent / "share"  # a Jupyter data dir: voila/templates/shequlab
FRONTEND_DIR = Path(__file__).parent / "frontend"  # its source; `make install` builds it
APP_SCRIPT = TEMPLATE_ROOT / "voila" / "templates" / APP_TEMPLATE / "static" / "shequlab-app.js"


@dataclass
class ServeOptions:
    """How to run the app server; defaults suit one facilitator's laptop."""

    program: str | None = None  # only this program's case apps (workshop apps always)
    port: int = 8866
    host: str = "127.0.0.1"  # 0.0.0.0 lets phones on the same network join
    pool_size: int = 1  # preheated kernels kept ready per app
    room: int = 0  # participants expected at once: kernels kept ready per participation app
    room_apps: list[str] = field(default_factory=list)  # case apps (module ids) sized for the room
    fork_kernels: bool = True  # app kernels forked from a warm, sandboxed fork-server
    cull_idle_timeout: int = 600  # seconds an unconnected idle kernel lives (closed tabs)
    cull_interval: int = 30
    preheat: bool = True
    build_dir: Path | None = None  # default: <project>/build/apps
    workshop_db: str | None = None  # path or SQLAlchemy URL; default from the workshop store
    facilitator_key: str | None = None  # default: $SHEQULAB_FACILITATOR_KEY or random
    # The app page: "shequlab" (server-rendered outputs, one small widget script, no CDN) or
    # Voila's "lab" page, which loads JupyterLab's widget extensions (third-party widgets).
    template: str = APP_TEMPLATE
    skipped: list[str] = field(default_factory=list)  # modules without a case.ipynb (filled in)


class ServeError(RuntimeError):
    """The server cannot start; the message says what to do (Chinese / English)."""


@dataclass(frozen=True)
class PreparedApps:
    """The folder Voila serves and the gallery page written beside it."""

    root: Path  # served notebooks
    gallery_file: Path
    cards: list[Card]
    missing: list[str]  # curriculum modules that have no case.ipynb yet


def prepare_apps(build_dir: Path, program: str | None = None) -> PreparedApps:
    """Copy each case.ipynb with its tables and header text, and the workshop apps, to build_dir."""
    from shequlab.curriculum import load_curriculum

    project = Project.at()
    curriculum = load_curriculum(project.root)
    served = build_dir / "root"
    if served.exists():
        shutil.rmtree(served)  # a build product of this command: rebuilt on every start
    served.mkdir(parents=True)
    cards, missing = [], []
    for loaded in curriculum.programs:
        if program is not None and loaded.id != program:
            continue
        title = loaded.program.title
        for module in loaded.modules:
            source = project.case_notebook(loaded.id, module.id)
            if not source.exists():
                missing.append(f"{loaded.id}/{module.id}")
                continue
            target = served / loaded.id / module.id
            (target / "data").mkdir(parents=True)
            shutil.copy2(source, target / CASE_NOTEBOOK)
            # The app's header reads its text from here, so the app kernel need not load
            # curriculum/.
            (target / MODULE_FILE).write_text(
                json.dumps(module.app_text(), ensure_ascii=False, indent=1), encoding="utf-8"
            )
            for table in module.datasets:
                shutil.copy2(_table_file(project, table), target / "data" / f"{table}.csv")
            cards.append(
                Card(
                    path=f"{loaded.id}/{module.id}/case.ipynb",
                    title_zh=module.title.zh,
                    title_en=module.title.en,
                    summary_zh=module.summary.zh,
                    summary_en=module.summary.en,
                    group_zh=title.zh,
                    group_en=title.en,
                    badge=module.id,
                )
            )
    if program is not None and not any(p.id == program for p in curriculum.programs):
        known = ", ".join(p.id for p in curriculum.programs)
        raise ServeError(
            f"没有名为 {program!r} 的培训项目 / no program {program!r}; known: {known}"
        )
    cards += _copy_workshop_apps(project.workshop_apps_dir, served / "workshop")
    gallery = build_dir / "gallery.html"
    gallery.write_text(render_gallery(cards), encoding="utf-8")
    return PreparedApps(served, gallery, cards, missing)


def _table_file(project: Project, table: str) -> Path:
    """The table's file, as datapackage.json names it (read once per Project)."""
    try:
        return project.table_files[table]
    except KeyError:
        raise ServeError(
            f"数据包里没有表 {table!r} / no table {table!r} in datapackage.json"
        ) from None


def _copy_workshop_apps(source: Path, target: Path) -> list[Card]:
    """The participation apps carry their card text in notebook metadata (shequlab.card)."""
    cards = []
    for nb_file in sorted(source.glob("*.ipynb")):
        card = json.loads(nb_file.read_text(encoding="utf-8"))["metadata"]["shequlab"]["card"]
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(nb_file, target / nb_file.name)
        cards.append(
            Card(
                path=f"workshop/{nb_file.name}",
                title_zh=card["title"]["zh"],
                title_en=card["title"]["en"],
                summary_zh=card["summary"]["zh"],
                summary_en=card["summary"]["en"],
                group_zh=WORKSHOP_GROUP[0],
                group_en=WORKSHOP_GROUP[1],
                badge=nb_file.stem,
            )
        )
    return cards


def voila_argv(options: ServeOptions, prepared: PreparedApps) -> list[str]:
    """Voila command-line options (names checked against voila 0.5.13's configuration)."""
    argv = [
        str(prepared.root),
        "--no-browser",
        f"--port={options.port}",
        f"--Voila.ip={options.host}",
        "--Voila.port_retries=0",  # a busy port must fail, not silently move to the next one
        f"--ShequlabVoila.gallery_file={prepared.gallery_file}",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--VoilaConfiguration.template={options.template}",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        # Nothing under /voila/files: the apps read their tables in the kernel, never the browser.
        "--VoilaConfiguration.file_allowlist=(?!)",  # a pattern that matches nothing
        "--VoilaConfiguration.file_denylist=.*",
        # Closing a tab does not shut its kernel down (the shutdown POST fails the xsrf check),
        # so kernels without a connection are culled once idle; pooled kernels are never culled.
        "--VoilaConfiguration.multi_kernel_manager_class="
        "shequlab.apps.server.VisitorAwareKernelManager",
        # App kernels: IPython kernels without the debugger and history database, which give
        # memory back once idle (shequlab.apps.ipykernel_launcher).
        "--VoilaConfiguration.kernel_spec_manager_class="
        "shequlab.apps.ipykernel_launcher.AppKernelSpecManager",
        # Each page render (a pool refill, a visitor beyond the pool) waits for its kernel:
        # ready at its first reply, not 200 ms later (jupyter_client's iopub flush).
        "--ServerKernelManager.client_class=shequlab.forking.client.QuickReadyClient",
        f"--MappingKernelManager.cull_idle_timeout={options.cull_idle_timeout}",
        f"--MappingKernelManager.cull_interval={options.cull_interval}",
        "--MappingKernelManager.cull_connected=False",
        # nbclient waits only 4 s for a cell's outputs after its reply; a busy machine (many
        # kernels preheating at once) then drops widget outputs and the page never shows them.
        "--VoilaExecutor.iopub_timeout=60",
    ]
    if options.fork_kernels:
        argv.append("--AppKernelSpecManager.fork=True")  # the shequlab-fork provisioner
    if options.preheat:
        notebooks = [card.path for card in prepared.cards]
        sizes = pool_sizes(notebooks, options.pool_size, options.room, options.room_apps)
        argv += [
            "--preheat_kernel=True",
            f"--pool_size={options.pool_size}",
            "--VoilaConfiguration.progressive_rendering=False",
            f"--ShequlabVoila.pool_sizes={json.dumps(sizes)}",
        ]
    return argv


def check_room(options: ServeOptions, prepared: PreparedApps) -> None:
    """Refuse a negative room or a --room-app that names no served app, before anything starts."""
    if options.room < 0:
        raise ServeError(f"--room 不能为负数 / --room must be 0 or more, not {options.room}")
    if options.room_apps and not options.room:
        raise ServeError("--room-app 需要同时给出 --room N / --room-app needs --room N")
    unknown = unknown_room_apps([card.path for card in prepared.cards], options.room_apps)
    if unknown:
        known = ", ".join(c.badge for c in prepared.cards)
        raise ServeError(
            f"没有这个应用：{', '.join(unknown)} / no such app: {', '.join(unknown)}; "
            f"known: {known}"
        )


def check_port_free(host: str, port: int) -> None:
    """Fail loudly, in both languages, when the port is taken (Voila would quietly pick another)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise ServeError(
                f"端口 {port} 已被占用，请关闭占用它的程序或换一个端口：shequlab apps serve "
                f"--port {port + 1} / port {port} is already in use ({exc.strerror}); stop the "
                f"other server or choose another port."
            ) from exc


def lan_address() -> str:
    """This machine's address on the local network (no packet is sent), else 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("10.255.255.255", 1))
            return sock.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def public_url(options: ServeOptions) -> str:
    """The address participants open: the LAN address when serving on all interfaces."""
    host = lan_address() if options.host in ("0.0.0.0", "::") else options.host
    return f"http://{host}:{options.port}/"


def terminal_qr(url: str) -> str:
    """A QR code of `url` drawn with text characters, for phones to scan off the terminal."""
    import io

    import qrcode

    qr = qrcode.QRCode(border=1)
    qr.add_data(url)
    out = io.StringIO()
    qr.print_ascii(out=out, invert=True)
    return out.getvalue()


def facilitator_key(options: ServeOptions) -> str:
    """The key shown to the facilitator: given, from $SHEQULAB_FACILITATOR_KEY, or new."""
    from shequlab.workshop.facilitator import new_key

    return options.facilitator_key or os.environ.get("SHEQULAB_FACILITATOR_KEY") or new_key()


def serve_environment(options: ServeOptions, key: str, root: Path) -> dict[str, str]:
    """Variables kernels inherit: the shared workshop store and the facilitator key's salted
    hash (never the key: a kernel checks a key typed into it, it cannot recover one)."""
    from shequlab.workshop.facilitator import KEY_HASH_ENV, key_hash
    from shequlab.workshop.store import default_url

    db = options.workshop_db
    # A file path becomes an absolute sqlite URL: kernels run in another folder, and the
    # fork-server mounts the folder of a sqlite URL's file (any other path inside its sandbox is
    # its own scratch space, where entries would be lost when the server stops).
    url = (db if "://" in db else f"sqlite:///{Path(db).resolve()}") if db else default_url()
    return {
        "SHEQULAB_WORKSHOP_DB": url,
        KEY_HASH_ENV: key_hash(key),
        "SHEQULAB_ROOT": str(project_root()),
        APPS_ROOT_ENV: str(root),
    }


def use_app_template() -> None:
    """Put shequlab's Voila template on the Jupyter data path; its page script must be built."""
    if not APP_SCRIPT.exists():
        raise ServeError(
            f"应用页面脚本尚未构建，请先运行 make install / the app page script {APP_SCRIPT} is "
            f"not built: run `make install` (npm ci && npm run build in {FRONTEND_DIR})."
        )
    others = os.environ.get("JUPYTER_PATH", "").split(os.pathsep)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        dict.fromkeys([str(TEMPLATE_ROOT), *filter(None, others)])
    )


def serve(options: ServeOptions, echo=print) -> None:
    """Prepare the apps, print where to find them, and run Voila until interrupted."""
    check_port_free(options.host, options.port)
    if options.template == APP_TEMPLATE:
        use_app_template()
    elif options.template not in VOILA_TEMPLATES:
        raise ServeError(
            f"没有名为 {options.template!r} 的页面模板 / no page template {options.template!r}; "
            f"choose {APP_TEMPLATE} or {', '.join(VOILA_TEMPLATES)}"
        )
    build_dir = options.build_dir or Project.at().apps_build_dir
    prepared = prepare_apps(build_dir, options.program)
    check_room(options, prepared)
    key = facilitator_key(options)
    env = serve_environment(options, key, prepared.root)
    os.environ.pop("SHEQULAB_FACILITATOR_KEY", None)  # kernels inherit os.environ
    os.environ.update(env)
    for module in prepared.missing:
        echo(f"注意：{module} 还没有 case.ipynb，未列入 / note: {module} has no case.ipynb yet")
    url = public_url(options)
    echo(f"案例应用 / apps ({len(prepared.cards)}): {url}")
    echo(f"主持人口令 / facilitator key: {key}")
    echo(f"工作坊数据 / workshop store: {env['SHEQULAB_WORKSHOP_DB']}")
    if options.host not in ("127.0.0.1", "localhost"):
        echo("用手机扫码加入 / scan to join:\n" + terminal_qr(url))
    sys.stdout.flush()
    if options.fork_kernels:
        from shequlab.apps.provisioner import prestart_app_forkserver

        prestart_app_forkserver()  # its imports overlap with Voila's own start-up
    from shequlab.apps.server import main

    main(voila_argv(options, prepared))
