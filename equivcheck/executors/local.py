"""LocalProcessExecutor: tasks in spawned worker processes, results as they finish, prompt stop.

Workers ignore SIGINT: Ctrl-C (to the whole process group, or SIGINT to the parent alone) is
handled by the parent, which cancels the queued tasks and terminates the workers, so finished
results are kept and nothing plays on after the interrupt.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from equivcheck.errors import WorkerError

POLL_SECONDS = 0.2
"""How often the parent wakes while waiting for results (an interrupt is seen within this)."""
STOP_GRACE_SECONDS = 5.0
"""How long a terminated worker gets to exit before it is killed."""


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer(*initargs)


class LocalProcessExecutor:
    """Runs tasks in `workers` spawned processes; `initializer(*initargs)` runs once in each."""

    def __init__(self, workers: int, initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = (), in_flight: int | None = None) -> None:
        self.workers = max(1, int(workers))
        self.initializer = initializer
        self.initargs = initargs
        self.in_flight = in_flight or 2 * self.workers

    def run(self, fn: Callable[[Any], Any], tasks: Iterable[Any], on_result: Callable[[Any], bool | None]) -> None:
        """Run `fn` on every task, at most `in_flight` queued at a time; each result goes to `on_result`
        in completion order. A task's exception is raised here; a worker that dies is a WorkerError."""
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("spawn"),
                                   initializer=_start_worker, initargs=(self.initializer, self.initargs))
        finished = False
        try:
            todo = iter(tasks)
            pending: set[Future[Any]] = set()

            def refill() -> None:
                while len(pending) < self.in_flight:
                    task = next(todo, _END)
                    if task is _END:
                        return
                    pending.add(pool.submit(fn, task))

            refill()
            while pending:
                done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                for fut in done:
                    try:
                        result = fut.result()
                    except BrokenProcessPool as exc:
                        raise WorkerError(
                            "a worker process died (a backend crashed hard: a segfault or out of memory); "
                            "rerun with --jobs 1 to see which side"
                        ) from exc
                    if on_result(result) is False:
                        return
                refill()
            finished = True
        finally:
            if finished:
                pool.shutdown(wait=True)
            else:
                _stop(pool)


_END = object()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what is queued and terminate the workers now (what they were running is abandoned)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        proc.join(STOP_GRACE_SECONDS)
        if proc.is_alive():
            proc.kill()
            proc.join(STOP_GRACE_SECONDS)
