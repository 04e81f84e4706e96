"""A slow, faithful reference for interrupt tests: the toy walker, sleeping at each reset.

Importing registers "slow-walk-ref". With $EQUIVCHECK_TEST_MARKERS set, every finished reset
writes a file `<pid>-<n>` there, so a test can wait until episodes are really running (and see
which worker processes ran them) before it sends SIGINT.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from adapters.toy import ToyWalkRef
from equivcheck.registry import register_adapter

RESET_SECONDS = 0.05


class SlowWalkRef(ToyWalkRef):
    """ToyWalkRef whose reset takes RESET_SECONDS (an episode of a slow backend)."""

    name = "slow-walk-ref"
    _count = itertools.count()

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> Any:
        time.sleep(RESET_SECONDS)
        markers = os.environ.get("EQUIVCHECK_TEST_MARKERS")
        if markers:
            (Path(markers) / f"{os.getpid()}-{next(self._count)}").touch()
        return super().reset(seed, options)


register_adapter("slow-walk-ref", SlowWalkRef)
