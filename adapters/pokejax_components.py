"""Python client for adapters/showdown/components.js: Showdown's own Gen 1 components, for L1 tests.

One persistent `node components.js` process (Node and the pinned package found and installed by
adapters.showdown.node), JSON lines; every op takes a list of cases, so one round trip serves a
batch. `showdown_components()` returns a shared client for this Python process.
"""

from __future__ import annotations

import atexit
import json
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from adapters.showdown.node import HERE, ensure_installed, node_runtime
from equivcheck.errors import SetupError

COMPONENTS_JS = HERE / "components.js"


class ComponentsError(RuntimeError):
    """An exception inside components.js (its first line), or the process died."""


class ShowdownComponents:
    """A running components.js; `call(op, **payload)` returns the op's result."""

    def __init__(self, modules: Path | None = None) -> None:
        modules = ensure_installed() if modules is None else modules
        runtime = node_runtime()
        try:
            self.proc = subprocess.Popen(
                [str(runtime.node), str(COMPONENTS_JS), "--modules", str(modules)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
            )
        except OSError as exc:
            raise SetupError(f"could not start components.js with {runtime.node}: {exc}") from None
        self._next = 0
        self.versions = self.call("hello")

    def call(self, op: str, **payload: Any) -> Any:
        """Send one request and return its result."""
        self._next += 1
        payload.update(id=self._next, op=op)
        try:
            self.proc.stdin.write(json.dumps(payload, separators=(",", ":")) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (BrokenPipeError, OSError):
            line = ""
        if not line:
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            raise ComponentsError(f"components.js died during {op!r}: {err.strip()[-500:]}")
        resp = json.loads(line)
        if not resp.get("ok"):
            err = resp.get("error") or {}
            raise ComponentsError(f"components.js {err.get('type', 'error')} in {op}: {err.get('message', '?')}")
        return resp["result"]

    def close(self) -> None:
        """End the process."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()

    # Typed conveniences over call().

    def prng(self, cases: list[dict]) -> list[dict]:
        """Showdown's PRNG making each case's calls from its seed: [{out, seed}]."""
        return self.call("prng", cases=cases)

    def stats(self, sets: list[dict]) -> list[dict]:
        """maxhp and storedStats of Gen 1 Pokemon built from sets."""
        return self.call("stats", cases=sets)

    def boost(self, cases: list[dict]) -> list[dict]:
        """Gen 1 pokemon.boostBy: [{changed, boosts, modified}]."""
        return self.call("boost", cases=cases)

    def effectiveness(self, cases: list[tuple[str, list[str]]]) -> list[dict]:
        """dex.getEffectiveness and !dex.getImmunity of (attacking type, defending types)."""
        return self.call("effectiveness", cases=[list(c) for c in cases])

    def damage(self, cases: list[dict]) -> list[dict]:
        """Gen 1 actions.getDamage from a seed: [{damage, crit, seed, trace}]."""
        return self.call("damage", cases=cases)

    def accuracy(self, cases: list[dict]) -> list[dict]:
        """The Gen 1 accuracy check of tryMoveHit: [{kind, num, den}]."""
        return self.call("accuracy", cases=cases)

    def teams(self, seeds: list[str], format: str = "gen1randombattle") -> list[dict]:
        """Showdown's random-team generator from each seed: [{team, seed}]."""
        return self.call("teams", format=format, cases=seeds)


@lru_cache(maxsize=1)
def showdown_components() -> ShowdownComponents:
    """The shared client of this process (started on first use, closed at exit)."""
    client = ShowdownComponents()
    atexit.register(client.close)
    return client
