"""Shrinking, corpus files and the batched runner."""

from __future__ import annotations

import numpy as np

from adapters.toy import ToyWalkCand, ToyWalkRef
from cases.toy.case import WALK
from equivcheck import corpus
from equivcheck.policies import UniformPolicy
from equivcheck.shrink import ddmin
from equivcheck.tiers.rollout import replay_fails, run_batch, run_episode
from tests.conftest import run_pair
from tests.mutants import WalkBumpFree, WalkResetOff


def test_ddmin_finds_a_minimal_failing_subsequence() -> None:
    calls = []

    def fails(xs: list[int]) -> bool:
        calls.append(1)
        return 3 in xs and 7 in xs

    out = ddmin(list(range(20)), fails)
    assert out.actions == [3, 7] and out.replays == len(calls)


def test_ddmin_respects_its_budget() -> None:
    out = ddmin(list(range(200)), lambda xs: len(xs) > 150, max_replays=5)
    assert out.exhausted_budget and out.replays <= 5 and len(out.actions) > 150


def test_rollout_divergence_is_shrunk_and_still_fails(tmp_path) -> None:  # noqa: ANN001
    report = run_pair("toy-walk", "mut-walk-bump-free", "rollout-lockstep", seed=11, report_dir=tmp_path)
    div = report.divergences[0]
    assert div.shrink is not None and div.shrink.shrunk_steps <= div.shrink.original_steps
    assert div.shrink.shrunk_steps >= 1
    entry = corpus.load(div.corpus_file)
    assert entry.actions == div.shrink.actions and entry.seed == div.episode_seed
    ref, cand = ToyWalkRef(), ToyWalkCand(env_cls=WalkBumpFree)
    assert replay_fails(ref, cand, WALK.schema, entry.seed, entry.actions, "lockstep") is not None
    assert replay_fails(ref, ToyWalkCand(), WALK.schema, entry.seed, entry.actions, "lockstep") is None
    for i in range(len(entry.actions)):
        smaller = entry.actions[:i] + entry.actions[i + 1 :]
        assert replay_fails(ref, cand, WALK.schema, entry.seed, smaller, "lockstep") is None, "not 1-minimal"


def test_reset_divergence_shrinks_to_no_actions() -> None:
    report = run_pair("toy-walk", "mut-walk-reset-off", "rollout-lockstep", seed=2)
    div = report.divergences[0]
    assert div.step == 0 and div.diffs[0].path == "x"


def test_batched_runner_agrees_with_scalar_runner() -> None:
    seeds = list(range(100, 160))
    ref = ToyWalkRef()
    for env_cls, expect_any in ((WalkBumpFree, True), (WalkResetOff, True), (None, False)):
        cand = ToyWalkCand(env_cls=env_cls) if env_cls else ToyWalkCand()
        scalar = {}
        for i, s in enumerate(seeds):
            ep = run_episode(ref, cand, WALK.schema, s, UniformPolicy(ref.action_space, np.random.default_rng(i)), 40)
            if ep.divergences:
                scalar[i] = (ep.divergences[0].step, sorted(d.path for d in ep.divergences[0].diffs))
        refs = [ToyWalkRef() for _ in seeds]
        policies = [UniformPolicy(ref.action_space, np.random.default_rng(i)) for i in range(len(seeds))]
        outcome = run_batch(refs, cand, WALK.schema, seeds, policies, 40)
        batch = {i: (r.divergences[0].step, sorted(d.path for d in r.divergences[0].diffs))
                 for i, r in enumerate(outcome.results) if r.divergences}
        assert batch == scalar
        assert bool(batch) == expect_any


def test_batch_option_in_a_run() -> None:
    report = run_pair("toy-walk", "mut-walk-bump-free", "rollout", seed=4, batch=16, episodes=32)
    assert report.status == "divergent" and report.tiers[0].episodes == 32
    assert report.tiers[0].runner == "lockstep+batch16"
    clean = run_pair("toy-walk", "toy-walk-cand", "rollout", seed=4, batch=16, episodes=32)
    assert clean.status == "equivalent" and clean.tiers[0].steps > 32
