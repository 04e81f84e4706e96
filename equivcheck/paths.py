"""Where equivcheck keeps downloaded references and builds: one cache directory outside the repo."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


def cache_root() -> Path:
    """The cache root: $EQUIVCHECK_CACHE, else $XDG_CACHE_HOME/equivcheck, else ~/.cache/equivcheck."""
    env = os.environ.get("EQUIVCHECK_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "equivcheck"


def cache_dir(name: str) -> Path:
    """A per-adapter cache directory, created on demand."""
    path = cache_root() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def install_lock(directory: Path) -> Iterator[None]:
    """Hold an exclusive file lock in `directory` so parallel processes (pytest-xdist, --jobs) install once."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".install.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
