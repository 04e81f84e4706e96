"""L4 transfer: a policy trained on one backend performs the same on the other, both directions.

The default trainer is the cross-entropy method over a linear policy (cheap, dependency-free);
a case may plug in its own `trainer(make_env, spec, rng) -> policy`. Returns are compared with
TOST at the case's margin: equivalence must be shown, not merely not rejected.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from equivcheck import seeding
from equivcheck.adapter import Box, Discrete, supports
from equivcheck.errors import CapabilityError
from equivcheck.case import TransferSpec
from equivcheck.oracles.stats import tost
from equivcheck.report.model import Divergence, FieldDiff, Report, TierResult
from equivcheck.session import RunContext

PolicyFn = Callable[[Any, np.ndarray | None], Any]


@dataclass
class LinearPolicy:
    """Discrete: argmax over legal actions of W x + b. Box: tanh(W x + b) scaled into the box."""

    weights: np.ndarray
    bias: np.ndarray
    space: Any
    featurise: Callable[[Any], np.ndarray]

    def __call__(self, obs: Any, mask: np.ndarray | None) -> Any:
        logits = self.weights @ self.featurise(obs) + self.bias
        if isinstance(self.space, Box):
            unit = np.tanh(logits)
            scaled = self.space.low + (unit + 1.0) * 0.5 * (self.space.high - self.space.low)
            return scaled.reshape(self.space.shape).astype(self.space.dtype)
        if mask is not None:
            logits = np.where(np.asarray(mask).ravel()[: logits.size], logits, -np.inf)
        return int(np.argmax(logits))


def episode_return(env: Any, policy: PolicyFn, seed: int, max_steps: int) -> float:
    """Total reward of one episode of `policy` from `seed` (at most max_steps steps)."""
    obs = env.reset(seed)
    has_mask = supports(env, "legal_actions")
    total = 0.0
    for _ in range(max_steps):
        mask = env.legal_actions() if has_mask else None
        obs, reward, terminated, truncated, _ = env.step(policy(obs, mask))
        total += float(reward)
        if terminated or truncated:
            break
    return total


def cem_train(env: Any, spec: TransferSpec, rng: np.random.Generator) -> LinearPolicy:
    """Cross-entropy method over a linear policy's parameters, scored on `spec.train_episodes` seeds."""
    space = env.action_space
    if not isinstance(space, Box | Discrete):
        raise CapabilityError(f"the default trainer handles Discrete and Box actions, not {type(space).__name__}; "
                              "set TransferSpec.trainer")
    obs_dim = spec.featurise(env.reset(int(rng.integers(1 << 30)))).size
    out_dim = int(np.prod(space.shape)) if isinstance(space, Box) else space.n
    dim = out_dim * obs_dim + out_dim
    mean, std = np.zeros(dim), np.ones(dim)
    seeds = [int(s) for s in rng.integers(1 << 30, size=spec.train_episodes)]

    def unpack(theta: np.ndarray) -> LinearPolicy:
        return LinearPolicy(theta[: out_dim * obs_dim].reshape(out_dim, obs_dim), theta[out_dim * obs_dim :],
                            space, spec.featurise)

    best = unpack(mean)
    n_elite = max(2, spec.population // 4)
    for _ in range(spec.train_iterations):
        pop = mean + std * rng.standard_normal((spec.population, dim))
        scores = np.array([np.mean([episode_return(env, unpack(theta), s, spec.max_steps) for s in seeds]) for theta in pop])
        elite = pop[np.argsort(scores)[-n_elite:]]
        mean, std = elite.mean(axis=0), elite.std(axis=0) + 0.05
        best = unpack(elite[-1])
    return best


def evaluate(env: Any, policy: PolicyFn, seeds: list[int], max_steps: int) -> np.ndarray:
    """Returns of `policy` on `env` over `seeds`."""
    return np.array([episode_return(env, policy, s, max_steps) for s in seeds])


def run(ctx: RunContext, report: Report) -> TierResult:
    """Train on each side, evaluate on both over the same seeds, TOST each direction.

    The seeds are shared, so the test is paired: TOST on the per-seed return differences. The
    evaluation count is the case's (`TransferSpec.eval_episodes`), never --episodes: a TOST's power
    is part of the case's definition.
    """
    spec = ctx.case.transfer
    result = TierResult(tier="transfer", runner="cem-linear")
    if spec is None:
        result.status = "skipped"
        result.notes.append(f"case '{ctx.case.name}' declares no transfer spec (margin)")
        return result
    start = time.perf_counter()
    trainer = spec.trainer or cem_train
    master = ctx.config.master_seed
    eval_n = spec.eval_episodes
    eval_seeds = [seeding.derive(master, "transfer-eval", i) for i in range(eval_n)]
    ref, cand = ctx.make_ref(), ctx.make_cand()
    try:
        for name, env in (("ref", ref), ("cand", cand)):
            policy = trainer(env, spec, np.random.default_rng(seeding.derive(master, "transfer-train", name)))
            on_ref = evaluate(ref, policy, eval_seeds, spec.max_steps)
            on_cand = evaluate(cand, policy, eval_seeds, spec.max_steps)
            stat = tost(on_ref - on_cand, np.zeros(eval_n), margin=spec.margin, alpha=spec.alpha)
            result.episodes += 2 * eval_n
            result.stats[f"trained_on_{name}"] = {
                "mean_on_ref": float(on_ref.mean()), "mean_on_cand": float(on_cand.mean()),
                "std_on_ref": float(on_ref.std()), "std_on_cand": float(on_cand.std()),
                "p_value": float(stat.p_value), "margin": spec.margin, "alpha": spec.alpha,
                "equivalent": bool(stat.equivalent_or_same),
            }
            if not stat.equivalent_or_same:
                diff = FieldDiff(f"return[trained on {name}]", float(on_ref.mean()), float(on_cand.mean()),
                                 oracle=f"TOST margin={spec.margin:g} alpha={spec.alpha:g}", error=float(stat.p_value))
                result.divergences.append(Divergence(
                    case=ctx.case.name, tier="transfer", runner="cem-linear", ref=ctx.ref_name, cand=ctx.cand_name,
                    master_seed=master, episode=0, episode_seed=None, step=0, diffs=[diff],
                    detail=(f"policy trained on {name}: mean return {on_ref.mean():.4g} on ref vs "
                            f"{on_cand.mean():.4g} on cand over {eval_n} episodes; TOST p={stat.p_value:.3g}"),
                    repro=ctx.diff_command(tier="transfer"),
                ))
    finally:
        ref.close()
        cand.close()
    result.seconds = time.perf_counter() - start
    result.status = "divergent" if result.divergences else "equivalent"
    return result
