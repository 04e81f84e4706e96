"""LocalProcessExecutor: tasks in spawned worker processes, results as they finish, prompt stop.

Workers ignore SIGINT: Ctrl-C (to the whole process group, or SIGINT to the parent alone) is
handled by the parent. It sets a stop event that running tasks poll between their items (so a
task returns what it finished), collects those partial results for up to RETURN_SECONDS, then
terminates the workers: finished work is kept and nothing plays on after the interrupt.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from equivcheck.errors import WorkerError

POLL_SECONDS = 0.2
"""How often the parent wakes while waiting for results (an interrupt is seen within this)."""
RETURN_SECONDS = 3.0
"""After an interrupt, how long running tasks get to return what they finished."""
KILL_SECONDS = 5.0
"""How long a terminated worker gets to exit before it is killed."""

_stop_event: Any = None


def stop_requested() -> bool:
    """True inside a worker once the parent asked the running tasks to return early (never in the parent)."""
    return _stop_event is not None and _stop_event.is_set()


def _start_worker(stop: Any, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    global _stop_event
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _stop_event = stop
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
        in completion order. A task's exception is raised here; a worker that dies is a WorkerError.
        On an interrupt, running tasks' partial results still reach `on_result` before it is re-raised."""
        context = mp.get_context("spawn")
        stop = context.Event()
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context, initializer=_start_worker,
                                   initargs=(stop, self.initializer, self.initargs))
        pending: set[Future[Any]] = set()
        finished = False
        try:
            todo = iter(tasks)

            def refill() -> None:
                while len(pending) < self.in_flight:
                    task = next(todo, _END)
                    if task is _END:
                        return
                    pending.add(pool.submit(fn, task))

            refill()
            while pending:
                done, _ = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                for fut in done:
                    pending.discard(fut)
                    if on_result(_result(fut)) is False:
                        return
                refill()
            finished = True
        except KeyboardInterrupt:
            _collect_partial(pending, stop, on_result)
            raise
        finally:
            if finished:
                pool.shutdown(wait=True)
            else:
                _stop(pool)


_END = object()


def _result(fut: Future[Any]) -> Any:
    try:
        return fut.result()
    except BrokenProcessPool as exc:
        raise WorkerError(
            "a worker process died (a backend crashed hard: a segfault or out of memory); "
            "rerun with --jobs 1 to see which side"
        ) from exc


def _collect_partial(pending: set[Future[Any]], stop: Any, on_result: Callable[[Any], bool | None]) -> None:
    """Ask running tasks to return early and hand their results over, for at most RETURN_SECONDS."""
    stop.set()
    for fut in pending:
        fut.cancel()
    deadline = time.monotonic() + RETURN_SECONDS
    live = {f for f in pending if not f.cancelled()}
    while live and time.monotonic() < deadline:
        done, live = wait(live, timeout=max(0.0, deadline - time.monotonic()), return_when=FIRST_COMPLETED)
        for fut in done:
            try:
                on_result(fut.result())
            except Exception:  # noqa: BLE001, S112 - a task that failed while stopping adds nothing
                continue


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what is queued and terminate the workers now (what they were running is abandoned)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        proc.join(KILL_SECONDS)
        if proc.is_alive():
            proc.kill()
            proc.join(KILL_SECONDS)
