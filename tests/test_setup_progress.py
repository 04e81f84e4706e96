"""First-use builds say what they are doing: `equivcheck setup pong-c` on an empty cache (the
wheel already downloaded, so no network) extracts and compiles with a progress line for each step."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from adapters.pong_c import build

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("kind", ["console", "callable", "stream"])
def test_build_progress_accepts_a_console_a_callable_or_a_stream(kind: str) -> None:
    heard: list[str] = []
    buffer = io.StringIO()
    progress = {"console": Console(file=buffer, width=200), "callable": heard.append, "stream": buffer}[kind]
    build._say(progress, "compiling the pong.h shim")
    assert "compiling the pong.h shim" in (heard[0] if heard else buffer.getvalue())


def test_setup_pong_c_on_an_empty_cache_prints_progress(tmp_path: Path) -> None:
    wheel = build.wheel_path()
    if not wheel.is_file() or shutil.which(os.environ.get("CC") or "cc") is None:
        pytest.skip("needs the cached PufferLib wheel and a C compiler")
    cache = tmp_path / "cache"
    (cache / "pong-c" / "wheels").mkdir(parents=True)
    shutil.copy(wheel, cache / "pong-c" / "wheels" / wheel.name)
    env = dict(os.environ, EQUIVCHECK_CACHE=str(cache), PYTHONPATH=str(ROOT), COLUMNS="200")
    out = subprocess.run([sys.executable, "-m", "equivcheck.cli", "setup", "pong-c"], capture_output=True,
                         text=True, env=env, cwd=ROOT, timeout=600, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    for step in ("setup pong-c: extracting pong.h", "setup pong-c: compiling the pong.h shim",
                 "setup pong-c: built libeqc_pong_", "setup pong-c: ok"):
        assert any(line.startswith(step) for line in lines), out.stdout
    assert list((cache / "pong-c" / "build").glob("libeqc_pong_*.so"))
