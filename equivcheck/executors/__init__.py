"""Executors: where a tier's independent tasks (rollout episodes) run.

An executor runs `fn(task)` for each task, hands each result to `on_result` as soon as it exists
(so an interrupted run keeps everything that finished), and stops its workers at once when the
run is interrupted, a task raises, or `on_result` returns False. `LocalProcessExecutor` uses
spawned processes on this machine; another backend (a cluster) implements the same `run`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from equivcheck.executors.local import LocalProcessExecutor


class Executor(Protocol):
    """What the rollout driver needs from an executor."""

    def run(self, fn: Callable[[Any], Any], tasks: Iterable[Any], on_result: Callable[[Any], bool | None]) -> None:
        """Run every task (fn must be importable by name); stop early when on_result returns False."""


__all__ = ["Executor", "LocalProcessExecutor"]
