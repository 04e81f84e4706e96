"""Fetch PufferLib 2.0.2's wheel, extract pong.h and the compiled CyPong, build our C shim.

Everything lands in `equivcheck.paths.cache_dir("pong-c")`; nothing from PufferLib is copied
into the repository. `ensure_installed()` is idempotent: a second call only checks hashes.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from equivcheck.errors import SetupError
from equivcheck.paths import cache_dir, install_lock

PUFFERLIB_VERSION = "2.0.2"
WHEEL_NAME = f"pufferlib-{PUFFERLIB_VERSION}-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
PONG_H_MEMBER = "pufferlib/ocean/pong/pong.h"
CY_PONG_MEMBER = "pufferlib/ocean/pong/cy_pong.cpython-311-x86_64-linux-gnu.so"
SHIM_DIR = Path(__file__).resolve().parent
SHIM_SOURCE = SHIM_DIR / "shim.c"
RAYLIB_STUB = SHIM_DIR / "raylib.h"
CFLAGS = ("-O2", "-fPIC", "-shared", "-std=gnu11", "-fvisibility=hidden", "-ffp-contract=off", "-fno-fast-math")

Progress = Callable[[str], None] | Any | None
"""Who hears what a first-use build is doing: a callable taking one line, an object with print()
(a rich Console) or write() (a stream), or None for silence."""


def _say(progress: Progress, message: str) -> None:
    """Report one line to `progress`, whichever of the three kinds it is."""
    if progress is None:
        return
    if hasattr(progress, "print"):
        progress.print(message)
    elif callable(progress):
        progress(message)
    elif hasattr(progress, "write"):
        progress.write(message + "\n")


def check_platform() -> None:
    """Raise SetupError unless this is CPython 3.11+ on Linux x86-64 with glibc."""
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        raise SetupError(
            f"pong-c supports Linux x86-64 only (PufferLib {PUFFERLIB_VERSION}'s manylinux wheel); "
            f"this is {sys.platform}/{platform.machine()}"
        )
    libc, _ = platform.libc_ver()
    if libc != "glibc":
        raise SetupError("pong-c needs glibc: the reference draws from glibc's rand()")
    if sys.implementation.name != "cpython" or sys.version_info < (3, 11):
        raise SetupError("pong-c needs CPython >= 3.11")


def pong_dir() -> Path:
    """Where the extracted PufferLib files live."""
    return cache_dir("pong-c") / f"pufferlib-{PUFFERLIB_VERSION}"


def wheel_path() -> Path:
    """Path of the downloaded wheel (may not exist yet)."""
    return cache_dir("pong-c") / "wheels" / WHEEL_NAME


def pong_h_path() -> Path:
    """Path of the extracted pong.h."""
    return pong_dir() / PONG_H_MEMBER


def cy_pong_path() -> Path:
    """Path of the extracted compiled CyPong extension module."""
    return pong_dir() / CY_PONG_MEMBER


def _download_wheel(progress: Progress) -> Path:
    target = wheel_path()
    if target.is_file() and zipfile.is_zipfile(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    _say(progress, f"downloading the pufferlib {PUFFERLIB_VERSION} wheel (PufferLib's C Pong) with pip into {target.parent}")
    start = time.perf_counter()
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--python-version", "3.11", "--platform", "manylinux_2_17_x86_64",
        "--implementation", "cp", "--abi", "cp311",
        f"pufferlib=={PUFFERLIB_VERSION}", "-d", str(target.parent), "--quiet",
    ]
    try:
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SetupError(f"pip download of pufferlib=={PUFFERLIB_VERSION} failed: {exc}") from exc
    if proc.returncode != 0 or not target.is_file():
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise SetupError(f"pip download of pufferlib=={PUFFERLIB_VERSION} failed: {last}")
    _say(progress, f"downloaded {target.name} ({target.stat().st_size / 2**20:.1f} MiB, {time.perf_counter() - start:.0f} s)")
    return target


def _extract(wheel: Path, progress: Progress) -> None:
    members = (PONG_H_MEMBER, CY_PONG_MEMBER)
    if all((pong_dir() / m).is_file() for m in members):
        return
    _say(progress, "extracting pong.h and cy_pong from the wheel")
    try:
        with zipfile.ZipFile(wheel) as zf:
            for member in members:
                dest = pong_dir() / member
                dest.parent.mkdir(parents=True, exist_ok=True)
                tmp = dest.with_suffix(dest.suffix + ".part")
                with zf.open(member) as src, open(tmp, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                os.replace(tmp, dest)
    except (KeyError, zipfile.BadZipFile, OSError) as exc:
        raise SetupError(f"cannot extract pong.h from {wheel.name}: {exc}") from exc


def _build_key() -> str:
    digest = hashlib.sha256()
    for path in (SHIM_SOURCE, RAYLIB_STUB, pong_h_path()):
        digest.update(path.read_bytes())
    digest.update(" ".join(CFLAGS).encode())
    return digest.hexdigest()[:16]


def shim_path() -> Path:
    """Path of the built shim for the current sources (may not exist yet)."""
    return cache_dir("pong-c") / "build" / f"libeqc_pong_{_build_key()}.so"


def _compile(progress: Progress) -> Path:
    out = shim_path()
    if out.is_file():
        return out
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise SetupError("pong-c needs a C compiler (cc or gcc) to build its shim")
    out.parent.mkdir(parents=True, exist_ok=True)
    _say(progress, f"compiling the pong.h shim with {compiler} into {out}")
    start = time.perf_counter()
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    cmd = [
        compiler, *CFLAGS, f"-I{SHIM_DIR}", f"-I{pong_h_path().parent}",
        str(SHIM_SOURCE), "-o", str(tmp), "-lm",
    ]
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if proc.returncode != 0:
        first = (proc.stderr.strip().splitlines() or ["no output"])[0]
        raise SetupError(f"compiling the pong-c shim failed: {first}")
    os.replace(tmp, out)
    _say(progress, f"built {out.name} ({time.perf_counter() - start:.1f} s)")
    return out


def ensure_installed(progress: Progress = None) -> Path:
    """Download, extract and build as needed; return the path of the built shim library."""
    check_platform()
    with install_lock(cache_dir("pong-c")):
        wheel = _download_wheel(progress)
        _extract(wheel, progress)
        return _compile(progress)
