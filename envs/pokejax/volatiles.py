"""Gen 1 volatiles of the active Pokemon: bit flags, counters, and their Showdown snapshot fields.

Showdown keeps volatiles on `pokemon.volatiles` and clears them on switch-out and faint, so
only the active Pokemon of a side has any: the state keeps them per side. `vol` (2,) int32 has
one bit per name in NAMES (the Gen 1 volatiles the Showdown adapter declares,
adapters/showdown/FIELDS.md); each declared counter is a (2,) array `v_<volatile>_<counter>`
(move counters hold move numbers). A counter's value only means something while its bit is set.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

NAMES = ("confusion", "partiallytrapped", "fakepartiallytrapped", "partialtrappinglock", "lockedmove",
         "twoturnmove", "substitute", "disable", "bide", "rage", "residualdmg", "mustrecharge", "invulnerability",
         "flinch", "leechseed", "reflect", "lightscreen", "mist", "focusenergy")
# volatiles the adapter does not declare: they show in `volatiles` and, by name, in `vol_other`
OTHER = ("defensecurl", "minimize")
BIT = {name: 1 << k for k, name in enumerate(NAMES + OTHER)}
COUNTER_FIELDS = (
    ("confusion", "time"), ("partiallytrapped", "duration"), ("fakepartiallytrapped", "duration"),
    ("partialtrappinglock", "duration"), ("partialtrappinglock", "totalDuration"), ("partialtrappinglock", "damage"),
    ("partialtrappinglock", "move"), ("lockedmove", "time"), ("lockedmove", "move"), ("twoturnmove", "move"),
    ("substitute", "hp"), ("disable", "time"), ("disable", "move"), ("bide", "time"), ("bide", "damage"),
    ("residualdmg", "counter"),
)
# counters the engine keeps beyond the snapshot's (Rage/Thrash accuracy, Disable's slot, ...)
EXTRA_COUNTERS = (("lockedmove", "accuracy"), ("rage", "accuracy"), ("disable", "slot"),
                  ("partiallytrapped", "maybelocked"), ("partialtrappinglock", "locked"))
# int32 counters: Bide stores lastDamage, which an OHKO move on a substitute sets to 65535
WIDE_COUNTERS = (("bide", "damage"),)


def key(name: str, counter: str) -> str:
    """State key of a volatile counter."""
    return f"v_{name}_{counter}"


def empty() -> dict[str, Any]:
    """The volatile part of a new battle's state: no volatiles, counters zero."""
    out: dict[str, Any] = {"vol": jnp.zeros((2,), jnp.int32)}
    for name, c in COUNTER_FIELDS + EXTRA_COUNTERS:
        out[key(name, c)] = jnp.zeros((2,), jnp.int32 if (name, c) in WIDE_COUNTERS else jnp.int16)
    return out


def has(st: dict[str, Any], side: Any, name: str) -> Any:
    """Whether `side`'s active Pokemon has the volatile (traced bool)."""
    return (st["vol"][side] & BIT[name]) != 0


def with_flag(st: dict[str, Any], side: Any, name: str, on: Any) -> dict[str, Any]:
    """Set or clear one volatile bit of `side` (on: traced bool)."""
    v = st["vol"][side]
    new = jnp.where(on, v | BIT[name], v & ~BIT[name])
    return {**st, "vol": st["vol"].at[side].set(new)}


def clear_all(st: dict[str, Any], side: Any) -> dict[str, Any]:
    """`clearVolatile`: `side` loses every volatile (switch-out, faint)."""
    return {**st, "vol": st["vol"].at[side].set(0)}


def snapshot(s: dict[str, np.ndarray], side: int, holds: bool, prefix: str) -> dict[str, Any]:
    """The snapshot's `volatiles`, `vol.*`, `vol_other` and `toxic_counter` of one team member.

    holds: this member is the side's (unfainted) active Pokemon, the only one with volatiles.
    """
    from envs.pokejax.state import move_name

    bits = int(s["vol"][side]) if holds else 0
    names = [n for n in NAMES + OTHER if bits & BIT[n]]
    other = [n for n in OTHER if bits & BIT[n]]
    out: dict[str, Any] = {f"{prefix}.volatiles": ",".join(sorted(names)), f"{prefix}.vol_other": ",".join(other)}
    for name, c in COUNTER_FIELDS:
        present = bool(bits & BIT[name])
        value = int(s[key(name, c)][side])
        if c == "move":
            out[f"{prefix}.vol.{name}.{c}"] = move_name(value) if present else ""
        else:
            out[f"{prefix}.vol.{name}.{c}"] = np.int32(value if present else -1)
    rd = bool(bits & BIT["residualdmg"])
    out[f"{prefix}.toxic_counter"] = np.int16(s[key("residualdmg", "counter")][side] if rd else 0)
    return out


def from_snapshot(snap: dict[str, Any], out: dict[str, Any], side: int, prefix: str) -> dict[str, Any]:
    """The volatile bits and counters of `side` read from its active member's snapshot fields (into `out`)."""
    from envs.pokejax.state import _move_number

    names = [n for n in snap[f"{prefix}.volatiles"].split(",") if n]
    out["vol"][side] = sum(BIT[n] for n in names)
    for name, c in COUNTER_FIELDS:
        if name not in names:
            continue
        value = snap[f"{prefix}.vol.{name}.{c}"]
        out[key(name, c)][side] = _move_number(value) if c == "move" else int(value)
    for name, c in EXTRA_COUNTERS:
        out[key(name, c)][side] = 255 if c == "accuracy" else 0
    if "disable" in names:  # the disabled slot: the one holding the disabled move
        ids = [snap[f"{prefix}.move.{m}.id"] for m in range(4)]
        out[key("disable", "slot")][side] = ids.index(snap[f"{prefix}.vol.disable.move"])
    return {k: out[k] for k in ["vol"] + [key(n, c) for n, c in COUNTER_FIELDS + EXTRA_COUNTERS]}
