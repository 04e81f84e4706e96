"""RayExecutor: tasks (fixed shards) on Ray actors, a local Ray runtime or a cluster.

Each actor runs `initializer(*initargs)` once and keeps what its tasks build (its own reference
and candidate adapters) for its life; nothing is shared between actors. Results reach `on_result`
as they finish; the caller merges them in a fixed order. An actor that dies has its shard retried
once on a fresh actor; a second death is handed to `lost(task, message)`, whose result stands in
for the shard (the caller makes it a crash divergence), and the other shards go on.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

from equivcheck.errors import SetupError, WorkerError

POLL_SECONDS = 0.2
"""How often the driver wakes while waiting for results (an interrupt is seen within this)."""
RETURN_SECONDS = 3.0
"""After an interrupt, how long finished-but-unfetched shards get to reach the driver."""
CONNECT_SECONDS = 3.0
"""How long an explicit --address gets to answer a TCP connect before the run is a setup error."""
LOCAL_OBJECT_STORE_BYTES = 100 * 1024 * 1024
"""Object store of a local runtime: shards' results are small, so keep memory low."""
ATTEMPTS = 2
"""A shard runs at most this many times: once, and once more on a fresh actor if its actor died."""
INSTALL_HINT = "install the [ray] extra: pip install 'equivcheck[ray]'"


def import_ray() -> Any:
    """The ray module, or a one-line SetupError saying how to install it."""
    try:
        import ray
    except ImportError as exc:
        raise SetupError(f"--executor ray needs Ray, which is not installed; {INSTALL_HINT}") from exc
    return ray


def connect(address: str | None, workers: int) -> Any:
    """Start a local Ray runtime (address None) or join the cluster at `address`; reuse one already joined.

    An explicit host:port that does not answer within CONNECT_SECONDS, or any failure of
    ray.init, is a one-line SetupError (exit 2)."""
    ray = import_ray()
    if ray.is_initialized():
        return ray
    if address not in (None, "", "auto"):
        _check_reachable(address)
    kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                              "configure_logging": False, "ignore_reinit_error": True}
    if address:
        kwargs["address"] = address
    else:
        kwargs.update(num_cpus=max(1, workers), object_store_memory=LOCAL_OBJECT_STORE_BYTES)
    try:
        ray.init(**kwargs)
    except Exception as exc:  # noqa: BLE001 - any failure to join is a setup problem, never a divergence
        text = (str(exc).strip().splitlines() or [""])[0]
        where = f"the Ray cluster at {address}" if address else "a local Ray runtime"
        raise SetupError(f"cannot start or reach {where}: {type(exc).__name__}: {text}") from exc
    return ray


def _check_reachable(address: str) -> None:
    """A TCP connect to the address's host:port (ray.init itself may wait minutes on a dead one)."""
    hostport = address.split("://", 1)[-1]
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise SetupError(f"--address {address!r}: expected auto, host:port or ray://host:port")
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_SECONDS):
            pass
    except OSError as exc:
        raise SetupError(f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}") from exc


class _Actor:
    """One worker: runs the initializer once, then tasks, keeping its process state between them."""

    def __init__(self, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
        if initializer is not None:
            initializer(*initargs)

    def call(self, fn: Callable[[Any], Any], task: Any) -> Any:
        return fn(task)

    def pid(self) -> int:
        import os

        return os.getpid()


class RayExecutor:
    """Runs tasks on `workers` Ray actors (one CPU each); `address` None starts a local runtime."""

    def __init__(self, workers: int, initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = (), address: str | None = None,
                 lost: Callable[[Any, str], Any] | None = None) -> None:
        self.workers = max(1, int(workers))
        self.initializer = initializer
        self.initargs = initargs
        self.address = address
        self.lost = lost
        self.actors: list[Any] = []
        self.retries = 0

    def run(self, fn: Callable[[Any], Any], tasks: Iterable[Any], on_result: Callable[[Any], bool | None]) -> None:
        """Run `fn` on every task, one at a time per actor; each result goes to `on_result` in completion
        order. A task's exception is raised here; an actor's death retries its shard once (see module doc)."""
        ray = connect(self.address, self.workers)
        remote = ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)(_Actor)
        todo = iter(tasks)
        running: dict[Any, tuple[Any, Any, int]] = {}

        def new_actor() -> Any:
            actor = remote.remote(self.initializer, self.initargs)
            self.actors.append(actor)
            return actor

        def submit(actor: Any, task: Any, attempt: int) -> None:
            running[actor.call.remote(fn, task)] = (actor, task, attempt)

        try:
            for _ in range(self.workers):
                task = next(todo, _END)
                if task is _END:
                    break
                submit(new_actor(), task, 1)
            while running:
                done, _ = ray.wait(list(running), num_returns=1, timeout=POLL_SECONDS)
                for ref in done:
                    actor, task, attempt = running.pop(ref)
                    try:
                        result = ray.get(ref)
                    except ray.exceptions.RayActorError as exc:
                        self._drop(ray, actor)
                        if attempt < ATTEMPTS:
                            self.retries += 1
                            submit(new_actor(), task, attempt + 1)
                            continue
                        result = self._lost(task, exc)
                        actor = None
                    except ray.exceptions.RayTaskError as exc:
                        raise exc.as_instanceof_cause() from None
                    if on_result(result) is False:
                        return
                    nxt = next(todo, _END)
                    if nxt is not _END:
                        submit(actor if actor is not None else new_actor(), nxt, 1)
        except KeyboardInterrupt:
            _collect_partial(ray, running, on_result)
            raise
        finally:
            for actor in self.actors:
                self._drop(ray, actor)
            self.actors = []

    def _lost(self, task: Any, exc: BaseException) -> Any:
        message = f"a Ray actor died twice running this shard ({type(exc).__name__}: {_first_line(exc)})"
        if self.lost is None:
            raise WorkerError(message) from exc
        return self.lost(task, message)

    @staticmethod
    def _drop(ray: Any, actor: Any) -> None:
        try:
            ray.kill(actor, no_restart=True)
        except Exception:  # noqa: BLE001, S110 - an actor already gone needs no kill
            pass


_END = object()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:200]


def _collect_partial(ray: Any, running: dict[Any, Any], on_result: Callable[[Any], bool | None]) -> None:
    """Hand over the shards that finish within RETURN_SECONDS of an interrupt; the rest are abandoned."""
    deadline = time.monotonic() + RETURN_SECONDS
    pending = list(running)
    while pending and time.monotonic() < deadline:
        done, pending = ray.wait(pending, num_returns=1, timeout=max(0.0, deadline - time.monotonic()))
        for ref in done:
            try:
                on_result(ray.get(ref))
            except Exception:  # noqa: BLE001, S112 - a shard that failed while stopping adds nothing
                continue
