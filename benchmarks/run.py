"""`make bench`: run benchmarks/bench_*.py and record each section in BENCHMARKS.md.

Each bench module exposes `TITLE` and `run() -> str` (a Markdown section). A section measures its
subject and its peer side by side in one run and carries its own machine and date line;
`python benchmarks/run.py grading` reruns one section and keeps the others as they were.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import platform
import re
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
        f"*Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {cpu}, {os.cpu_count()} cores, "
        f"{mem:.0f} GiB RAM, {platform.system()} {platform.release()}; Python "
        f"{platform.python_version()}, pandas {pandas.__version__}; load average "
        f"{os.getloadavg()[0]:.1f} at the start.*"
    )


HEADER = (
    "# Benchmarks\n\nRecorded by `make bench` (`benchmarks/run.py`); rerun it to refresh. "
    "Targets come from DESIGN.md's quality bars. Each section was measured in one run, the "
    "subject beside its peer.\n"
)


def existing_sections(text: str) -> dict[str, str]:
    """Sections of the current BENCHMARKS.md by title, to keep those not rerun."""
    parts = re.split(r"^## ", text, flags=re.M)[1:]
    return {p.splitlines()[0].strip(): "## " + p.rstrip() for p in parts}


def main(selected: list[str]) -> None:
    benches = sorted(HERE.glob("bench_*.py"))
    if selected:
        benches = [b for b in benches if any(s in b.stem for s in selected)]
    target = ROOT / "BENCHMARKS.md"
    sections = existing_sections(target.read_text(encoding="utf-8")) if target.exists() else {}
    for path in benches:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = mod  # so worker processes can unpickle its functions
        spec.loader.exec_module(mod)
        print(f"== {mod.TITLE}", flush=True)
        stamp = machine()
        sections[mod.TITLE] = f"## {mod.TITLE}\n\n{stamp}\n\n{mod.run()}"
        print(sections[mod.TITLE], flush=True)
        text = HEADER + "\n" + "\n\n".join(sections.values()) + "\n"
        target.write_text(text, encoding="utf-8")  # after each section: a crash keeps the rest


if __name__ == "__main__":
    main(sys.argv[1:])
