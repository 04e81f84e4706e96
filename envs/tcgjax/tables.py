"""The card tables of envs/tcg/cards.py as JAX arrays (the card data is shared; the behaviour is translated)."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import jax
import jax.numpy as jnp

from envs.tcg.cards import ABILITY_EFFECTS, ATTACK_EFFECTS, TRAINER_EFFECTS, tables as np_tables


class T(NamedTuple):
    """Device copies of the numeric card tables."""

    kind: jnp.ndarray
    ptype: jnp.ndarray
    stage: jnp.ndarray
    name_id: jnp.ndarray
    evolves_from: jnp.ndarray
    ex: jnp.ndarray
    hp: jnp.ndarray
    retreat: jnp.ndarray
    weakness: jnp.ndarray
    n_attacks: jnp.ndarray
    atk_cost: jnp.ndarray
    atk_damage: jnp.ndarray
    atk_effect: jnp.ndarray
    atk_args: jnp.ndarray
    ability: jnp.ndarray
    ability_arg: jnp.ndarray
    trainer: jnp.ndarray


@lru_cache(maxsize=1)
def tables() -> T:
    """The tables, built once."""
    t = np_tables()
    with jax.ensure_compile_time_eval():
        return T(*(jnp.asarray(getattr(t, f), jnp.int32) for f in T._fields))


ATK = {name: i for i, name in enumerate(ATTACK_EFFECTS)}
ABIL = {name: i for i, name in enumerate(ABILITY_EFFECTS)}
TR = {name: i for i, name in enumerate(TRAINER_EFFECTS)}
