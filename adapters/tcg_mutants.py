"""Mutants of TCGJax: each changes one rule or effect of envs/tcgjax while the step is compiled.

A mutant is a TcgJax adapter whose compilations see some module attributes replaced (constants,
PRNG functions, one branch of an effect table). `adapter_class(name)` builds the adapter,
`register_all()` registers every one as `tcgjax-mut-<name>`; cases/tcg/mutation_score.py runs them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax.numpy as jnp

from adapters.tcg import TcgJax
from envs.tcgjax import effects, engine, observe, prng
from equivcheck import registry


class Mutant(NamedTuple):
    """One mutant: its name, what it breaks and the replaced attributes."""

    name: str
    breaks: str
    patches: tuple[tuple[Any, str, Any], ...]


def _with(table: tuple, index: int, fn: Any) -> tuple:
    return table[:index] + (fn,) + table[index + 1:]


_next = prng.next_u32
_check = engine.check
_shuffle = prng.shuffle


def _next_shift12(s: Any) -> tuple:
    s = s ^ (s << 12)
    s = s ^ (s >> 17)
    s = s ^ (s << 5)
    return s, s


def _below_modulo(s: Any, n: Any) -> tuple:
    s, x = _next(s)
    return s, (x % jnp.maximum(jnp.asarray(n).astype(jnp.uint32), 1)).astype(jnp.int32)


def _coin_low_bit(s: Any) -> tuple:
    s, x = _next(s)
    return s, (x & 1) == 1


def _check_keep_paralysis(v: Any, rng: Any, owner_turn_ended: bool) -> tuple:
    return _check(v, rng, False)


def _heal_self_double(me: Any, opp: Any, rng: Any, a: Any, b: Any) -> tuple:
    return effects.heal(me, 0, 2 * a), opp, rng


def _bench_each_active_too(me: Any, opp: Any, rng: Any, a: Any, b: Any) -> tuple:
    hit = opp["card"] >= 0
    return me, {**opp, "damage": opp["damage"] + jnp.where(hit, a, 0)}, rng


def _recoil_none(me: Any, opp: Any, rng: Any, a: Any, b: Any) -> tuple:
    return me, opp, rng


def _status_always(me: Any, opp: Any, rng: Any, a: Any, b: Any) -> tuple:
    rng, _ = prng.coin(rng)
    return me, effects.inflict(opp, a), rng


def _potion_30(me: Any, opp: Any, rng: Any, target: Any) -> tuple:
    return effects.heal(me, target, 30), opp, rng


def _research_one(me: Any, opp: Any, rng: Any, target: Any) -> tuple:
    return engine.draw(me), opp, rng


def _cyrus_keeps_conditions(me: Any, opp: Any, rng: Any, target: Any) -> tuple:
    return me, engine.swap_slots(opp, 0, target), rng


def _attach_keeps_energy(me: Any, opp: Any, rng: Any, turn: Any, a: Any) -> tuple:
    me = {**me, "energy": me["energy"].at[a - engine.ATTACH, jnp.maximum(me["energy_cur"], 0)].add(1)}
    return me, opp, rng, engine.NO, engine.NO


def _retreat_twice(me: Any, opp: Any, rng: Any, turn: Any, a: Any) -> tuple:
    me, opp, rng, end, promoted = engine._retreat(me, opp, rng, turn, a)
    return {**me, "retreated": jnp.int32(0)}, opp, rng, end, promoted


def _observe_opponent_hand(s: Any, me: int) -> Any:
    out = _observe(s, me)
    return out.at[20:30].set(s["hand"][1 - me])


_observe = observe.observe
ATK, TR, BR = effects.ATK, effects.TR, engine.BRANCHES

MUTANTS: tuple[Mutant, ...] = (
    Mutant("weakness-30", "weakness adds 30, not 20", ((effects, "WEAKNESS_BONUS", 30),)),
    Mutant("giovanni-20", "Giovanni adds 20, not 10", ((effects, "GIOVANNI_BONUS", 20),)),
    Mutant("helmet-10", "Rocky Helmet does 10, not 20", ((effects, "HELMET_DAMAGE", 10),)),
    Mutant("win-at-2", "2 points win, not 3", ((engine, "WIN_POINTS", 2),)),
    Mutant("opening-4", "opening hand of 4", ((engine, "OPENING", 4),)),
    Mutant("poison-20", "poison does 20 between turns", ((engine, "POISON_DAMAGE", 20),)),
    Mutant("burn-10", "burn does 10 between turns", ((engine, "BURN_DAMAGE", 10),)),
    Mutant("confusion-20", "a confused attack's tails does 20 to itself", ((engine, "CONFUSION_DAMAGE", 20),)),
    Mutant("evolve-turn-2", "evolution allowed on turn 2 (the second player's first turn)",
           ((engine, "EVOLVE_FROM_TURN", 2),)),
    Mutant("energy-turn-1", "the first player gets energy on turn 1", ((engine, "NO_ENERGY_TURN", 0),)),
    Mutant("ex-one-point", "an ex is worth 1 point", ((engine, "EX_EXTRA_POINTS", 0),)),
    Mutant("turn-limit-20", "the game is drawn after turn 20, not 30", ((engine, "TURN_LIMIT", 20),)),
    Mutant("paralysis-stays", "paralysis never wears off", ((engine, "check", _check_keep_paralysis),)),
    Mutant("prng-shift-12", "xorshift's first shift is 12, not 13", ((prng, "next_u32", _next_shift12),)),
    Mutant("below-modulo", "bounded draws by modulo, not multiply-shift", ((prng, "below", _below_modulo),)),
    Mutant("coin-low-bit", "coins read the lowest bit, not the top", ((prng, "coin", _coin_low_bit),)),
    Mutant("heal-self-double", "heal_self attacks heal twice the amount",
           ((effects, "POST", _with(effects.POST, ATK["heal_self"], _heal_self_double)),)),
    Mutant("bench-each-hits-active", "bench damage (Blizzard) also hits the Active",
           ((effects, "POST", _with(effects.POST, ATK["bench_each"], _bench_each_active_too)),)),
    Mutant("no-recoil", "recoil attacks do no damage to the attacker",
           ((effects, "POST", _with(effects.POST, ATK["recoil"], _recoil_none)),)),
    Mutant("status-coin-ignored", "coin statuses are inflicted on tails too",
           ((effects, "POST", _with(effects.POST, ATK["status_coin"], _status_always)),)),
    Mutant("potion-30", "Potion heals 30", ((effects, "TRAINERS", _with(effects.TRAINERS, TR["potion"], _potion_30)),)),
    Mutant("research-draws-1", "Professor's Research draws 1",
           ((effects, "TRAINERS", _with(effects.TRAINERS, TR["professors_research"], _research_one)),)),
    Mutant("cyrus-keeps-conditions", "the Pokemon Cyrus benches keeps its conditions",
           ((effects, "TRAINERS", _with(effects.TRAINERS, TR["cyrus"], _cyrus_keeps_conditions)),)),
    Mutant("attach-twice", "the Energy Zone energy stays after attaching",
           ((engine, "BRANCHES", _with(BR, 2, _attach_keeps_energy)),)),
    Mutant("retreat-twice", "retreat allowed again in the same turn", ((engine, "BRANCHES", _with(BR, 3, _retreat_twice)),)),
    Mutant("obs-shows-opponent-hand", "the observation's hand block shows the opponent's hand",
           ((observe, "observe", _observe_opponent_hand),)),
)
BY_NAME = {m.name: m for m in MUTANTS}


def adapter_class(name: str) -> type[TcgJax]:
    """The TcgJax subclass of one mutant (adapter name tcgjax-mut-<name>)."""
    m = BY_NAME[name]
    return type(f"TcgJaxMut_{name.replace('-', '_')}", (TcgJax,), {
        "name": f"tcgjax-mut-{name}", "patches": m.patches, "__doc__": f"Mutant: {m.breaks}."})


def register_all() -> list[str]:
    """Register every mutant adapter for this process; their adapter names."""
    names = []
    for m in MUTANTS:
        cls = adapter_class(m.name)
        registry.register_adapter(cls.name, cls)
        names.append(cls.name)
    return names


class TcgJaxMutWeakness(TcgJax):
    """Mutant (registered entry point): weakness adds 30, not 20."""

    name = "tcgjax-mut-weakness-30"
    patches = BY_NAME["weakness-30"].patches


class TcgJaxMutPrng(TcgJax):
    """Mutant (registered entry point): xorshift's first shift is 12, not 13."""

    name = "tcgjax-mut-prng-shift-12"
    patches = BY_NAME["prng-shift-12"].patches
