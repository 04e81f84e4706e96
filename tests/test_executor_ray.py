"""RayExecutor: the same report as --jobs 1 and local --jobs 2 for the same seed (a toy mutant, Pong),
a dead actor's shard retried once, a second death a crash divergence carrying the shard's seeds,
and the one-line exit 2 paths (Ray missing, an address that does not answer).

One local Ray runtime (2 CPUs) serves the whole module; everything needing Ray skips, with the
reason, when the [ray] extra is not installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import tests.mutants  # noqa: F401 - registers the mutant adapters in this (driver) process
from equivcheck import registry
from equivcheck.context import RunConfig
from equivcheck.errors import SetupError
from equivcheck.session import build_context, run_diff
from equivcheck.tiers.rollout_driver import ChunkResult, fixed_shards

ROOT = Path(__file__).resolve().parents[1]
HAVE_RAY = subprocess.run([sys.executable, "-c", "import ray"], capture_output=True).returncode == 0
needs_ray = pytest.mark.skipif(not HAVE_RAY, reason="Ray is not installed (pip install 'equivcheck[ray]')")


@pytest.fixture(scope="module")
def ray_runtime() -> Any:
    """A local Ray runtime whose workers import the mutants, as a user's plugins would be."""
    saved = {k: os.environ.get(k) for k in ("EQUIVCHECK_PLUGINS", "PYTHONPATH")}
    os.environ["EQUIVCHECK_PLUGINS"] = "tests.mutants"
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), saved["PYTHONPATH"]]))
    from equivcheck.executors.ray import connect

    ray = connect(None, 2)
    yield ray
    ray.shutdown()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _diff(case: str, ref: str, cand: str, episodes: int, steps: int | None = None, **config: Any) -> Any:
    cfg = RunConfig(tiers=("rollout",), episodes=episodes, steps=steps, master_seed=11, save_corpus=False,
                    shrink=False, **config)
    return run_diff(build_context(registry.get_case(case), ref, cand, cfg))


def _content(report: Any) -> tuple[Any, ...]:
    """What must not depend on the executor: verdict, counts, and each divergence's where and what."""
    tier = report.tiers[0]
    divs = [(d.episode, d.step, tuple(f.path for f in d.diffs), d.crash) for d in report.divergences]
    return report.status, report.exit_code, tier.episodes, tier.steps, divs, sorted(report.liveness.items())


@needs_ray
def test_ray_matches_jobs_1_and_local_jobs_on_a_divergent_toy_pair(ray_runtime: Any) -> None:
    args = ("toy-walk", "toy-walk-ref", "mut-walk-reset-off", 24)
    one = _diff(*args)
    local = _diff(*args, jobs=2)
    on_ray = _diff(*args, jobs=2, executor="ray")
    assert one.exit_code == 1 and len(one.divergences) >= 2
    assert _content(on_ray) == _content(one) == _content(local)
    assert [d.episode for d in on_ray.divergences] == sorted(d.episode for d in on_ray.divergences)


@needs_ray
def test_ray_matches_jobs_1_on_pong(ray_runtime: Any) -> None:
    pytest.importorskip("jax")
    args = ("pong", "pong-c", "pong-jax", 4, 60)
    one = _diff(*args)
    on_ray = _diff(*args, jobs=2, executor="ray")
    assert one.tiers[0].episodes == 4
    assert _content(on_ray) == _content(one)


def _square(x: int) -> int:
    return x * x


def _die_once(task: tuple[int, str]) -> int:
    """Kills its actor the first time it runs task 2 (a marker file remembers), then succeeds."""
    x, marker = task
    if x == 2 and not os.path.exists(marker):
        Path(marker).touch()
        os._exit(9)
    return x


def _die_always_on_two(task: int) -> int:
    if task == 2:
        os._exit(9)
    return task


@pytest.fixture
def by_value() -> Any:
    """Ship this module's task functions to the actors by value (the workers need not import tests/)."""
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


@needs_ray
def test_every_result_arrives_once(ray_runtime: Any, by_value: Any) -> None:
    from equivcheck.executors.ray import RayExecutor

    got: list[int] = []
    RayExecutor(2).run(_square, range(7), got.append)
    assert sorted(got) == [x * x for x in range(7)]


@needs_ray
def test_a_dead_actor_s_shard_is_retried_once_on_a_new_actor(ray_runtime: Any, by_value: Any, tmp_path: Path) -> None:
    from equivcheck.executors.ray import RayExecutor

    marker = str(tmp_path / "died")
    executor = RayExecutor(2)
    got: list[int] = []
    executor.run(_die_once, [(x, marker) for x in range(4)], got.append)
    assert sorted(got) == [0, 1, 2, 3]
    assert executor.retries == 1


