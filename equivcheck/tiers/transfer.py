"""L4 transfer: a policy trained on one backend performs the same on the other, both directions.

The default trainer is the cross-entropy method over a linear policy (cheap, dependency-free);
a case may plug in its own `trainer(env, spec, rng) -> policy`. Returns are compared with
TOST at the case's margin: equivalence must be shown, not merely not rejected.

Two-player games (JointDiscrete): the trained policy plays seat 0 (whose reward the env returns)
against a fixed `opponent` in seat 1, through `Versus`; a case binds the opponent with
`trainer=functools.partial(cem_train, opponent=..., observe=...)`. `observe(env, obs)` is what
both seats see (e.g. the env's snapshot when the backends' observations differ in form).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from equivcheck import seeding
from equivcheck.adapter import Box, Discrete, JointDiscrete, supports
from equivcheck.case import TransferSpec
from equivcheck.errors import CapabilityError
from equivcheck.oracles.stats import tost
from equivcheck.report.model import Divergence, FieldDiff, Report, TierResult
from equivcheck.context import RunContext

PolicyFn = Callable[[Any, np.ndarray | None], Any]
Observe = Callable[[Any, Any], Any]


@dataclass
class LinearPolicy:
    """Discrete: argmax over legal actions of W x + b. Box: tanh(W x + b) scaled into the box.

    When `featurise` gives a matrix (one row of features per action), the logits are x w + b
    with one weight vector w shared by all actions (a linear score of action features).
    """

    weights: np.ndarray
    bias: np.ndarray
    space: Any
    featurise: Callable[[Any], np.ndarray]

    def __call__(self, obs: Any, mask: np.ndarray | None) -> Any:
        x = self.featurise(obs)
        logits = (x @ self.weights if x.ndim == 2 else self.weights @ x) + self.bias
        if isinstance(self.space, Box):
            unit = np.tanh(logits)
            scaled = self.space.low + (unit + 1.0) * 0.5 * (self.space.high - self.space.low)
            return scaled.reshape(self.space.shape).astype(self.space.dtype)
        if mask is not None:
            logits = np.where(np.asarray(mask).ravel()[: logits.size], logits, -np.inf)
        return int(np.argmax(logits))


@dataclass
class Versus:
    """A two-player policy: `player` picks seat 0's action, `opponent` seat 1's, each from its mask row.

    Both see `observe(env, obs)` (default: the observation itself); a seat with no legal action
    (it waits) sends 0. `begin(env)` is called by episode_return at each episode's start.
    """

    player: PolicyFn
    opponent: PolicyFn
    observe: Observe | None = None
    env: Any = None

    def begin(self, env: Any) -> None:
        """Bind the environment the episode runs on (observe reads from it)."""
        self.env = env

    def __call__(self, obs: Any, mask: np.ndarray | None) -> np.ndarray:
        view = obs if self.observe is None else self.observe(self.env, obs)
        rows = np.ones((2, 1), bool) if mask is None else np.asarray(mask, bool)
        joint = np.zeros(2, np.int64)
        for seat, policy in enumerate((self.player, self.opponent)):
            if rows[seat].any():
                joint[seat] = policy(view, None if mask is None else rows[seat])
        return joint


def episode_return(env: Any, policy: PolicyFn, seed: int, max_steps: int) -> float:
    """Total reward of one episode of `policy` from `seed` (at most max_steps steps)."""
    obs = env.reset(seed)
    begin = getattr(policy, "begin", None)
    if begin is not None:
        begin(env)
    has_mask = supports(env, "legal_actions")
    total = 0.0
    for _ in range(max_steps):
        mask = env.legal_actions() if has_mask else None
        obs, reward, terminated, truncated, _ = env.step(policy(obs, mask))
        total += float(reward)
        if terminated or truncated:
            break
    return total


def cem_train(env: Any, spec: TransferSpec, rng: np.random.Generator, opponent: PolicyFn | None = None,
              observe: Observe | None = None, init: np.ndarray | None = None, init_std: float = 1.0) -> PolicyFn:
    """Cross-entropy method over a linear policy's parameters, scored on `spec.train_episodes` seeds.

    The search starts from N(init, init_std^2) (init defaults to zeros). Two-player (JointDiscrete,
    2 players) spaces need `opponent`: the linear policy plays seat 0 against it (a Versus);
    `observe(env, obs)` is what both seats see and `spec.featurise` reads.
    """
    space = env.action_space
    versus = isinstance(space, JointDiscrete) and space.players == 2
    if versus and opponent is None:
        raise CapabilityError("a two-player action space needs an opponent: "
                              "trainer=functools.partial(cem_train, opponent=...)")
    if not (versus or isinstance(space, Box | Discrete)):
        raise CapabilityError(f"the default trainer handles Discrete, Box and two-player JointDiscrete actions, "
                              f"not {type(space).__name__}; set TransferSpec.trainer")
    obs = env.reset(int(rng.integers(1 << 30)))
    x = np.asarray(spec.featurise(obs if observe is None else observe(env, obs)))
    out_dim = int(np.prod(space.shape)) if isinstance(space, Box) else space.n
    per_action = x.ndim == 2
    if per_action and (isinstance(space, Box) or x.shape[0] != out_dim):
        raise CapabilityError(f"per-action features need one row per discrete action ({out_dim}), got {x.shape}")
    obs_dim = x.shape[-1] if per_action else x.size
    n_weights = obs_dim if per_action else out_dim * obs_dim
    dim = n_weights if per_action else n_weights + out_dim
    mean = np.zeros(dim) if init is None else np.asarray(init, np.float64).ravel()
    if mean.size != dim:
        raise CapabilityError(f"init has {mean.size} parameters, the policy {dim}")
    std = np.full(dim, float(init_std))
    seeds = [int(s) for s in rng.integers(1 << 30, size=spec.train_episodes)]

    def unpack(theta: np.ndarray) -> PolicyFn:
        weights = theta[:n_weights] if per_action else theta[:n_weights].reshape(out_dim, obs_dim)
        bias = np.zeros(()) if per_action else theta[n_weights:]
        linear = LinearPolicy(weights, bias, space, spec.featurise)
        return Versus(linear, opponent, observe) if versus else linear

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
        result.notes.append(f"case '{ctx.case.name}' declares no transfer spec (margin)")
        result.settle()
        return result
    start = time.perf_counter()
    trainer = spec.trainer or cem_train
    master = ctx.config.master_seed
    eval_n = spec.eval_episodes
    eval_seeds = [seeding.derive(master, "transfer-eval", i) for i in range(eval_n)]
    ref, cand = ctx.make_ref(), ctx.make_cand()
    if supports(ref, "legal_actions") != supports(cand, "legal_actions"):
        masked = "reference" if supports(ref, "legal_actions") else "candidate"
        result.notes.append(f"only the {masked} has legal_actions(): on the other side policies act unmasked, "
                            "so returns may differ for that reason alone")
    try:
        for name, env in (("ref", ref), ("cand", cand)):
            policy = trainer(env, spec, np.random.default_rng(seeding.derive(master, "transfer-train", name)))
            on_ref = evaluate(ref, policy, eval_seeds, spec.max_steps)
            on_cand = evaluate(cand, policy, eval_seeds, spec.max_steps)
            stat = tost(on_ref - on_cand, np.zeros(eval_n), margin=spec.margin, alpha=spec.alpha)
            result.episodes += 2 * eval_n
            result.ran(f"trained on {name}")
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
    result.settle()
    return result
