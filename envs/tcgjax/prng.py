"""docs/tcg-rules.md section 9 on a uint32 scalar: xorshift32, below, coin, heads, until_tails, shuffle.

Every function takes and returns the state; conditional draws (a coin only when a condition holds)
use `maybe_*`, which advance the state only where the condition is true.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax

MAX_FLIPS = 20


def seed_state(seed: jnp.ndarray) -> jnp.ndarray:
    """(seed mod 2^32) * 2654435761 + 0x9E3779B9 mod 2^32, 1 if 0."""
    s = jnp.asarray(seed).astype(jnp.uint32) * jnp.uint32(2654435761) + jnp.uint32(0x9E3779B9)
    return jnp.where(s == 0, jnp.uint32(1), s)


def next_u32(s: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
    """xorshift32 (13, 17, 5): (new state, new state)."""
    s = s ^ (s << 13)
    s = s ^ (s >> 17)
    s = s ^ (s << 5)
    return s, s


def below(s: jnp.ndarray, n: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
    """((next >> 8) * n) >> 24 as int32."""
    s, x = next_u32(s)
    return s, (((x >> 8) * jnp.asarray(n).astype(jnp.uint32)) >> 24).astype(jnp.int32)


def coin(s: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
    """Heads (True) when the top bit of next() is set."""
    s, x = next_u32(s)
    return s, (x >> 31) == 1


def maybe_coin(s: jnp.ndarray, when: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
    """A coin only when `when`; otherwise the state stays and the result is False."""
    s2, c = coin(s)
    return jnp.where(when, s2, s), when & c


def maybe_below(s: jnp.ndarray, n: jnp.ndarray, when: jnp.ndarray) -> tuple[jnp.ndarray, jnp.ndarray]:
    """below(n) only when `when` (0 otherwise)."""
    s2, k = below(s, jnp.maximum(n, 1))
    return jnp.where(when, s2, s), jnp.where(when, k, 0)


def heads(s: jnp.ndarray, coins: jnp.ndarray, max_coins: int = 4, when: jnp.ndarray = True) -> tuple:
    """Flip `coins` (<= max_coins) coins when `when`; the number of heads."""
    def body(i: int, carry: tuple) -> tuple:
        s, h = carry
        s, c = maybe_coin(s, when & (i < coins))
        return s, h + c.astype(jnp.int32)
    return lax.fori_loop(0, max_coins, body, (s, jnp.int32(0)))


def until_tails(s: jnp.ndarray, when: jnp.ndarray = True) -> tuple[jnp.ndarray, jnp.ndarray]:
    """Flip until tails (at most MAX_FLIPS heads) when `when`; the number of heads."""
    def body(i: int, carry: tuple) -> tuple:
        s, h, going = carry
        s, c = maybe_coin(s, going)
        return s, h + (going & c).astype(jnp.int32), going & c
    s, h, _ = lax.fori_loop(0, MAX_FLIPS, body, (s, jnp.int32(0), jnp.asarray(when)))
    return s, h


def shuffle(s: jnp.ndarray, items: jnp.ndarray, n: jnp.ndarray, when: jnp.ndarray = True) -> tuple:
    """Fisher-Yates on items[:n] (for i = n-1 down to 1, swap items[i] with items[below(i+1)]) when `when`."""
    size = items.shape[0]

    def body(k: int, carry: tuple) -> tuple:
        s, a = carry
        i = size - 1 - k
        active = when & (i < n)
        s, j = maybe_below(s, i + 1, active)
        ai, aj = a[i], a[j]
        a = a.at[i].set(jnp.where(active, aj, ai))
        a = a.at[j].set(jnp.where(active, ai, a[j]))
        return s, a
    return lax.fori_loop(0, size - 1, body, (s, items))
