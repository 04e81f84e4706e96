"""TCGJax's rules: envs/tcg/engine.py translated to pure functions on fixed-size arrays.

No Python control flow on traced values: conditions become jnp.where / lax.cond / lax.switch,
loops are static or lax.fori_loop. A player's fields are read as a view (`get`) and written back
(`put`); slot operations work on one view.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from envs.tcg.actions import ABILITY, ATTACH, ATTACK, N_ACTIONS, PLAY, PROMOTE, RETREAT
from envs.tcg.state import (ASLEEP, CONFUSED, DECK, DRAW, HAND, MAIN, OVER, PARALYZED, PLAYER_FIELDS,
                            TURN_LIMIT, WIN_POINTS)
from envs.tcg.state import PROMOTE as PROMOTE_PHASE
from envs.tcgjax import prng
from envs.tcgjax.state import State, empty_state
from envs.tcgjax.tables import TR, tables

PLAYER_KEYS = tuple(name for name, _ in PLAYER_FIELDS)
SLOT_KEYS = ("card", "stack", "damage", "energy", "tool", "placed_turn", "ability_used")
SLOT_EMPTY = {"card": -1, "stack": -1, "damage": 0, "energy": 0, "tool": -1, "placed_turn": -1, "ability_used": 0}
OPENING = 5
POISON_DAMAGE = 10
BURN_DAMAGE = 20
CONFUSION_DAMAGE = 30
EVOLVE_FROM_TURN = 3
"""Evolution is legal from this turn on (neither player's first turn)."""
NO_ENERGY_TURN = 1
EX_EXTRA_POINTS = 1
"""An ex is worth 1 + this."""
"""The first player's first turn: no Energy Zone energy."""

View = dict[str, jnp.ndarray]


def select(cond: jnp.ndarray, a: State, b: State) -> State:
    """a where cond else b, field by field."""
    return jax.tree.map(lambda x, y: jnp.where(cond, x, y), a, b)


def get(s: State, p: jnp.ndarray) -> View:
    """Player p's fields (no player axis)."""
    return {k: s[k][p] for k in PLAYER_KEYS}


def put(s: State, p: jnp.ndarray, v: View) -> State:
    """Write player p's fields back."""
    return {**s, **{k: s[k].at[p].set(v[k]) for k in PLAYER_KEYS}}


# ---- zones ------------------------------------------------------------------------------------

def remove_at(arr: jnp.ndarray, idx: jnp.ndarray) -> jnp.ndarray:
    """Remove entry idx, close the gap, -1 at the end (entries past the count are -1)."""
    shifted = jnp.concatenate([arr[1:], jnp.full((1,), -1, arr.dtype)])
    return jnp.where(jnp.arange(arr.shape[0]) < idx, arr, shifted)


def draw(v: View, when: jnp.ndarray = True) -> View:
    """Top card to the hand unless the deck is empty or the hand is full."""
    ok = when & (v["deck_n"] > 0) & (v["hand_n"] < HAND)
    top = jnp.maximum(v["deck_n"] - 1, 0)
    c = v["deck"][top]
    return {**v,
            "deck": v["deck"].at[top].set(jnp.where(ok, -1, c)),
            "deck_n": v["deck_n"] - ok,
            "hand": v["hand"].at[jnp.minimum(v["hand_n"], HAND - 1)].set(
                jnp.where(ok, c, v["hand"][jnp.minimum(v["hand_n"], HAND - 1)])),
            "hand_n": v["hand_n"] + ok}


def take_random(v: View, rng: jnp.ndarray, match: jnp.ndarray, when: jnp.ndarray = True) -> tuple[View, jnp.ndarray]:
    """A random deck card among `match` (a DECK bool mask) to the hand; no draw when none or the hand is full."""
    valid = match & (jnp.arange(DECK) < v["deck_n"])
    count = valid.sum()
    ok = when & (count > 0) & (v["hand_n"] < HAND)
    rng, k = prng.maybe_below(rng, count, ok)
    idx = jnp.argmax(valid & (jnp.cumsum(valid) - 1 == k))
    c = v["deck"][idx]
    deck = jnp.where(ok, remove_at(v["deck"], idx), v["deck"])
    hand_slot = jnp.minimum(v["hand_n"], HAND - 1)
    hand = v["hand"].at[hand_slot].set(jnp.where(ok, c, v["hand"][hand_slot]))
    return {**v, "deck": deck, "deck_n": v["deck_n"] - ok, "hand": hand, "hand_n": v["hand_n"] + ok}, rng


def is_basic(c: jnp.ndarray) -> jnp.ndarray:
    """A Basic Pokemon card (c >= 0)."""
    t = tables()
    cc = jnp.maximum(c, 0)
    return (c >= 0) & (t.kind[cc] == 0) & (t.stage[cc] == 0)


def max_hp(v: View) -> jnp.ndarray:
    """(4,) card HP plus Giant Cape's 20."""
    t = tables()
    tool = jnp.maximum(v["tool"], 0)
    cape = (v["tool"] >= 0) & (t.trainer[tool] == TR["giant_cape"])
    return t.hp[jnp.maximum(v["card"], 0)] + 20 * cape


def pays(energy: jnp.ndarray, cost: jnp.ndarray) -> jnp.ndarray:
    """Typed symbols by type, Colorless by any energy left (cost has 9 columns)."""
    typed = cost[..., :8]
    ok = jnp.all(energy >= typed, axis=-1)
    left = jnp.sum(energy - typed, axis=-1)
    return ok & (left >= cost[..., 8])


def clear_conditions(v: View, when: jnp.ndarray = True) -> View:
    """No special conditions on the Active."""
    z = lambda k: jnp.where(when, 0, v[k])  # noqa: E731
    return {**v, "poisoned": z("poisoned"), "burned": z("burned"), "rot": z("rot")}


def set_slot(v: View, j: jnp.ndarray, slot: dict[str, jnp.ndarray], when: jnp.ndarray = True) -> View:
    """Overwrite position j's fields with `slot` where `when`."""
    out = dict(v)
    for k in SLOT_KEYS:
        out[k] = v[k].at[j].set(jnp.where(when, slot[k], v[k][j]))
    return out


def slot_of(v: View, j: jnp.ndarray) -> dict[str, jnp.ndarray]:
    """Position j's fields."""
    return {k: v[k][j] for k in SLOT_KEYS}


def empty_slot(v: View) -> dict[str, jnp.ndarray]:
    """An empty position's fields (shaped like position 0)."""
    return {k: jnp.full_like(v[k][0], SLOT_EMPTY[k]) for k in SLOT_KEYS}


def swap_slots(v: View, i: jnp.ndarray, j: jnp.ndarray, when: jnp.ndarray = True) -> View:
    """Exchange positions i and j."""
    a, b = slot_of(v, i), slot_of(v, j)
    v = set_slot(v, i, b, when)
    return set_slot(v, j, a, when)


def discard_energy(energy: jnp.ndarray, count: jnp.ndarray) -> jnp.ndarray:
    """Discard `count` energy, lowest type first."""
    before = jnp.cumsum(energy) - energy
    take = jnp.clip(count - before, 0, energy)
    return energy - take


# ---- setup ------------------------------------------------------------------------------------

def opening_hand(v: View) -> View:
    """A Basic in the top 5 (the topmost Basic swapped with the 5th card), draw 5, the lowest-slot Basic to the Active."""
    deck = v["deck"]
    basic = is_basic(deck)
    top5 = DECK - OPENING
    need = ~jnp.any(basic[top5:])
    i = DECK - 1 - jnp.argmax(basic[::-1])
    di, dt = deck[i], deck[top5]
    deck = jnp.where(need, deck.at[i].set(dt).at[top5].set(di), deck)
    v = {**v, "deck": deck}
    for _ in range(OPENING):
        v = draw(v)
    slot = jnp.argmax(is_basic(v["hand"]) & (jnp.arange(HAND) < v["hand_n"]))
    c = v["hand"][slot]
    v = {**v, "hand": remove_at(v["hand"], slot), "hand_n": v["hand_n"] - 1}
    new = {**empty_slot(v), "card": c, "stack": jnp.asarray([-1, -1, -1], jnp.int32).at[0].set(c), "placed_turn": 0}
    return set_slot(v, 0, new)


def new_game(rng: jnp.ndarray, decks: jnp.ndarray, energy_types: jnp.ndarray, n_types: jnp.ndarray) -> State:
    """Shuffle both decks, opening hands, the first-player coin, the first Energy Zone draws, turn 1."""
    s = empty_state(decks, energy_types, n_types, rng)
    for p in range(2):
        rng, d = prng.shuffle(rng, s["deck"][p], jnp.int32(DECK))
        s = {**s, "deck": s["deck"].at[p].set(d)}
    for p in range(2):
        s = put(s, p, opening_hand(get(s, p)))
    rng, heads = prng.coin(rng)
    first = jnp.where(heads, 0, 1).astype(jnp.int32)
    nxt = []
    for p in range(2):
        rng, k = prng.below(rng, s["n_types"][p])
        nxt.append(s["energy_types"][p][k])
    s = {**s, "energy_next": jnp.stack(nxt), "first": first, "prng": rng}
    return start_turn(s, first)


# ---- turns ------------------------------------------------------------------------------------

def start_turn(s: State, who: jnp.ndarray) -> State:
    """Turn counter, per-turn flags, the Energy Zone (not on turn 1), the draw."""
    turn = s["turn"] + 1
    s = {**s, "turn": turn, "current": who, "acting": who, "phase": jnp.int32(MAIN)}
    v = get(s, who)
    v = {**v, "supporter_used": 0 * v["supporter_used"], "retreated": 0 * v["retreated"],
         "giovanni": 0 * v["giovanni"], "retreat_reduction": 0 * v["retreat_reduction"],
         "ability_used": jnp.zeros_like(v["ability_used"])}
    advance = turn != NO_ENERGY_TURN
    rng, k = prng.maybe_below(s["prng"], v["n_types"], advance)
    v = {**v, "energy_cur": jnp.where(advance, v["energy_next"], v["energy_cur"]),
         "energy_next": jnp.where(advance, v["energy_types"][k], v["energy_next"])}
    v = draw(v)
    return put({**s, "prng": rng}, who, v)


def decide(me: View, opp: View) -> tuple[jnp.ndarray, jnp.ndarray]:
    """Win check on the (current, other) views: (over, winner relative to them: 0 current, 1 other, DRAW)."""
    wins_me = (me["points"] >= WIN_POINTS) | (jnp.sum(opp["card"] >= 0) == 0)
    wins_opp = (opp["points"] >= WIN_POINTS) | (jnp.sum(me["card"] >= 0) == 0)
    winner = jnp.where(wins_me & wins_opp, DRAW, jnp.where(wins_me, 0, 1))
    return wins_me | wins_opp, winner


def knock_out(v: View, scorer: View) -> tuple[View, View]:
    """v's knocked-out Pokemon to its discard pile (each position's stack, then its tool, positions in order);
    `scorer` gets 1 point each (2 for an ex). Vectorised over the four positions."""
    t = tables()
    ko = (v["card"] >= 0) & (v["damage"] >= max_hp(v))
    cards = jnp.concatenate([v["stack"], v["tool"][:, None]], axis=1)
    going = (ko[:, None] & (cards >= 0)).reshape(-1)
    pos = jnp.where(going, v["discard_n"] + jnp.cumsum(going) - 1, DECK)
    discard = v["discard"].at[pos].set(cards.reshape(-1), mode="drop")
    gained = jnp.sum(jnp.where(ko, 1 + EX_EXTRA_POINTS * t.ex[jnp.maximum(v["card"], 0)], 0))
    out = {**v, "discard": discard, "discard_n": v["discard_n"] + going.sum()}
    for k in SLOT_KEYS:
        mask = ko.reshape((4,) + (1,) * (v[k].ndim - 1))
        out[k] = jnp.where(mask, SLOT_EMPTY[k], v[k])
    out = clear_conditions(out, ko[0])
    return out, {**scorer, "points": scorer["points"] + gained}


def knock_outs(me: View, opp: View) -> tuple[View, View]:
    """Knock-outs of the current player's Pokemon, then the other's."""
    me, opp = knock_out(me, opp)
    opp, me = knock_out(opp, me)
    return me, opp


def check(v: View, rng: jnp.ndarray, owner_turn_ended: bool) -> tuple[View, jnp.ndarray]:
    """One Active's checkup: poison, burn and its coin, the sleep coin, paralysis (if its owner's turn ended)."""
    here = v["card"][0] >= 0
    dmg = (v["damage"][0] + POISON_DAMAGE * (here & (v["poisoned"] == 1))
           + BURN_DAMAGE * (here & (v["burned"] == 1)))
    rng, cured = prng.maybe_coin(rng, here & (v["burned"] == 1))
    rng, woke = prng.maybe_coin(rng, here & (v["rot"] == ASLEEP))
    rot = jnp.where(woke, 0, v["rot"])
    if owner_turn_ended:
        rot = jnp.where(here & (rot == PARALYZED), 0, rot)
    return {**v, "damage": v["damage"].at[0].set(dmg), "burned": jnp.where(cured, 0, v["burned"]), "rot": rot}, rng


def end_turn(s: State) -> State:
    """Unused energy gone; knock-outs; checkup; knock-outs; winner, turn limit, pending promotions."""
    cur = s["current"]
    me, opp = get(s, cur), get(s, 1 - cur)
    me = {**me, "energy_cur": jnp.int32(-1)}
    me1, opp1 = knock_outs(me, opp)
    over1, win1 = decide(me1, opp1)
    me2, rng = check(me1, s["prng"], True)
    opp2, rng = check(opp1, rng, False)
    me2, opp2 = knock_outs(me2, opp2)
    over2, win2 = decide(me2, opp2)
    limit = ~over2 & (s["turn"] >= TURN_LIMIT)
    go_on = ~over2 & ~limit
    me2 = {**me2, "pending": jnp.where(go_on, (me2["card"][0] < 0).astype(jnp.int32), me2["pending"])}
    opp2 = {**opp2, "pending": jnp.where(go_on, (opp2["card"][0] < 0).astype(jnp.int32), opp2["pending"])}
    me, opp = select(over1, me1, me2), select(over1, opp1, opp2)
    rel = jnp.where(over1, win1, jnp.where(over2, win2, DRAW))
    over = over1 | over2 | limit
    winner = jnp.where(rel == DRAW, DRAW, jnp.where(rel == 0, cur, 1 - cur))
    s = {**s, "prng": jnp.where(over1, s["prng"], rng), "winner": jnp.where(over, winner, s["winner"]),
         "phase": jnp.where(over, OVER, s["phase"])}
    return put(put(s, cur, me), 1 - cur, opp)


def ask_promotion(s: State) -> State:
    """The next pending promotion (the non-acting player first), else the next turn."""
    other = 1 - s["current"]
    p_other, p_cur = s["pending"][other] == 1, s["pending"][s["current"]] == 1

    def wait(s: State) -> State:
        return {**s, "phase": jnp.int32(PROMOTE_PHASE), "acting": jnp.where(p_other, other, s["current"])}

    return lax.cond(p_other | p_cur, wait, lambda s: start_turn(s, other), s)


# ---- legality ---------------------------------------------------------------------------------

def legal_row(s: State) -> jnp.ndarray:
    """(N_ACTIONS,) the acting player's legal actions."""
    t = tables()
    p = s["acting"]
    v, opp = get(s, p), get(s, 1 - p)
    main = s["phase"] == MAIN
    occupied = v["card"] >= 0
    active = jnp.maximum(v["card"][0], 0)
    # play: (hand slot, target)
    c = v["hand"]
    cc = jnp.maximum(c, 0)
    in_hand = jnp.arange(HAND) < v["hand_n"]
    target = jnp.arange(4)
    kind, stage = t.kind[cc][:, None], t.stage[cc][:, None]
    basic_ok = (target[None, :] == 0) & jnp.any(~occupied[1:])
    top_name = t.name_id[jnp.maximum(v["card"], 0)]
    evo_ok = ((s["turn"] >= EVOLVE_FROM_TURN) & occupied[None, :] & (top_name[None, :] == t.evolves_from[cc][:, None])
              & (v["placed_turn"][None, :] != s["turn"]))
    trainer_ok = effects.trainer_legal(t.trainer[cc][:, None], v, opp, target[None, :])
    trainer_ok = trainer_ok & ~((kind == 2) & (v["supporter_used"] == 1))
    play = jnp.where(kind == 0, jnp.where(stage == 0, basic_ok, evo_ok), trainer_ok) & in_hand[:, None]
    attach = (v["energy_cur"] >= 0) & occupied
    can_move = (v["rot"] != ASLEEP) & (v["rot"] != PARALYZED)
    cost = jnp.maximum(t.retreat[active] - v["retreat_reduction"], 0)
    retreat = (v["retreated"] == 0) & can_move & occupied[1:] & (jnp.sum(v["energy"][0]) >= cost)
    attack = (jnp.arange(2) < t.n_attacks[active]) & can_move & pays(v["energy"][0], t.atk_cost[active])
    ability = occupied & (v["ability_used"] == 0) & effects.ability_legal(v, opp)
    row = jnp.concatenate([jnp.ones(1, bool), play.reshape(-1), attach, retreat, attack, ability,
                           jnp.zeros(3, bool)]) & main
    promote = jnp.zeros(N_ACTIONS, bool).at[PROMOTE:].set(occupied[1:])
    return jnp.where(s["phase"] == PROMOTE_PHASE, promote, row)


def legal_mask(s: State) -> jnp.ndarray:
    """(2, N_ACTIONS): the acting player's row; nothing when the game is over."""
    row = legal_row(s) & (s["phase"] != OVER)
    return jnp.zeros((2, N_ACTIONS), bool).at[s["acting"]].set(row)


# ---- actions: each branch works on the acting player's view `me` and the other's `opp` ---------

Branch = tuple[View, View, jnp.ndarray, jnp.ndarray, jnp.ndarray]
"""(me, opp, prng, the turn ends, a promotion was made)."""
NO, YES = jnp.asarray(False), jnp.asarray(True)


def _end(me: View, opp: View, rng: jnp.ndarray, turn: jnp.ndarray, a: jnp.ndarray) -> Branch:
    return me, opp, rng, YES, NO


def _put_basic(me: View, opp: View, rng: jnp.ndarray, c: jnp.ndarray, target: jnp.ndarray, turn: jnp.ndarray) -> tuple:
    bench = 1 + jnp.argmax(me["card"][1:] < 0)
    new = {**empty_slot(me), "card": c, "stack": jnp.asarray([-1, -1, -1], jnp.int32).at[0].set(c), "placed_turn": turn}
    return set_slot(me, bench, new), opp, rng


def _evolve(me: View, opp: View, rng: jnp.ndarray, c: jnp.ndarray, target: jnp.ndarray, turn: jnp.ndarray) -> tuple:
    ev = slot_of(me, target)
    stage = jnp.clip(tables().stage[c], 0, 2)
    evolved = {**ev, "card": c, "stack": ev["stack"].at[stage].set(c), "placed_turn": turn}
    return clear_conditions(set_slot(me, target, evolved), target == 0), opp, rng


def _attach_tool(me: View, opp: View, rng: jnp.ndarray, c: jnp.ndarray, target: jnp.ndarray, turn: jnp.ndarray) -> tuple:
    return {**me, "tool": me["tool"].at[target].set(c)}, opp, rng


def _use_trainer(me: View, opp: View, rng: jnp.ndarray, c: jnp.ndarray, target: jnp.ndarray, turn: jnp.ndarray) -> tuple:
    t = tables()
    n = jnp.minimum(me["discard_n"], DECK - 1)
    me = {**me, "discard": me["discard"].at[n].set(c), "discard_n": me["discard_n"] + 1,
          "supporter_used": jnp.where(t.kind[c] == 2, 1, me["supporter_used"])}
    return effects.trainer(me, opp, rng, t.trainer[c], target)


PLAYS = (_put_basic, _evolve, _attach_tool, _use_trainer)


def _play(me: View, opp: View, rng: jnp.ndarray, turn: jnp.ndarray, a: jnp.ndarray) -> Branch:
    t = tables()
    slot, target = (a - PLAY) // 4, (a - PLAY) % 4
    c = me["hand"][slot]
    me = {**me, "hand": remove_at(me["hand"], slot), "hand_n": me["hand_n"] - 1}
    kind = t.kind[c]
    which = jnp.where(kind == 0, jnp.where(t.stage[c] == 0, 0, 1), jnp.where(kind == 3, 2, 3))
    me, opp, rng = lax.switch(which, PLAYS, me, opp, rng, c, target, turn)
    return me, opp, rng, NO, NO


def _attach(me: View, opp: View, rng: jnp.ndarray, turn: jnp.ndarray, a: jnp.ndarray) -> Branch:
    me = {**me, "energy": me["energy"].at[a - ATTACH, jnp.maximum(me["energy_cur"], 0)].add(1),
          "energy_cur": jnp.int32(-1)}
    return me, opp, rng, NO, NO


def _retreat(me: View, opp: View, rng: jnp.ndarray, turn: jnp.ndarray, a: jnp.ndarray) -> Branch:
    t = tables()
    cost = jnp.maximum(t.retreat[me["card"][0]] - me["retreat_reduction"], 0)
    me = {**me, "energy": me["energy"].at[0].set(discard_energy(me["energy"][0], cost))}
    me = clear_conditions(swap_slots(me, 0, a - RETREAT + 1))
    return {**me, "retreated": jnp.int32(1)}, opp, rng, NO, NO


def _attack(me: View, opp: View, rng: jnp.ndarray, turn: jnp.ndarray, a: jnp.ndarray) -> Branch:
    rng, heads = prng.maybe_coin(rng, me["rot"] == CONFUSED)
    fails = (me["rot"] == CONFUSED) & ~heads
    hurt = {**me, "damage": me["damage"].at[0].add(CONFUSION_DAMAGE)}
    me, opp, rng = lax.cond(fails, lambda m, o, r: (hurt, o, r),
                            lambda m, o, r: effects.attack(m, o, r, a - ATTACK), me, opp, rng)
    return me, opp, rng, YES, NO


def _ability(me: View, opp: View, rng: jnp.ndarray, turn: jnp.ndarray, a: jnp.ndarray) -> Branch:
    me, opp = effects.ability(me, opp, a - ABILITY)
    return me, opp, rng, NO, NO


def _promote(me: View, opp: View, rng: jnp.ndarray, turn: jnp.ndarray, a: jnp.ndarray) -> Branch:
    b = a - PROMOTE + 1
    me = set_slot(me, 0, slot_of(me, b))
    me = set_slot(me, b, empty_slot(me))
    return {**me, "pending": jnp.int32(0)}, opp, rng, NO, YES


BOUNDS = np.asarray([1, ATTACH, RETREAT, ATTACK, ABILITY, PROMOTE], np.int32)
BRANCHES = (_end, _play, _attach, _retreat, _attack, _ability, _promote)


def apply(s: State, a: jnp.ndarray) -> State:
    """Apply one legal action of the acting player: its branch (lax.switch on the kind), then the end of the
    turn and the promotions / next turn, each in one place."""
    a = jnp.asarray(a, jnp.int32)
    kind = jnp.sum(a >= jnp.asarray(BOUNDS))
    p = s["acting"]
    me, opp, rng, ends, promoted = lax.switch(kind, BRANCHES, get(s, p), get(s, 1 - p), s["prng"], s["turn"], a)
    s = put(put({**s, "prng": rng}, p, me), 1 - p, opp)
    s = lax.cond(ends, end_turn, lambda s: s, s)
    return lax.cond((ends | promoted) & (s["phase"] != OVER), ask_promotion, lambda s: s, s)

from envs.tcgjax import effects  # noqa: E402  (the card effects use the helpers above)
