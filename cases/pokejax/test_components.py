"""L1: PokeJAX's components against Showdown 0.11.11's own functions (exact equality).

Each pair is searched with equivcheck's property tier (`search`: Hypothesis, seeded from the test's
equivcheck seed, failures shrunk); a bulk test replays long PRNG streams for many seeds at once.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from cases.pokejax.components import PAIRS
from equivcheck.tiers.property import search
from envs.pokejax import prng


def _assert_no_divergence(name: str, seed: int) -> None:
    pair = PAIRS[name]
    inputs, diffs, count = search(pair, seed, pair.max_examples)
    assert count > 0
    assert inputs is None, f"{pair.name}: shrunk input {inputs!r}\n" + "\n".join(
        f"  {d.path}: showdown={d.ref!r} pokejax={d.cand!r}" for d in diffs[:5])


@pytest.mark.tier("property")
@pytest.mark.parametrize("name", list(PAIRS))
def test_component(name: str, equivcheck_run) -> None:  # noqa: ANN001
    _assert_no_divergence(name, equivcheck_run.seed)


@pytest.mark.tier("property")
def test_prng_streams_many_seeds(equivcheck_run) -> None:  # noqa: ANN001
    """500 seeds x 64 draws of random(256) and of random(217, 256): every value and the final state."""
    from adapters.pokejax_components import showdown_components

    rng = np.random.default_rng(equivcheck_run.seed)
    seeds = rng.integers(0, 1 << 16, size=(500, 4))
    calls = [["random", 256]] * 64 + [["random", 217, 256]] * 64
    ref = showdown_components().prng([{"seed": s.tolist(), "calls": calls} for s in seeds])

    def stream(words: jax.Array) -> tuple[jax.Array, jax.Array]:
        def a(state: jax.Array, _: None) -> tuple:
            return prng.random(state, 256)

        def b(state: jax.Array, _: None) -> tuple:
            return prng.random_range(state, 217, 256)

        state, xs = jax.lax.scan(a, prng.from_words(words), None, length=64)
        state, ys = jax.lax.scan(b, state, None, length=64)
        return prng.words(state), jnp.concatenate([xs, ys])

    words, values = jax.jit(jax.vmap(stream))(jnp.asarray(seeds, jnp.int32))
    np.testing.assert_array_equal(np.asarray(values), np.array([r["out"] for r in ref]))
    np.testing.assert_array_equal(np.asarray(words), np.array([r["seed"] for r in ref]))
