"""L2 interaction: short action scripts from constructed states, then Hypothesis stateful search.

Scenarios are the case's hand-written starts (a seed, or a state restored into both sides)
with fixed scripts. The stateful search (RuleBasedStateMachine) starts from those starts and
from seeds, draws legal actions, compares both sides after every step, and shrinks a failure
to the shortest sequence.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from equivcheck import seeding
from equivcheck.adapter import Box, JointDiscrete, supports
from equivcheck.case import Scenario
from equivcheck.corpus import ReplayFile
from equivcheck.policies import ReplayPolicy, from_plain, to_plain
from equivcheck.report.model import Divergence, Report, TierResult
from equivcheck.schema import Schema
from equivcheck.context import RunContext
from equivcheck.tiers.items import STATEFUL, select
from equivcheck.tiers.rollout import _with_step, run_episode


def start_of(scenario: Scenario) -> dict[str, Any] | None:
    """The constructed state of a scenario, or None for a plain seeded start."""
    return scenario.state() if scenario.state is not None else None


def action_strategy(space: Any, mask: np.ndarray | None) -> st.SearchStrategy:
    """Legal actions of `space` as a Hypothesis strategy (shrinks towards the first legal one).

    Continuous actions come from a 9-point grid per dimension (0 first), which keeps shrinking fast.
    """
    if isinstance(space, Box):
        size = int(np.prod(space.shape))
        grid = [float(v) for v in np.linspace(space.low, space.high, 9)]
        grid.sort(key=abs)
        return st.lists(st.sampled_from(grid), min_size=size, max_size=size).map(
            lambda xs: np.asarray(xs, dtype=space.dtype).reshape(space.shape))
    if isinstance(space, JointDiscrete):
        rows = np.ones((space.players, space.n), bool) if mask is None else np.asarray(mask, bool)
        per_player = [st.sampled_from([int(i) for i in np.flatnonzero(r)]) if r.any() else st.just(0) for r in rows]
        return st.tuples(*per_player).map(lambda xs: np.asarray(xs, dtype=np.int64))
    if mask is not None:
        legal = [int(i) for i in np.flatnonzero(np.asarray(mask).ravel())]
        return st.sampled_from(legal)
    return st.integers(0, space.n - 1)


def run_scenario(ref: Any, cand: Any, schema: Schema, scenario: Scenario) -> Any:
    """Run one scripted scenario; returns the EpisodeResult (divergences are all transitions that differ)."""
    actions = [from_plain(a, ref.action_space) for a in scenario.actions]
    return run_episode(ref, cand, schema, scenario.seed, ReplayPolicy(actions), len(actions), "lockstep",
                       start=start_of(scenario), options=scenario.options)


def stateful_search(ctx: RunContext, ref: Any, cand: Any, examples: int, steps: int,
                    scenarios: Sequence[Scenario] | None = None) -> tuple[dict | None, int]:
    """Hypothesis stateful search from `scenarios` (default: every one the case runs for this pair) and seeds.

    Returns the shrunk failing (start, seed, actions, diffs) or None, and the number of runs.
    """
    case = ctx.case
    schema = case.schema
    if scenarios is None:
        can_restore = supports(ref, "restore") and supports(cand, "restore")
        scenarios = [s for s in case.scenarios if case.applies(s, ctx.cand_name)
                     and case.declared_skip("interaction", s.name, ctx.cand_name) is None
                     and (s.state is None or can_restore)]
    starts: list[tuple[str, int]] = [(s.name, s.seed) for s in scenarios]
    starts += [(f"seed:{seeding.derive(ctx.config.master_seed, 'interaction', i)}", 0) for i in range(4)]
    by_name = {s.name: s for s in case.scenarios}
    failure: dict[str, Any] = {}
    runs = [0]
    has_mask = supports(ref, "legal_actions")

    class Pair(RuleBasedStateMachine):
        """Both sides stepped together; any disagreement fails the run."""

        def __init__(self) -> None:
            super().__init__()
            self.actions: list[Any] = []
            self.done = False
            self.start = ""
            self.seed = 0

        @initialize(start=st.sampled_from(starts))
        def begin(self, start: tuple[str, int]) -> None:
            runs[0] += 1
            name, seed = start
            self.start, self.seed = name, seed
            options = None
            if name.startswith("seed:"):
                self.seed = int(name[5:])
                state = None
            else:
                state, options = start_of(by_name[name]), by_name[name].options
            for side in (ref, cand):
                side.reset(self.seed) if options is None else side.reset(self.seed, options)
            if state is not None:
                ref.restore(state)
                cand.restore(state)
            self._check(_with_step(ref.snapshot(), 0.0, False, False), _with_step(cand.snapshot(), 0.0, False, False))

        @rule(data=st.data())
        def step(self, data: Any) -> None:
            if self.done:
                return
            mask = ref.legal_actions() if has_mask else None
            action = data.draw(action_strategy(ref.action_space, mask))
            self.actions.append(to_plain(action))
            r = ref.step(action)
            try:
                c = cand.step(action)
            except Exception as exc:  # noqa: BLE001
                self._fail([], f"candidate raised {type(exc).__name__}: {exc}")
                return
            rs = _with_step(ref.snapshot(), r[1], r[2], r[3])
            cs = _with_step(cand.snapshot(), c[1], c[2], c[3])
            self._check(rs, cs)
            self.done = bool(rs["terminated"] or rs["truncated"])

        def _check(self, rs: dict, cs: dict) -> None:
            diffs = schema.compare(rs, cs)
            if diffs:
                self._fail(diffs, None, rs, cs)

        def _fail(self, diffs: list, crash: str | None, rs: dict | None = None, cs: dict | None = None) -> None:
            failure.clear()
            failure.update(start=self.start, seed=self.seed, actions=list(self.actions), diffs=diffs, crash=crash,
                           ref_state=rs, cand_state=cs)
            raise AssertionError(crash or diffs[0].path)

    Pair.TestCase.settings = settings(
        max_examples=examples, stateful_step_count=steps, database=None, deadline=None,
        suppress_health_check=list(HealthCheck), derandomize=True, print_blob=False,
    )
    try:
        run_state_machine_as_test(Pair, settings=Pair.TestCase.settings)
    except AssertionError:
        return dict(failure), runs[0]
    return None, runs[0]


def run(ctx: RunContext, report: Report) -> TierResult:
    """Scripted scenarios, then the stateful search; every failure is saved with its start and script.

    Which scenarios run is the case's decision (its list, its declared skips); a scenario that
    cannot run on this pair (no restore()) is listed as an undeclared skip, so the tier is not certified.
    """
    case = ctx.case
    result = TierResult(tier="interaction", runner="scenarios+stateful", fields=len(case.schema.compared_fields))
    start_time = time.perf_counter()
    scenarios = select(ctx, "interaction", case.scenarios, result)
    search_skip = case.declared_skip("interaction", STATEFUL, ctx.cand_name)
    if search_skip is not None:
        result.skip(STATEFUL, f"declared by the case (since version {search_skip.since}): {search_skip.reason}",
                    "declared")
    if not scenarios and (search_skip is not None or not case.scenarios or ctx.config.only):
        if ctx.config.only and search_skip is None:
            result.skip(STATEFUL, "--only selects scenarios", "option")
        result.notes.append(f"case '{case.name}' runs no L2 scenario for '{ctx.cand_name}'")
        result.settle()
        return result
    ref, cand = ctx.make_ref(), ctx.make_cand()
    try:
        can_restore = supports(ref, "restore") and supports(cand, "restore")
        runnable = []
        for scenario in scenarios:
            if scenario.state is not None and not can_restore:
                result.skip(scenario.name, "needs restore() on both sides")
                continue
            runnable.append(scenario)
            if ctx.config.deadline is not None and time.time() > ctx.config.deadline:
                result.skip(scenario.name, "budget exhausted")
                continue
            ep = run_scenario(ref, cand, case.schema, scenario)
            result.ran(scenario.name)
            result.episodes += 1
            result.steps += ep.steps
            for raw in ep.divergences[:1]:
                div = _divergence(ctx, f"scenario:{scenario.name}", scenario.seed, raw.step, raw.diffs,
                                  raw.actions, raw.crash, raw.ref_state, raw.cand_state, raw.state_before)
                entry = _entry(ctx, scenario.name, scenario.seed, list(scenario.actions), raw.step, raw.diffs)
                result.divergences.append(ctx.finish_divergence(div, entry))
        if search_skip is not None:
            return result
        if result.divergences or ctx.config.only:
            reason = "the scripted scenarios already diverge" if result.divergences else "--only selects scenarios"
            result.skip(STATEFUL, reason, "option")
            return result
        if ctx.config.deadline is not None and time.time() > ctx.config.deadline:
            result.skip(STATEFUL, "budget exhausted")
            return result
        examples = ctx.config.max_examples or case.stateful_examples
        steps = case.stateful_steps
        found, runs = stateful_search(ctx, ref, cand, examples, steps, runnable)
        result.examples = runs
        result.ran(STATEFUL, runs)
        if found:
            div = _divergence(ctx, "stateful", found["seed"], len(found["actions"]), found["diffs"],
                              found["actions"], found["crash"], found["ref_state"], found["cand_state"], None)
            div.detail = f"start {found['start']}"
            entry = _entry(ctx, found["start"], found["seed"], found["actions"], len(found["actions"]), found["diffs"])
            result.divergences.append(ctx.finish_divergence(div, entry))
    finally:
        ref.close()
        cand.close()
        result.seconds = time.perf_counter() - start_time
        result.settle()
    return result


def _divergence(ctx: RunContext, runner: str, seed: int, step: int, diffs: list, actions: list, crash: str | None,
                rs: Any, cs: Any, before: Any) -> Divergence:
    return Divergence(case=ctx.case.name, tier="interaction", runner=runner, ref=ctx.ref_name, cand=ctx.cand_name,
                      master_seed=ctx.config.master_seed, episode=0, episode_seed=seed, step=step, diffs=diffs,
                      action=actions[-1] if actions else None, actions=actions, crash=crash,
                      ref_state=ctx.case.schema.visible(rs), cand_state=ctx.case.schema.visible(cs),
                      state_before=ctx.case.schema.visible(before))


def _entry(ctx: RunContext, start: str, seed: int, actions: list, step: int, diffs: list) -> ReplayFile:
    return ReplayFile(case=ctx.case.name, ref=ctx.ref_name, cand=ctx.cand_name, tier="interaction",
                      runner="lockstep", seed=seed, actions=[to_plain(a) for a in actions], start=start,
                      master_seed=ctx.config.master_seed, expected={"step": step, "fields": [d.path for d in diffs]})
