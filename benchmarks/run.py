"""`make bench`: run every benchmarks/bench_*.py and rewrite BENCHMARKS.md with the machine and date.

Each bench module exposes `TITLE` and `run() -> str` (a Markdown section). Sections are measured in
one run on one machine, so figures side by side are comparable.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import pandas

    return (
        f"- machine: {cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}\n- Python {platform.python_version()}, pandas {pandas.__version__}"
        f"\n- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )


def main(selected: list[str]) -> None:
    benches = sorted(HERE.glob("bench_*.py"))
    if selected:
        benches = [b for b in benches if any(s in b.stem for s in selected)]
    sections = []
    for path in benches:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        print(f"== {mod.TITLE}", flush=True)
        sections.append(f"## {mod.TITLE}\n\n{mod.run()}")
    text = (
        "# Benchmarks\n\nRecorded by `make bench` (`benchmarks/run.py`); rerun it to refresh. "
        "Targets come from DESIGN.md's quality bars.\n\n" + machine() + "\n\n"
        + "\n\n".join(sections) + "\n"
    )
    (ROOT / "BENCHMARKS.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main(sys.argv[1:])
