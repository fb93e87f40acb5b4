"""Keep environment.yml (conda users) in step with pyproject.toml (pip users)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]

# Conda-level entries that are the toolchain, not the project's dependencies.
CONDA_TOOLCHAIN = {"python", "pip"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def _by_name(requirements: list[str], source: str) -> dict[str, Requirement]:
    """Parse requirement strings, keyed by PEP 503 normalised name; duplicates are an error."""
    parsed: dict[str, Requirement] = {}
    for text in requirements:
        try:
            req = Requirement(text)
        except InvalidRequirement as exc:
            pytest.fail(f"{source}: {text!r} is not a valid requirement: {exc}")
        name = canonicalize_name(req.name)
        assert name not in parsed, f"{source}: {req.name} is listed twice"
        parsed[name] = req
    return parsed


def _conda_entries(env: dict) -> tuple[list[str], list[str]]:
    """Split environment.yml's dependencies into (conda specs, pip requirement strings)."""
    conda: list[str] = []
    pip: list[str] = []
    for entry in env.get("dependencies") or []:
        if isinstance(entry, dict):
            pip.extend(entry.get("pip") or [])
        else:
            conda.append(str(entry))
    return conda, pip


def _describe(req: Requirement) -> str:
    """The parts of a requirement besides its name, e.g. `[extra]>=1,<2 ; python_version<'3.12'`."""
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    marker = f" ; {req.marker}" if req.marker else ""
    return f"{extras}{req.specifier or '(any version)'}{marker}"


def _differences(expected: dict[str, Requirement], actual: dict[str, Requirement]) -> list[str]:
    lines = []
    for name in sorted(expected.keys() - actual.keys()):
        lines.append(f"- {expected[name]}    (in pyproject.toml, missing from environment.yml)")
    for name in sorted(actual.keys() - expected.keys()):
        lines.append(f"+ {actual[name]}    (in environment.yml, not in pyproject.toml)")
    for name in sorted(expected.keys() & actual.keys()):
        want, got = expected[name], actual[name]
        if (want.specifier, want.extras, want.marker) != (got.specifier, got.extras, got.marker):
            lines.append(
                f"~ {name}: pyproject.toml has {_describe(want)}, "
                f"environment.yml has {_describe(got)}"
            )
    return lines


def test_environment_yml_lists_the_same_runtime_dependencies_as_pyproject() -> None:
    expected = _by_name(_pyproject()["project"]["dependencies"], "pyproject.toml")
    conda, pip = _conda_entries(_environment())
    # Conda specs use `name=1.2`; everything else must be a plain PEP 508 requirement.
    project_conda = [c for c in conda if canonicalize_name(c.split("=")[0]) not in CONDA_TOOLCHAIN]
    actual = _by_name(project_conda + pip, "environment.yml")

    diff = _differences(expected, actual)
    assert not diff, "environment.yml and pyproject.toml disagree:\n" + "\n".join(diff)


def test_environment_yml_python_satisfies_requires_python() -> None:
    conda, _ = _conda_entries(_environment())
    pythons = [c for c in conda if c.split("=")[0].strip() == "python"]
    assert len(pythons) == 1, f"environment.yml must pin python exactly once, found {pythons}"
    version = pythons[0].split("=", 1)[1].lstrip("=")
    requires = SpecifierSet(_pyproject()["project"]["requires-python"])
    assert version in requires, (
        f"environment.yml has python={version}, but pyproject.toml requires-python is {requires}"
    )


@pytest.mark.parametrize("tool", ["pytest", "ruff"])
def test_dev_extras_include_the_tools_make_uses(tool: str) -> None:
    dev = _by_name(_pyproject()["project"]["optional-dependencies"]["dev"], "pyproject.toml [dev]")
    assert tool in dev, f"pyproject.toml [project.optional-dependencies] dev must list {tool}"
