"""The gameboy case needs PyBoy (the [gameboy] extra) and cargo; without them its tests skip with one line."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

_MISSING = []
if importlib.util.find_spec("pyboy") is None:
    _MISSING.append("PyBoy 2.8.1 (pip install -e '.[gameboy]')")
if shutil.which("cargo") is None and not (Path.home() / ".cargo" / "bin" / "cargo").exists():
    _MISSING.append("cargo (Rust) to build EmuRust")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _MISSING:
        return
    skip = pytest.mark.skip(reason=f"gameboy case: missing {', '.join(_MISSING)}")
    for item in items:
        if "cases/gameboy" in str(item.fspath) and "test_gbrom" not in str(item.fspath):
            item.add_marker(skip)
