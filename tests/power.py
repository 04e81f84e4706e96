"""False-failure bounds for the seed-sensitive tests (scipy.stats): each such test computes its bound here.

A seed-sensitive test passes or fails depending on data drawn from the random master seed: a
mutant that must be caught within N episodes or examples, a liveness condition that must be met
within N episodes, a TOST on noisy returns. Its *false-failure probability* is the chance that
a correct codebase fails it on one run (for a mutant test: the chance the mutant is missed, one
minus the power). Every such test carries `@pytest.mark.seed_sensitive(bound=..., why=...)` with
a bound computed by these functions; the root conftest fails a test whose bound is missing or not
below BUDGET, and `scripts/seed_sweep.py` checks the tests over many master seeds.

Rates measured by simulation enter as one-sided Clopper-Pearson bounds at CONFIDENCE, so a bound
is wrong only if the measurement was a one-in-a-thousand fluke.
"""

from __future__ import annotations

import math

from scipy import stats as sps

BUDGET = 1e-4
"""Largest allowed false-failure probability of one seed-sensitive test on one run."""
CONFIDENCE = 0.999
"""One-sided confidence of the bounds on measured rates."""


def rate_lower(hits: int, trials: int, confidence: float = CONFIDENCE) -> float:
    """Lower Clopper-Pearson bound on a per-trial rate measured as `hits` of `trials`."""
    if not 0 <= hits <= trials or trials < 1:
        raise ValueError(f"need 0 <= hits <= trials, trials >= 1 (got {hits} of {trials})")
    return 0.0 if hits == 0 else float(sps.beta.ppf(1.0 - confidence, hits, trials - hits + 1))


def rate_upper(hits: int, trials: int, confidence: float = CONFIDENCE) -> float:
    """Upper Clopper-Pearson bound on a per-trial rate measured as `hits` of `trials`."""
    if not 0 <= hits <= trials or trials < 1:
        raise ValueError(f"need 0 <= hits <= trials, trials >= 1 (got {hits} of {trials})")
    return 1.0 if hits == trials else float(sps.beta.ppf(confidence, hits + 1, trials - hits))


def all_miss(rate: float, trials: int) -> float:
    """Probability that `trials` independent trials, each a hit with probability >= rate, all miss."""
    if not 0.0 <= rate <= 1.0 or trials < 0:
        raise ValueError(f"need a rate in [0, 1] and trials >= 0 (got {rate}, {trials})")
    return (1.0 - rate) ** trials


def at_most(k: int, trials: int, rate: float) -> float:
    """Binomial P(X <= k) for X ~ Bin(trials, rate): fewer than k + 1 hits."""
    return float(sps.binom.cdf(k, trials, rate))


def union(*probabilities: float) -> float:
    """Bonferroni: the probability that at least one of several failure events happens is at most their sum."""
    return min(1.0, math.fsum(probabilities))


def trials_needed(rate: float, budget: float = BUDGET) -> int:
    """Smallest N with all_miss(rate, N) < budget."""
    if not 0.0 < rate <= 1.0:
        raise ValueError(f"need a rate in (0, 1], got {rate}")
    if rate == 1.0:
        return 1
    return math.floor(math.log(budget) / math.log1p(-rate)) + 1


def tost_sees_any_change(n: int, values: tuple[int, ...], margin: float, alpha: float = 0.05) -> bool:
    """Whether the transfer tier's paired TOST (n return differences against zeros) fails on *every* sample
    of n differences drawn from {0, +-v for v in values} that is not all zero: then a mutant is caught
    as soon as one paired return changes. Checks every count of each nonzero value (closed-form Welch
    t with the zero sample's variance 0, as equivcheck.oracles.stats.tost computes it)."""
    import numpy as np

    signed = np.array([s * v for v in values for s in (1, -1)], np.float64)
    if (n + 1) ** signed.size > 5e7:
        raise ValueError(f"too many samples to enumerate for n={n} and values {values}")
    counts = np.indices((n + 1,) * signed.size, dtype=np.int16).reshape(signed.size, -1).T
    counts = counts[(counts.sum(axis=1) > 0) & (counts.sum(axis=1) <= n)].astype(np.float64)
    total = counts @ signed
    squares = counts @ signed**2
    mean = total / n
    var = (squares - n * mean**2) / (n - 1)
    constant = var <= 1e-12
    se = np.sqrt(np.where(constant, 1.0, var) / n)
    p_lower = sps.t.sf((mean + margin) / se, n - 1)
    p_upper = sps.t.cdf((mean - margin) / se, n - 1)
    equivalent = np.where(constant, np.abs(mean) < margin, np.maximum(p_lower, p_upper) < alpha)
    return not bool(equivalent.any())


def vacuous(held: dict[str, int], measured: int, episodes: int) -> float:
    """Chance that a rollout of `episodes` episodes misses some liveness condition, from per-condition
    counts `held` (episodes of `measured` one-episode runs in which it held: scripts/liveness_rates.py)."""
    return union(*(all_miss(rate_lower(k, measured), episodes) for k in held.values()))


def liveness_episodes(held: dict[str, int], measured: int, budget: float = BUDGET) -> int:
    """Fewest episodes whose vacuous() bound is below `budget`."""
    rarest = min(held.values())
    if rarest == 0:
        raise ValueError("a condition never held in the measurement: no episode count makes it likely")
    episodes = trials_needed(rate_lower(rarest, measured), budget)
    while vacuous(held, measured, episodes) >= budget:
        episodes += 1
    return episodes
