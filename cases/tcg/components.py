"""L1 of the TCG case: one rule or one card effect at a time, on drawn states, reference vs TCGJax.

Each pair draws a game state (a seed's decks played a drawn number of steps by the eager player),
rewrites it so the rule or effect under test applies (a card with that attack in the Active spot
with its energy, the trainer in hand, special conditions on the Actives...), then applies one
action on both engines: the reference's `TcgEnv` and the candidate adapter's own compiled step
(`bind=True`, so a mutant adapter is what is tested). Outputs: whether the action was legal on
each side, and the whole next snapshot with both masks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
from hypothesis import strategies as st

from cases.tcg.policy import choose
from envs.tcg.actions import ABILITY, ATTACK, END, PLAY, RETREAT
from envs.tcg.cards import ABILITY_EFFECTS, ATTACK_EFFECTS, N_ENERGY, TRAINER_EFFECTS, tables
from envs.tcg.decks import seed_decks
from envs.tcg.env import TcgEnv
from envs.tcg.state import CONFUSED, MAIN, OVER, Slot
from equivcheck.case import ComponentPair

MAX_STEPS = 80
Build = Callable[[TcgEnv, np.random.Generator], int]
"""Rewrites the game in `env` for the rule under test and returns the action to apply."""


def played(seed: int, steps: int) -> TcgEnv:
    """The seed's game after up to `steps` eager moves, stopped early in a main phase of a live game."""
    env = TcgEnv()
    env.reset(seed, seed_decks(seed))
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        game = env.game
        mask = env.action_mask()[game.acting]
        nxt = choose(mask, rng)
        trial = env.snapshot()
        env.step(nxt)
        if env.game.phase == OVER:
            env.restore(trial)
            break
    while env.game.phase != MAIN:
        env.step(choose(env.action_mask()[env.game.acting], rng))
    return env


def _cards(pred: Callable[[int], bool]) -> list[int]:
    t = tables()
    return [c for c in range(t.n_cards) if pred(c)]


def _fund(slot: Slot, cost: np.ndarray, rng: np.random.Generator, extra: int) -> None:
    """Energy covering `cost` (Colorless paid by random types) plus `extra` random energy."""
    energy = [int(x) for x in cost[:N_ENERGY]]
    for _ in range(int(cost[8]) + extra):
        energy[int(rng.integers(N_ENERGY))] += 1
    slot.energy = energy


