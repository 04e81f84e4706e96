"""Build EmuRust's Python module from envs/emurust with cargo (release, --locked), cached.

The built library is copied to ~/.cache/equivcheck/emurust/emurust-<source hash>.so and loaded
from there; a file lock makes concurrent pytest workers wait for one build. Without cargo the
import raises SetupError naming what is missing.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from equivcheck.errors import SetupError

CRATE = Path(__file__).resolve().parent.parent / "envs" / "emurust"
CACHE = Path(os.environ.get("EQUIVCHECK_CACHE", Path.home() / ".cache" / "equivcheck")) / "emurust"
_MODULE: ModuleType | None = None


def source_hash() -> str:
    """sha256 over Cargo.toml, Cargo.lock and src/*.rs: the build's identity."""
    h = hashlib.sha256()
    for p in [CRATE / "Cargo.toml", CRATE / "Cargo.lock", *sorted((CRATE / "src").glob("*.rs"))]:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def library_path() -> Path:
    """Where the built module for the current sources lives."""
    return CACHE / f"emurust-{source_hash()}.so"


def ensure_built(progress: Any = None) -> Path:
    """Build once per source hash (idempotent, safe under parallel workers)."""
    target = library_path()
    if target.exists():
        return target
    cargo = shutil.which("cargo") or str(Path.home() / ".cargo" / "bin" / "cargo")
    if not Path(cargo).exists():
        raise SetupError("the gameboy case needs cargo (Rust >= 1.75) to build EmuRust: install rustup, then rerun")
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            return target
        msg = f"building EmuRust (cargo build --release) in {CRATE} ..."
        print(msg, file=sys.stderr, flush=True) if progress is None else progress(msg)
        env = {**os.environ, "PYO3_PYTHON": sys.executable}
        proc = subprocess.run([cargo, "build", "--release", "--locked"], cwd=CRATE, env=env,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            tail = proc.stderr.strip().splitlines()[-1:] or ["unknown error"]
            raise SetupError(f"cargo build of EmuRust failed: {tail[0]}")
        built = CRATE / "target" / "release" / "libemurust.so"
        tmp = target.with_suffix(".tmp")
        shutil.copy2(built, tmp)
        os.replace(tmp, target)
    return target


def load(progress: Any = None) -> ModuleType:
    """The `emurust` extension module (built on first use)."""
    global _MODULE
    if _MODULE is None:
        path = ensure_built(progress)
        spec = importlib.util.spec_from_file_location("emurust", path)
        if spec is None or spec.loader is None:
            raise SetupError(f"cannot load EmuRust from {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _MODULE = module
    return _MODULE
