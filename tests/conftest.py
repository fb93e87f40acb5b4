"""Shared pytest options for the whole suite."""

from __future__ import annotations


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="Rewrite golden files (e.g. tests/course/goldens/) from the current output.",
    )
