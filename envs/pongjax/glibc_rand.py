"""glibc's rand()/srand() (the default TYPE_3 additive feedback generator), bit for bit, in JAX.

glibc keeps 31 words r[0..30] in place and two indices, front f and rear r, with f = r + 3
(mod 31). One draw: r[f] += r[r] (mod 2**32); the result is that new word >> 1; both indices
advance by one (mod 31). srand(seed): word 0 = seed (1 if seed is 0), words 1..30 from
16807 * w mod (2**31 - 1) (Schrage's method on int32, C truncating division), f = 3, r = 0,
then 310 draws discarded (with the 34 implied by the layout, the "344 warm-up outputs").

The state is (table uint32[31], rptr int32), exactly glibc's buffer layout, so it can be
compared with the reference's. Warm-up and multi-draw jumps use the generator's linearity:
the table after k draws is an integer matrix (mod 2**32) times the table before.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

DEG = 31
SEP = 3
WARMUP_DRAWS = 10 * DEG


class RandState(NamedTuple):
    """glibc's TYPE_3 state: the 31-word table and the rear index (front = rear + 3 mod 31)."""

    table: jax.Array
    rptr: jax.Array


def _schrage_words(seed: jax.Array) -> jax.Array:
    """The 31 words glibc's srandom_r writes before warm-up, as uint32."""
    seed = jnp.asarray(seed, dtype=jnp.uint32)
    seed = jnp.where(seed == 0, jnp.uint32(1), seed)
    word0 = jax.lax.bitcast_convert_type(seed, jnp.int32)

    def body(word: jax.Array, _: None) -> tuple[jax.Array, jax.Array]:
        hi = jax.lax.div(word, jnp.int32(127773))
        lo = jax.lax.rem(word, jnp.int32(127773))
        nxt = jnp.int32(16807) * lo - jnp.int32(2836) * hi
        nxt = jnp.where(nxt < 0, nxt + jnp.int32(2147483647), nxt)
        return nxt, nxt

    _, rest = jax.lax.scan(body, word0, None, length=DEG - 1)
    words = jnp.concatenate([word0[None], rest])
    return jax.lax.bitcast_convert_type(words, jnp.uint32)


@lru_cache(maxsize=None)
def _ring_jump_matrix(n_draws: int) -> np.ndarray:
    """M (31x31, uint32) with table_after = M @ table_before (mod 2**32) for n_draws from rptr 0."""
    coef = np.eye(DEG, dtype=np.uint64)
    r = 0
    for _ in range(n_draws):
        f = (r + SEP) % DEG
        coef[f] = (coef[f] + coef[r]) & 0xFFFFFFFF
        r = (r + 1) % DEG
    return coef.astype(np.uint32)


def _matvec_u32(m: jax.Array, v: jax.Array) -> jax.Array:
    """(m @ v) mod 2**32 for uint32 operands, without relying on integer dot semantics."""
    return jnp.sum(m * v[..., None, :], axis=-1, dtype=jnp.uint32)


def srand(seed: jax.Array | int) -> RandState:
    """glibc srand(seed): the state rand() continues from."""
    words = _schrage_words(jnp.asarray(seed, dtype=jnp.uint32))
    table = _matvec_u32(jnp.asarray(_ring_jump_matrix(WARMUP_DRAWS)), words)
    return RandState(table=table, rptr=jnp.int32(0))


def rand(state: RandState) -> tuple[RandState, jax.Array]:
    """One glibc rand(): (next state, int32 value in [0, 2**31))."""
    idx = jnp.arange(DEG, dtype=jnp.int32)
    rptr = state.rptr
    fptr = (rptr + SEP) % DEG
    front = jnp.sum(jnp.where(idx == fptr, state.table, jnp.uint32(0)), dtype=jnp.uint32)
    rear = jnp.sum(jnp.where(idx == rptr, state.table, jnp.uint32(0)), dtype=jnp.uint32)
    new = front + rear
    table = jnp.where(idx == fptr, new, state.table)
    out = jax.lax.bitcast_convert_type(new >> 1, jnp.int32)
    return RandState(table=table, rptr=(rptr + 1) % DEG), out


def rand_if(state: RandState, do: jax.Array) -> tuple[RandState, jax.Array]:
    """rand() when `do` is true, else the state unchanged (the value is then meaningless)."""
    nxt, out = rand(state)
    table = jnp.where(do, nxt.table, state.table)
    rptr = jnp.where(do, nxt.rptr, state.rptr)
    return RandState(table=table, rptr=rptr), out


def rand_n(state: RandState, n: int) -> tuple[RandState, jax.Array]:
    """n consecutive rand() values (n static)."""
    return jax.lax.scan(lambda s, _: rand(s), state, None, length=n)


@lru_cache(maxsize=8)
def sequence_coefficients(n_rows: int) -> np.ndarray:
    """R (n_rows x 31, uint32): raw word s[k] = R[k] . c (mod 2**32), c = table in draw order.

    c[m] = table[(fptr + m) % 31] are the last 31 raw words, oldest first; s[31 + j] is the raw
    word of the j-th next draw (its rand() value is s >> 1).
    """
    rows = np.zeros((n_rows, DEG), dtype=np.uint64)
    for k in range(min(n_rows, DEG)):
        rows[k, k] = 1
    for k in range(DEG, n_rows):
        rows[k] = (rows[k - DEG] + rows[k - SEP]) & 0xFFFFFFFF
    return rows.astype(np.uint32)


def _canonical(state: RandState) -> jax.Array:
    """The table in draw order: c[m] = table[(fptr + m) % 31]."""
    fptr = (state.rptr + SEP) % DEG
    return jnp.roll(state.table, -fptr)


def draw_masked_shared(state: RandState, need: jax.Array, coeffs: jax.Array) -> tuple[RandState, jax.Array]:
    """One shared stream, draws taken in index order by the entries where `need` is true.

    Returns the advanced state and, for every entry, the rand() value it drew (meaningless
    where need is false). `coeffs` is sequence_coefficients(rows) with rows >= len(need) + 62.
    """
    need = need.astype(jnp.int32)
    offsets = jnp.cumsum(need) - need
    n = jnp.sum(need)
    c = _canonical(state)
    raw = _matvec_u32(coeffs[DEG + offsets], c)
    new_c = _matvec_u32(jax.lax.dynamic_slice_in_dim(coeffs, n, DEG, axis=0), c)
    new_fptr = ((state.rptr + SEP) % DEG + n) % DEG
    table = jnp.roll(new_c, new_fptr)
    values = jax.lax.bitcast_convert_type(raw >> 1, jnp.int32)
    return RandState(table=table, rptr=(state.rptr + n) % DEG), values
