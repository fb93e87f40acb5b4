"""`shequlab apps serve`: the prepared folder, the gallery, the Voila options, a busy port."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from shequlab.apps.gallery import Card, render_gallery
from shequlab.apps.serve import ServeOptions, prepare_apps, terminal_qr, voila_argv


def test_gallery_escapes_and_links_each_card():
    card = Card("p/m/case.ipynb", "标题<", "Title", "摘要", "Summary", "项目", "Program", "m")
    page = render_gallery([card], base_url="/base/")
    assert 'href="/base/voila/render/p/m/case.ipynb"' in page
    assert "标题&lt;" in page and 'name="viewport"' in page and "<script" not in page


def test_prepare_apps_copies_case_notebooks_tables_and_workshop_apps(tmp_path):
    from shequlab.curriculum import load_curriculum

    prepared = prepare_apps(tmp_path)
    modules = [m for p in load_curriculum().programs for m in p.modules]
    served = {c.path for c in prepared.cards}
    for module in modules:
        path = f"{module.program}/{module.id}/case.ipynb"
        if path in served:
            for table in module.datasets:
                assert (
                    prepared.root / module.program / module.id / "data" / f"{table}.csv"
                ).exists()
        else:
            assert f"{module.program}/{module.id}" in prepared.missing
    assert {"workshop/vote.ipynb", "workshop/rating.ipynb", "workshop/own-data.ipynb"} <= served
    assert "exercises.ipynb" not in {p.name for p in prepared.root.rglob("*")}
    html = prepared.gallery_file.read_text(encoding="utf-8")
    assert html.count('class="card"') == len(prepared.cards)


def test_voila_options_harden_the_server(tmp_path):
    prepared = prepare_apps(tmp_path)
    argv = voila_argv(ServeOptions(port=9999, pool_size=3), prepared)
    for option in (
        "--Voila.port_retries=0",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        "--preheat_kernel=True",
        "--pool_size=3",
        "--VoilaConfiguration.file_denylist=.*",
        "--VoilaConfiguration.kernel_spec_manager_class="
        "shequlab.apps.ipykernel_launcher.AppKernelSpecManager",
    ):
        assert option in argv
    assert any(a.startswith("--MappingKernelManager.cull_idle_timeout=") for a in argv)
    assert "--preheat_kernel=True" not in voila_argv(ServeOptions(preheat=False), prepared)


def test_workshop_notebooks_carry_card_text():
    for nb_file in Path(__file__).resolve().parents[2].glob("notebooks/workshop/*.ipynb"):
        card = json.loads(nb_file.read_text(encoding="utf-8"))["metadata"]["shequlab"]["card"]
        assert card["title"]["zh"] and card["summary"]["en"]


def test_terminal_qr_is_text():
    assert len(terminal_qr("http://192.168.1.5:8866/").splitlines()) > 10


@pytest.mark.server
def test_busy_port_fails_loudly(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [
                str(Path(sys.executable).with_name("shequlab")),
                "apps",
                "serve",
                "--port",
                str(port),
                "--build-dir",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert "已被占用" in done.stderr and "already in use" in done.stderr


def test_a_store_given_as_a_path_is_mounted_for_forked_kernels(tmp_path, monkeypatch):
    """`--db path/to/file.db` reaches kernels as an absolute sqlite URL whose folder the
    fork-server mounts writable (else kernels wrote into their sandbox's own /tmp, lost when the
    server stopped), and binding that folder does not make the apps folder below it writable."""
    from shequlab.apps import provisioner
    from shequlab.apps.serve import serve_environment

    monkeypatch.chdir(tmp_path)
    apps_root = tmp_path / "build" / "root"
    options = ServeOptions(workshop_db="w.db")
    env = serve_environment(options, "1234567890ab", apps_root)
    assert env["SHEQULAB_WORKSHOP_DB"] == f"sqlite:///{tmp_path / 'w.db'}"
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    server = provisioner.app_forkserver_settings()
    assert server.writable == [tmp_path]
    server.isolation = "bwrap"
    argv = server.command(tmp_path / "mpl")
    server.scratch.rmdir()
    store_bind = next(
        i for i, a in enumerate(argv) if a == "--bind" and argv[i + 1] == str(tmp_path)
    )
    apps_bind = next(
        i for i, a in enumerate(argv) if a == "--ro-bind" and argv[i + 1] == str(apps_root)
    )
    assert store_bind < apps_bind  # the read-only apps folder is bound over the store's folder
    monkeypatch.setenv("SHEQULAB_WORKSHOP_DB", str(tmp_path / "x" / "plain.db"))
    assert provisioner._store_folder() == tmp_path / "x"
