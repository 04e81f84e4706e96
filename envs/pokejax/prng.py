"""Pokemon Showdown's PRNG (sim/prng.ts, 0.11.11) for `gen5,` seeds, in pure JAX on uint32.

Showdown's Gen5RNG is a 64-bit LCG, x' = a*x + c mod 2^64 with a = 0x5D588B656C078965 and
c = 0x269EC3, kept as four 16-bit words (most significant first); each draw advances the state
once and yields its upper 32 bits r. `PRNG.random` turns r into numbers as floor(r * n / 2^32)
in floating point: exact, and equal to the high word of the 32x32-bit product r * n computed
here, for every n <= 2^21 (Showdown's Gen 1 draws use n <= 256).

The state is a uint32 array of shape (2,): [high 32 bits, low 32 bits]. No x64 is needed: the
64-bit product is built from 16-bit limbs. Every function is pure, jit- and vmap-able, and
returns the new state first. `words`/`from_words` convert to Showdown's four 16-bit words (what
`battle.prng.getSeed()` and the adapter's `prng` field show).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

A_HI, A_LO = 0x5D588B65, 0x6C078965
C_LO = 0x00269EC3
MAX_N = 1 << 21

State = jax.Array


def _u32(x: object) -> jax.Array:
    return jnp.asarray(x, dtype=jnp.uint32)


def mul_wide(a: jax.Array, b: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(high, low) 32-bit halves of the 64-bit product of two uint32 values."""
    a, b = _u32(a), _u32(b)
    mask = jnp.uint32(0xFFFF)
    a0, a1 = a & mask, a >> 16
    b0, b1 = b & mask, b >> 16
    p00, p01, p10, p11 = a0 * b0, a0 * b1, a1 * b0, a1 * b1
    mid = (p00 >> 16) + (p01 & mask) + (p10 & mask)
    lo = (mid << 16) | (p00 & mask)
    hi = p11 + (p01 >> 16) + (p10 >> 16) + (mid >> 16)
    return hi, lo


def from_words(words: object) -> State:
    """State from Showdown's four 16-bit words [w0, w1, w2, w3] (w0 most significant)."""
    w = _u32(words)
    return jnp.stack([(w[..., 0] << 16) | w[..., 1], (w[..., 2] << 16) | w[..., 3]], axis=-1)


def words(state: State) -> jax.Array:
    """Showdown's four 16-bit words of a state, as uint16 (the adapter's `prng` field)."""
    s = _u32(state)
    mask = jnp.uint32(0xFFFF)
    return jnp.stack([s[..., 0] >> 16, s[..., 0] & mask, s[..., 1] >> 16, s[..., 1] & mask], axis=-1).astype(jnp.uint16)


def from_seed(seed: str) -> State:
    """State from a Showdown seed string: `gen5,` + 16 hex digits, or four comma-separated words."""
    if seed.startswith("gen5,"):
        hexpart = seed[5:21]
        return from_words([int(hexpart[i:i + 4], 16) for i in range(0, 16, 4)])
    parts = seed.split(",")
    if len(parts) != 4:
        raise ValueError(f"not a Gen 5 seed: {seed!r}")
    return from_words([int(p) for p in parts])


def advance(state: State) -> State:
    """One LCG step: a * x + c mod 2^64."""
    hi, lo = state[..., 0], state[..., 1]
    p_hi, p_lo = mul_wide(lo, jnp.uint32(A_LO))
    cross = hi * jnp.uint32(A_LO) + lo * jnp.uint32(A_HI)
    new_lo = p_lo + jnp.uint32(C_LO)
    carry = (new_lo < p_lo).astype(jnp.uint32)
    new_hi = p_hi + cross + carry
    return jnp.stack([new_hi, new_lo], axis=-1)


def next_u32(state: State) -> tuple[State, jax.Array]:
    """One draw: the new state and its upper 32 bits (Gen5RNG.next)."""
    state = advance(state)
    return state, state[..., 0]


def random_float(state: State) -> tuple[State, jax.Array]:
    """`random()`: the draw r; Showdown returns r / 2^32 (exact in float64; float32 would round)."""
    return next_u32(state)


def random(state: State, n: object) -> tuple[State, jax.Array]:
    """`random(n)`: an integer in [0, n) as floor(r * n / 2^32), int32 (n <= 2^21; n = 0 gives 0)."""
    state, r = next_u32(state)
    hi, _ = mul_wide(r, _u32(n))
    return state, hi.astype(jnp.int32)


def random_range(state: State, m: object, n: object) -> tuple[State, jax.Array]:
    """`random(m, n)` for 0 <= m < n: an integer in [m, n), int32."""
    m32 = jnp.asarray(m, jnp.int32)
    state, k = random(state, (jnp.asarray(n, jnp.int32) - m32).astype(jnp.uint32))
    return state, k + m32


def random_chance(state: State, numerator: object, denominator: object) -> tuple[State, jax.Array]:
    """`randomChance(num, den)`: random(den) < num."""
    state, k = random(state, denominator)
    return state, k < jnp.asarray(numerator, jnp.int32)


def sample_index(state: State, length: object) -> tuple[State, jax.Array]:
    """`sample(items)`: the index drawn, random(len(items))."""
    return random(state, length)


def shuffle(state: State, items: jax.Array, start: object = 0, end: object | None = None) -> tuple[State, jax.Array]:
    """`shuffle(items, start, end)`: Showdown's Fisher-Yates on items[start:end] (fixed-size array).

    One draw per position start..end-2, `random(i, end)`, swapping i with the drawn index; positions
    outside [start, end - 1) draw nothing.
    """
    size = items.shape[-1]
    start = jnp.asarray(start, jnp.int32)
    end = jnp.asarray(size if end is None else end, jnp.int32)

    def body(i: jax.Array, carry: tuple[State, jax.Array]) -> tuple[State, jax.Array]:
        st, arr = carry
        active = (i >= start) & (i < end - 1)
        new_st, j = random_range(st, i, jnp.maximum(end, i + 1))
        j = jnp.where(active, j, i)
        a_i, a_j = arr[i], arr[j]
        arr = arr.at[i].set(a_j).at[j].set(a_i)
        return jnp.where(active[..., None], new_st, st), arr

    return lax.fori_loop(0, size, body, (state, items))
