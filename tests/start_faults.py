"""Backends that cannot start, in the ways the CLI must report as setup errors (exit 2), never as
divergences. Importing registers them:

- "fault-versions-raise": constructs, but its versions() fails (a backend whose process is dead).
- "fault-walk-setup-midrun": a toy walker candidate whose 3rd reset raises SetupError (its backend
  could not be restarted mid-run).
- "fault-setup-fails": an adapter whose setup step fails (a failed download).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.toy import ToyWalkCand, ToyWalkRef
from equivcheck.errors import SetupError
from equivcheck.registry import register_adapter


class VersionsRaise(ToyWalkRef):
    """A reference whose versions() cannot reach its backend."""

    def versions(self) -> dict[str, str]:
        raise ConnectionRefusedError("backend process not running")


class SetupMidRun(ToyWalkCand):
    """The faithful walker candidate, except that its 3rd reset cannot start the backend."""

    resets = 0

    def reset(self, seed: int, options: Mapping[str, Any] | None = None) -> Any:
        SetupMidRun.resets += 1
        if SetupMidRun.resets == 3:
            raise SetupError("walker backend could not be restarted: libwalk.so missing")
        return super().reset(seed, options)


class SetupFails(ToyWalkRef):
    """A reference whose setup step (a download) fails."""

    @classmethod
    def setup(cls, progress: Any = None) -> None:
        raise SetupError("download of walker-1.0.tar.gz failed: network unreachable")


register_adapter("fault-versions-raise", VersionsRaise)
register_adapter("fault-walk-setup-midrun", SetupMidRun)
register_adapter("fault-setup-fails", SetupFails)