def _active(env: TcgEnv, c: int, rng: np.random.Generator) -> Slot:
    t = tables()
    me = env.game.players[env.game.current]
    slot = me.slots[0]
    slot.card = c
    slot.stack = [-1, -1, -1]
    slot.stack[int(t.stage[c])] = c
    slot.damage = 10 * int(rng.integers(0, max(1, int(t.hp[c]) // 10)))
    return slot


def attack_build(effect: str) -> Build:
    """An Active with an attack of this effect, paid for; the defender (half the time a sturdy Basic, so that the hit
    does not always knock it out) maybe damaged, maybe with a tool; maybe a bench of the attacker's type."""
    t = tables()
    code = ATTACK_EFFECTS.index(effect)
    choices = [(c, k) for c in range(t.n_cards) for k in range(int(t.n_attacks[c])) if t.atk_effect[c, k] == code]

    def build(env: TcgEnv, rng: np.random.Generator) -> int:
        c, k = choices[int(rng.integers(len(choices)))]
        slot = _active(env, c, rng)
        _fund(slot, t.atk_cost[c, k], rng, int(rng.integers(0, 4)))
        me, opp = env.game.players[env.game.current], env.game.players[1 - env.game.current]
        me.rot = [0, 0, 0, CONFUSED][int(rng.integers(4))]
        me.giovanni = int(rng.integers(2))
        tools = _cards(lambda x: t.kind[x] == 3)
        if rng.random() < 0.5:
            sturdy = _cards(lambda x: t.kind[x] == 0 and t.stage[x] == 0 and t.hp[x] >= 120)
            b = sturdy[int(rng.integers(len(sturdy)))]
            opp.slots[0] = Slot(card=b, stack=[b, -1, -1], placed_turn=0)
            opp.clear_conditions()
        opp.slots[0].tool = [-1, *tools][int(rng.integers(len(tools) + 1))]
        opp.slots[0].damage = 10 * int(rng.integers(0, 15)) if rng.random() < 0.5 else 0
        if rng.random() < 0.5:
            bench = _cards(lambda x: t.kind[x] == 0 and t.stage[x] == 0 and t.ptype[x] == t.ptype[c])
            for j in range(1, 4):
                if me.slots[j].empty and bench:
                    b = bench[int(rng.integers(len(bench)))]
                    me.slots[j] = Slot(card=b, stack=[b, -1, -1], placed_turn=0)
        return ATTACK + k

    return build


def trainer_build(effect: str) -> Build:
    """The trainer in hand slot 0 with a random target; damage, Water/Grass Pokemon, a damaged foe bench to target
    and special conditions on the foe's Active (which Cyrus must clear); for Cyrus mostly a benched foe to pull."""
    t = tables()
    card = next(c for c in range(t.n_cards) if t.kind[c] != 0 and TRAINER_EFFECTS[t.trainer[c]] == effect)

    def build(env: TcgEnv, rng: np.random.Generator) -> int:
        me, opp = env.game.players[env.game.current], env.game.players[1 - env.game.current]
        if me.hand:
            me.hand[0] = card
        else:
            me.hand.append(card)
        me.supporter_used = int(rng.random() < 0.2)
        opp.poisoned, opp.burned, opp.rot = int(rng.random() < 0.4), int(rng.random() < 0.4), int(rng.integers(4))
        for s in me.slots + opp.slots:
            if not s.empty and rng.random() < 0.6:
                s.damage = 10 * int(rng.integers(1, 8))
        if effect in ("misty", "erika") and rng.random() < 0.7:
            kinds = _cards(lambda x: t.kind[x] == 0 and t.stage[x] == 0 and t.ptype[x] == (2 if effect == "misty" else 0))
            j = int(rng.integers(4))
            b = kinds[int(rng.integers(len(kinds)))]
            me.slots[j] = Slot(card=b, stack=[b, -1, -1], placed_turn=0, damage=10 * int(rng.integers(0, 4)))
        target = int(rng.integers(4))
        if effect == "cyrus" and rng.random() < 0.8:
            target = 1 + int(rng.integers(3))
            if opp.slots[target].empty:
                basics = _cards(lambda x: t.kind[x] == 0 and t.stage[x] == 0)
                b = basics[int(rng.integers(len(basics)))]
                opp.slots[target] = Slot(card=b, stack=[b, -1, -1], placed_turn=0)
            opp.slots[target].damage = 10 * int(rng.integers(0 if rng.random() < 0.2 else 1, 5))
        return PLAY + target

    return build


def ability_build(effect: str) -> Build:
    """A Pokemon with this ability at a random position (the Active's type matching half the time)."""
    t = tables()
    cards = _cards(lambda x: t.kind[x] == 0 and ABILITY_EFFECTS[t.ability[x]] == effect)

    def build(env: TcgEnv, rng: np.random.Generator) -> int:
        me, opp = env.game.players[env.game.current], env.game.players[1 - env.game.current]
        c = cards[int(rng.integers(len(cards)))]
        j = int(rng.integers(4))
        me.slots[j] = Slot(card=c, stack=[-1, -1, -1], placed_turn=0, damage=10 * int(rng.integers(0, 5)),
                           ability_used=int(rng.random() < 0.2))
        me.slots[j].stack[int(t.stage[c])] = c
        if rng.random() < 0.5:
            same = _cards(lambda x: t.kind[x] == 0 and t.ptype[x] == t.ptype[c] and t.stage[x] == 0)
            b = same[int(rng.integers(len(same)))]
            if j != 0:
                me.slots[0] = Slot(card=b, stack=[b, -1, -1], placed_turn=0)
        opp.poisoned = int(rng.random() < 0.3)
        return ABILITY + j

    return build


def checkup_build(env: TcgEnv, rng: np.random.Generator) -> int:
    """Special conditions on both Actives, damage anywhere from none to one counter short of a knock-out,
    then end the turn."""
    for p in env.game.players:
        p.poisoned, p.burned = int(rng.random() < 0.5), int(rng.random() < 0.5)
        p.rot = int(rng.integers(4))
        active = p.slots[0]
        hp = int(tables().hp[active.card])
        active.damage = 10 * int(rng.integers(0, hp // 10))
    return END


def retreat_build(env: TcgEnv, rng: np.random.Generator) -> int:
    """Energy, a condition and reductions on the Active; retreat to a random bench position."""
    me = env.game.players[env.game.current]
    _fund(me.slots[0], np.zeros(9, np.int64), rng, int(rng.integers(0, 5)))
    me.rot = int(rng.integers(4)) if rng.random() < 0.3 else 0
    me.retreat_reduction = int(rng.integers(0, 3))
    return RETREAT + int(rng.integers(3))


def evolution_build(env: TcgEnv, rng: np.random.Generator) -> int:
    """An evolution card in hand and a random target (the matching Basic there half the time)."""
    t = tables()
    game = env.game
    me = game.players[game.current]
    evo = _cards(lambda x: t.kind[x] == 0 and t.stage[x] > 0)
    c = evo[int(rng.integers(len(evo)))]
    if me.hand:
        me.hand[0] = c
    else:
        me.hand.append(c)
    j = int(rng.integers(4))
    if rng.random() < 0.5:
        base = _cards(lambda x: t.kind[x] == 0 and t.name_id[x] == t.evolves_from[c])
        b = base[0]
        me.slots[j] = Slot(card=b, stack=[-1, -1, -1], placed_turn=int(rng.integers(0, game.turn + 1)),
                           damage=10 * int(rng.integers(0, 5)))
        me.slots[j].stack[int(t.stage[b])] = b
    if j == 0:
        me.rot, me.poisoned = int(rng.integers(4)), int(rng.integers(2))
    return PLAY + j


def promotion_build(env: TcgEnv, rng: np.random.Generator) -> int:
    """The defender one hit from a knock-out with a drawn bench; attack to knock it out (then promotions)."""
    t = tables()
    game = env.game
    me, opp = game.players[game.current], game.players[1 - game.current]
    c = me.slots[0].card
    k = int(rng.integers(int(t.n_attacks[c])))
    _fund(me.slots[0], t.atk_cost[c, k], rng, 0)
    me.rot = 0
    opp.slots[0].damage = max(0, int(tables().hp[opp.slots[0].card]) - 10)
    for j in range(1, 4):
        if rng.random() < 0.4:
            opp.slots[j] = Slot()
    return ATTACK + k


def _transition(builder: Build, seed: int, steps: int, variant: int) -> tuple[dict[str, Any], int]:
    env = played(seed, steps)
    action = builder(env, np.random.default_rng([seed, variant]))
    return env.snapshot(), action


@lru_cache(maxsize=256)
def _start(name: str, seed: int, steps: int, variant: int) -> tuple[dict[str, Any], int]:
    return _transition(BUILDERS[name], seed, steps, variant)


def _outcome(legal: bool, snap: dict[str, Any] | None) -> dict[str, Any]:
    out = {"legal": bool(legal)}
    if snap is not None:
        out.update(snap)
    return out


def _ref(name: str) -> Callable[..., dict[str, Any]]:
    def ref(seed: int, steps: int, variant: int) -> dict[str, Any]:
        snap, action = _start(name, seed, steps, variant)
        env = TcgEnv()
        env.restore(snap)
        if not env.action_mask()[env.game.acting][action]:
            return _outcome(False, None)
        env.step(action)
        out = env.snapshot()
        mask, obs = env.action_mask(), env.observations()
        out["mask.p0"], out["mask.p1"], out["obs.p0"], out["obs.p1"] = mask[0], mask[1], obs[0], obs[1]
        return _outcome(True, out)
    return ref


def _cand(name: str) -> Callable[..., dict[str, Any]]:
    def cand(adapter: Any, seed: int, steps: int, variant: int) -> dict[str, Any]:
        snap, action = _start(name, seed, steps, variant)
        adapter.restore(snap)
        mask = adapter.legal_actions()
        acting = int(snap["acting"])
        if not mask[acting][action]:
            return _outcome(False, None)
        joint = np.zeros(2, np.int64)
        joint[acting] = action
        adapter.step(joint)
        return _outcome(True, adapter.snapshot())
    return cand


BUILDERS: dict[str, Build] = {
    **{f"attack: {e}": attack_build(e) for e in ATTACK_EFFECTS},
    **{f"trainer: {e}": trainer_build(e) for e in TRAINER_EFFECTS if e != "none"},
    **{f"ability: {e}": ability_build(e) for e in ABILITY_EFFECTS if e != "none"},
    "rule: between-turns checkup and knock-outs": checkup_build,
    "rule: retreat": retreat_build,
    "rule: evolution": evolution_build,
    "rule: knock-out, points and promotion": promotion_build,
}
STRATEGY = st.tuples(st.integers(0, 2**31 - 1), st.integers(0, MAX_STEPS), st.integers(0, 2**31 - 1))
PAIRS: dict[str, ComponentPair] = {
    name: ComponentPair(name, _ref(name), _cand(name), STRATEGY, max_examples=25, bind=True) for name in BUILDERS
}
