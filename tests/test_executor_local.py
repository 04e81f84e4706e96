"""LocalProcessExecutor on its own: results in completion order, early stop, a task's exception,
a worker that dies; and TaskSizer's task sizes."""

from __future__ import annotations

import os

import pytest

from equivcheck.errors import WorkerError
from equivcheck.executors import LocalProcessExecutor
from equivcheck.tiers.rollout_driver import MAX_TASK_EPISODES, ChunkResult, TaskSizer


def square(x: int) -> int:
    return x * x


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three is not allowed")
    return x


def die_on_two(x: int) -> int:
    if x == 2:
        os._exit(9)
    return x


def test_every_result_arrives_once() -> None:
    got: list[int] = []
    LocalProcessExecutor(2).run(square, range(20), got.append)
    assert sorted(got) == [x * x for x in range(20)]


def test_on_result_false_stops_submitting() -> None:
    got: list[int] = []
    LocalProcessExecutor(2, in_flight=2).run(square, range(1000), lambda r: got.append(r) or len(got) < 5)
    assert 5 <= len(got) < 1000


def test_a_task_exception_is_raised_in_the_parent() -> None:
    with pytest.raises(ValueError, match="three is not allowed"):
        LocalProcessExecutor(2).run(fail_on_three, range(6), lambda r: None)


def test_a_worker_that_dies_is_a_worker_error() -> None:
    with pytest.raises(WorkerError, match="worker process died"):
        LocalProcessExecutor(2).run(die_on_two, range(6), lambda r: None)


def test_task_sizer_starts_at_one_then_fills_the_aimed_task_length() -> None:
    sizer = TaskSizer(range(10_000), batch=0)
    tasks = sizer.tasks()
    assert next(tasks) == [0]
    sizer.observe(ChunkResult(episodes=1, seconds=0.05))  # 50 ms an episode: 5 per 0.25 s task
    assert next(tasks) == [1, 2, 3, 4, 5]
    sizer.observe(ChunkResult(episodes=5, seconds=0.0001))  # very fast: capped
    assert len(next(tasks)) == MAX_TASK_EPISODES
    sizer.observe(ChunkResult(episodes=1, seconds=10.0))  # slow: back to one
    assert len(next(tasks)) == 1


def test_task_sizer_covers_every_index_once_and_keeps_batches_whole() -> None:
    sizer = TaskSizer(range(3, 103), batch=0)
    seen = []
    for task in sizer.tasks():
        seen += task
        sizer.observe(ChunkResult(episodes=len(task), seconds=0.01 * len(task)))
    assert seen == list(range(3, 103))
    assert [len(t) for t in TaskSizer(range(10), batch=4).tasks()] == [4, 4, 2]
