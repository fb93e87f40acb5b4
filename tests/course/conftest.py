"""Fixtures for course build/check tests: a throwaway project root with one small module."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.fixture_course import write_fixture_root


@pytest.fixture
def fixture_root(tmp_path: Path) -> Path:
    return write_fixture_root(tmp_path / "project")