@needs_ray
def test_a_second_death_is_handed_to_lost_and_the_other_shards_are_kept(ray_runtime: Any, by_value: Any) -> None:
    from equivcheck.executors.ray import RayExecutor

    lost: list[tuple[int, str]] = []
    executor = RayExecutor(2, lost=lambda task, message: lost.append((task, message)) or -1)
    got: list[int] = []
    executor.run(_die_always_on_two, range(5), got.append)
    assert sorted(got) == [-1, 0, 1, 3, 4]
    assert [t for t, _ in lost] == [2] and "died twice" in lost[0][1]
    assert executor.retries == 1


def test_a_lost_shard_is_a_crash_divergence_with_the_shard_s_seeds() -> None:
    from equivcheck import seeding
    from equivcheck.tiers.rollout_driver import _lost_shard

    cfg = RunConfig(tiers=("rollout",), master_seed=5)
    ctx = build_context(registry.get_case("toy-walk"), "toy-walk-ref", "toy-walk-cand", cfg, probe=False)
    chunk = _lost_shard(ctx, "lockstep", [6, 7, 8], "an actor died twice")
    assert isinstance(chunk, ChunkResult) and chunk.episodes == 0 and chunk.first == 6
    (div,) = chunk.divergences
    assert div.crash and "an actor died twice" in div.crash and div.episode == 6
    assert all(str(seeding.episode_seed(5, i)) in div.detail for i in (6, 7, 8))


def test_fixed_shards_cover_every_episode_once_in_order_and_depend_only_on_the_run_size() -> None:
    indices = range(3, 103)
    shards = fixed_shards(indices, 0, 2)
    assert [i for s in shards for i in s] == list(indices)
    assert len(shards) == 8 and shards == fixed_shards(indices, 0, 2)
    assert all(len(s) == 5 for s in fixed_shards(range(40), 5, 3))


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "equivcheck.cli", "diff", "--ref", "toy-walk-ref", "--cand",
                           "toy-walk-cand", "--tier", "rollout", "--episodes", "2", "--seed", "1", "--quiet",
                           "--no-corpus", *args], capture_output=True, text=True, env=base, timeout=120, cwd=ROOT)


def test_ray_not_installed_is_one_line_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "ray.py"
    blocker.write_text("raise ImportError('no ray here')\n")
    proc = _cli("--executor", "ray", "--report-dir", str(tmp_path / "r"),
                env={"PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'equivcheck[ray]'" in lines[0]


@needs_ray
def test_an_address_that_does_not_answer_is_one_line_exit_2(tmp_path: Path) -> None:
    proc = _cli("--executor", "ray", "--address", "127.0.0.1:9", "--report-dir", str(tmp_path / "r"))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "cannot reach the Ray cluster at 127.0.0.1:9" in proc.stderr


def test_address_without_ray_executor_is_a_usage_error(tmp_path: Path) -> None:
    proc = _cli("--address", "auto", "--report-dir", str(tmp_path / "r"))
    assert proc.returncode == 2 and "--address needs --executor ray" in proc.stderr


def test_connect_rejects_a_malformed_address() -> None:
    pytest.importorskip("ray")
    from equivcheck.executors.ray import _check_reachable

    with pytest.raises(SetupError, match="expected auto, host:port"):
        _check_reachable("nonsense")


def test_the_gate_takes_executor_and_address_per_pair(tmp_path: Path) -> None:
    from equivcheck.errors import UsageError
    from equivcheck.gate import load_gate

    good = tmp_path / "good.toml"
    good.write_text('[[pair]]\nref = "toy-walk-ref"\ncand = "toy-walk-cand"\nexecutor = "ray"\naddress = "auto"\njobs = 4\n')
    (pair,) = load_gate(good).pairs
    assert (pair.executor, pair.address, pair.jobs) == ("ray", "auto", 4)
    for bad, message in (('executor = "dask"', "executor"), ('address = "auto"', "address needs executor")):
        path = tmp_path / "bad.toml"
        path.write_text(f'[[pair]]\nref = "toy-walk-ref"\ncand = "toy-walk-cand"\n{bad}\n')
        with pytest.raises(UsageError, match=message):
            load_gate(path)


def test_chunks_merge_in_episode_order_whatever_order_they_finished_in(monkeypatch: pytest.MonkeyPatch) -> None:
    from equivcheck.report.model import Report
    from equivcheck.tiers import rollout_driver

    def finished_backwards(ctx: Any, indices: Any, runner: str, out: list[ChunkResult]) -> None:
        out.append(ChunkResult(episodes=1, steps=3, first=1, error="second shard"))
        out.append(ChunkResult(episodes=1, steps=2, first=0, error="first shard"))

    monkeypatch.setattr(rollout_driver, "_run_parallel", finished_backwards)
    cfg = RunConfig(tiers=("rollout",), episodes=2, jobs=2, master_seed=3)
    ctx = build_context(registry.get_case("toy-walk"), "toy-walk-ref", "toy-walk-cand", cfg, probe=False)
    result = rollout_driver.run(ctx, Report(case="toy-walk", ref="toy-walk-ref", cand="toy-walk-cand", master_seed=3))
    assert result.notes[:2] == ["first shard", "second shard"] and result.steps == 5
