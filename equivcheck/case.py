"""A Case binds one environment: reference, candidates, schema, liveness, L1/L2/L4 material.

Cases live in cases/<env>/ and register through the `equivcheck.cases` entry point group.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from equivcheck.oracles.base import Oracle
from equivcheck.oracles.exact import Exact
from equivcheck.schema import Schema

Snapshot = dict[str, Any]


@dataclass
class Liveness:
    """A condition the reference's rollouts must meet, or the run certifies nothing.

    `observe(acc, prev, cur)` sees every reference transition (snapshots with reward and
    terminated merged in); `satisfied(acc)` answers at the end; `merge` joins the accumulators
    of parallel workers. Build one with `changes` or `happens`.
    """

    name: str
    observe: Callable[[Any, Snapshot, Snapshot], Any]
    satisfied: Callable[[Any], bool]
    init: Callable[[], Any]
    merge: Callable[[Any, Any], Any]


def changes(name: str, path: str) -> Liveness:
    """Liveness: field `path` changes value on at least one reference step (within an episode)."""

    def moved(prev: Snapshot, cur: Snapshot) -> bool:
        return path in prev and path in cur and np.asarray(prev[path]).tobytes() != np.asarray(cur[path]).tobytes()

    return happens(name, moved)


def happens(name: str, predicate: Callable[[Snapshot, Snapshot], bool]) -> Liveness:
    """Liveness: `predicate(prev, cur)` is true on at least one reference step."""

    def observe(acc: list, prev: Snapshot, cur: Snapshot) -> list:
        if not acc[0] and predicate(prev, cur):
            acc[0] = True
        return acc

    return Liveness(name, observe, lambda acc: acc[0], lambda: [False], lambda a, b: [a[0] or b[0]])


@dataclass
class ComponentPair:
    """L1: a reference component and a candidate component fed the same Hypothesis-drawn input.

    With `bind=True` the candidate function receives the candidate adapter first
    (`cand(adapter, *inputs)`), so the component under test is the adapter's own code.
    """

    name: str
    ref: Callable[..., Any]
    cand: Callable[..., Any]
    strategy: Any
    oracle: Oracle = field(default_factory=Exact)
    candidates: Sequence[str] | None = None
    max_examples: int = 200
    bind: bool = False


@dataclass
class Invariant:
    """L1: a candidate-only property; `check(*inputs)` holds unless it returns False or raises.

    With `bind=True` it receives the candidate adapter first.
    """

    name: str
    check: Callable[..., Any]
    strategy: Any
    candidates: Sequence[str] | None = None
    max_examples: int = 100
    bind: bool = False


@dataclass
class Scenario:
    """L2: a constructed start and an action script.

    The start is a seed, plus `options` given to both sides' reset (e.g. explicit teams), or a
    state restored into both sides after reset.
    """

    name: str
    actions: Sequence[Any]
    seed: int = 0
    state: Callable[[], Snapshot] | None = None
    candidates: Sequence[str] | None = None
    options: Mapping[str, Any] | None = None


@dataclass
class TransferSpec:
    """L4: train on one backend, evaluate on both, TOST on returns within `margin`."""

    margin: float
    featurise: Callable[[Any], np.ndarray] = lambda obs: np.asarray(obs, dtype=np.float64).ravel()
    train_episodes: int = 8
    train_iterations: int = 6
    population: int = 12
    eval_episodes: int = 30
    max_steps: int = 500
    alpha: float = 0.05
    trainer: Callable[..., Any] | None = None


@dataclass(frozen=True)
class DeclaredSkip:
    """An item of a tier this case does not run, declared with its reason and the case version since when.

    It is how a case states that its candidates support only part of the reference (a known
    difference of scope): every report lists it, and the tier does not ask the candidate about it.
    `candidates` None means every candidate.
    """

    tier: str
    item: str
    reason: str
    since: str
    candidates: Sequence[str] | None = None

    def describe(self) -> dict[str, str]:
        """The entry as the report lists it."""
        who = ", ".join(self.candidates) if self.candidates is not None else "all candidates"
        return {"tier": self.tier, "item": self.item, "reason": self.reason, "since": self.since, "candidates": who}


@dataclass
class Case:
    """One environment: everything the tiers need to compare a reference with its candidates."""

    name: str
    reference: str
    candidates: Sequence[str]
    schema: Schema
    liveness: Sequence[Liveness] = ()
    components: Sequence[ComponentPair] = ()
    invariants: Sequence[Invariant] = ()
    scenarios: Sequence[Scenario] = ()
    transfer: TransferSpec | None = None
    episodes: int = 10
    steps: int = 1000
    runner: str = "lockstep"
    stateful_steps: int = 20
    stateful_examples: int = 25
    corpus_dir: Path | None = None
    adapter_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    description: str = ""
    policy: Callable[[Any, np.random.Generator], Any] | None = None
    coverage: Callable[[Snapshot, Any, Snapshot], Iterable[str]] | None = None
    """Names of the events one reference transition (prev, action, cur) triggered, counted into the report."""
    coverage_events: Sequence[str] = ()
    """Every event the case wants to see, so the coverage table also shows those seen zero times."""
    variant_of: str | None = None
    """The case this one varies (other tolerances, other inputs): a pair that fits both resolves to that one."""
    declared_skips: Sequence[DeclaredSkip] = ()
    """Items the case does not run (for some candidates), each with its reason and version; listed in every report."""

    def make_policy(self, space: Any, rng: np.random.Generator) -> Any:
        """The rollout policy of one episode: the case's (e.g. a scripted player), else uniform over legal actions."""
        if self.policy is not None:
            return self.policy(space, rng)
        from equivcheck.policies import UniformPolicy

        return UniformPolicy(space, rng)

    def declared_skip(self, tier: str, item: str, cand: str) -> DeclaredSkip | None:
        """The case's declared skip of `item` in `tier` for candidate `cand`, if any."""
        for skip in self.declared_skips:
            if skip.tier == tier and skip.item == item and (skip.candidates is None or cand in skip.candidates):
                return skip
        return None

    def applies(self, item: Any, cand: str) -> bool:
        """True when an L1/L2 item targets candidate `cand` (None means every candidate)."""
        names = getattr(item, "candidates", None)
        return names is None or cand in names
