"""Shared fixtures."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def example_path() -> Path:
    """The hand-checked example district."""
    return ROOT / "tests" / "data" / "example.json"
