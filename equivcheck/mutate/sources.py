"""Which source a mutation run changes: the modules a candidate adapter declares, or --module.

An adapter declares `source_modules = ("pkg.mod", "pkg.other:Class", ...)`: its own code,
never a third party's. `module:Scope` limits the mutants to one class or function of a module
that also holds code that is not the candidate's (a reference side, a test harness).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from equivcheck.errors import UsageError


@dataclass
class Target:
    """One module to mutate: its import name, its file, and the scopes within it (empty: all of it)."""

    name: str
    origin: Path
    scopes: tuple[str, ...] = field(default_factory=tuple)

    def source(self) -> str:
        return self.origin.read_text()


def declared(adapter_cls: Any, adapter_name: str) -> tuple[str, ...]:
    """The adapter's `source_modules`; UsageError when it declares none."""
    modules = tuple(getattr(adapter_cls, "source_modules", ()) or ())
    if not modules:
        raise UsageError(f"adapter '{adapter_name}' declares no source_modules; pass --module MODULE[:SCOPE]")
    return modules


def resolve(specs: Sequence[str]) -> list[Target]:
    """`module[:Scope]` strings -> Targets (one per module, scopes merged), in first-seen order.

    Finding a module's file imports its parent packages, never the module itself.
    """
    targets: dict[str, Target] = {}
    whole: set[str] = set()
    for spec in specs:
        name, _, scope = spec.partition(":")
        name = name.strip()
        if not name:
            raise UsageError(f"--module: empty module name in {spec!r}")
        try:
            found = importlib.util.find_spec(name)
        except (ImportError, ValueError) as exc:
            raise UsageError(f"module '{name}' cannot be found: {exc}") from exc
        if found is None or not found.origin or not str(found.origin).endswith(".py"):
            raise UsageError(f"module '{name}' has no Python source file to mutate")
        target = targets.setdefault(name, Target(name, Path(found.origin)))
        if not scope.strip():
            whole.add(name)
        elif scope.strip() not in target.scopes:
            target.scopes = (*target.scopes, scope.strip())
    for name in whole:
        targets[name].scopes = ()
    return list(targets.values())
