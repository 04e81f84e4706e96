"""Card effects (docs/tcg-rules.md section 10): attacks, abilities and trainers, one function each.

`ATTACK_PRE` change the damage before it is dealt, `ATTACK_POST` act after it; a trainer's
legality and effect sit side by side so each card has one obvious place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from envs.tcg.cards import ABILITY_EFFECTS, ATTACK_EFFECTS, N_ENERGY, STATUSES, TRAINER_EFFECTS, tables
from envs.tcg.prng import Prng

if TYPE_CHECKING:
    from envs.tcg.state import Game, Player, Slot

WATER, GRASS = 2, 0
GIOVANNI_BONUS = 10
WEAKNESS_BONUS = 20
HELMET_DAMAGE = 20


def heal(s: Slot, amount: int) -> None:
    """Remove up to `amount` damage."""
    s.damage = max(0, s.damage - amount)


def discard_energy(s: Slot, count: int) -> None:
    """Discard `count` energy from a Pokemon, lowest type index first."""
    for t in range(N_ENERGY):
        take = min(count, s.energy[t])
        s.energy[t] -= take
        count -= take


def inflict(p: Player, status: str) -> None:
    """A special condition on p's Active: Poisoned and Burned stack, the others replace each other."""
    from envs.tcg.state import ASLEEP, CONFUSED, PARALYZED

    if status == "poisoned":
        p.poisoned = 1
    elif status == "burned":
        p.burned = 1
    else:
        p.rot = {"asleep": ASLEEP, "paralyzed": PARALYZED, "confused": CONFUSED}[status]


# ---- attacks ----------------------------------------------------------------------------------

def attack(game: Game, rng: Prng, k: int) -> None:
    """Attack k of the current player's Active: damage modifiers, the hit, the effect, Rocky Helmet."""
    t = tables()
    me, opp = game.players[game.current], game.players[1 - game.current]
    attacker, defender = me.slots[0], opp.slots[0]
    c = attacker.card
    effect = ATTACK_EFFECTS[t.atk_effect[c, k]]
    a, b, n = (int(x) for x in t.atk_args[c, k])
    damage = int(t.atk_damage[c, k])
    if effect == "coin_bonus":
        damage += a if rng.coin() else 0
    elif effect == "coins_times":
        damage *= rng.heads(a)
    elif effect == "until_tails":
        damage *= rng.until_tails()
    elif effect == "per_bench_type":
        damage *= sum(not s.empty and t.ptype[s.card] == a for s in me.slots[1:])
    elif effect == "extra_energy_bonus":
        damage += a if attacker.energy[b] >= n else 0
    dealt = 0
    if damage > 0:
        dealt = damage + GIOVANNI_BONUS * me.giovanni
        if t.weakness[defender.card] == t.ptype[c]:
            dealt += WEAKNESS_BONUS
        defender.damage += dealt
    if effect in ATTACK_POST:
        ATTACK_POST[effect](game, rng, me, opp, a, b)
    helmet = defender.tool >= 0 and TRAINER_EFFECTS[t.trainer[defender.tool]] == "rocky_helmet"
    if dealt > 0 and helmet:
        attacker.damage += HELMET_DAMAGE


def _heal_self(game: Game, rng: Prng, me: Player, opp: Player, a: int, b: int) -> None:
    heal(me.slots[0], a)


def _discard_energy(game: Game, rng: Prng, me: Player, opp: Player, a: int, b: int) -> None:
    s = me.slots[0]
    s.energy[b] -= min(a, s.energy[b])


def _discard_all_energy(game: Game, rng: Prng, me: Player, opp: Player, a: int, b: int) -> None:
    me.slots[0].energy = [0] * N_ENERGY


def _status(game: Game, rng: Prng, me: Player, opp: Player, a: int, b: int) -> None:
    inflict(opp, STATUSES[a])


def _status_coin(game: Game, rng: Prng, me: Player, opp: Player, a: int, b: int) -> None:
    if rng.coin():
        inflict(opp, STATUSES[a])


def _bench_each(game: Game, rng: Prng, me: Player, opp: Player, a: int, b: int) -> None:
    for s in opp.slots[1:]:
        if not s.empty:
            s.damage += a


def _recoil(game: Game, rng: Prng, me: Player, opp: Player, a: int, b: int) -> None:
    me.slots[0].damage += a


def _zone_attach(game: Game, rng: Prng, me: Player, opp: Player, a: int, b: int) -> None:
    heads = rng.heads(a)
    t = tables()
    target = next((s for s in me.slots[1:] if not s.empty and t.ptype[s.card] == b), None)
    if target is not None:
        target.energy[b] += heads


def _search_type(game: Game, rng: Prng, me: Player, opp: Player, a: int, b: int) -> None:
    from envs.tcg.engine import take_random_from_deck

    t = tables()
    take_random_from_deck(me, rng, lambda c: t.kind[c] == 0 and t.ptype[c] == a)


def _draw(game: Game, rng: Prng, me: Player, opp: Player, a: int, b: int) -> None:
    from envs.tcg.engine import draw

    for _ in range(a):
        draw(me)


ATTACK_POST = {"heal_self": _heal_self, "discard_energy": _discard_energy, "discard_all_energy": _discard_all_energy,
               "status": _status, "status_coin": _status_coin, "bench_each": _bench_each, "recoil": _recoil,
               "zone_attach": _zone_attach, "search_type": _search_type, "draw": _draw}


# ---- abilities --------------------------------------------------------------------------------

def ability_legal(game: Game, p: Player, j: int) -> bool:
    """Whether the ability of p's Pokemon at position j may be used now."""
    t = tables()
    effect = ABILITY_EFFECTS[t.ability[p.slots[j].card]]
    if effect == "heal_all":
        return any(not s.empty and s.damage > 0 for s in p.slots)
    if effect == "zone_to_active":
        return t.ptype[p.slots[0].card] == t.ability_arg[p.slots[j].card]
    if effect == "poison_active":
        opp = game.players[1 - game.acting]
        return j == 0 and not opp.poisoned
    return False


def ability(game: Game, j: int) -> None:
    """Use the ability of the current player's Pokemon at position j."""
    t = tables()
    me, opp = game.players[game.current], game.players[1 - game.current]
    s = me.slots[j]
    s.ability_used = 1
    effect = ABILITY_EFFECTS[t.ability[s.card]]
    if effect == "heal_all":
        for other in me.slots:
            if not other.empty:
                heal(other, 20)
    elif effect == "zone_to_active":
        me.slots[0].energy[t.ability_arg[s.card]] += 1
    elif effect == "poison_active":
        opp.poisoned = 1


# ---- trainers ---------------------------------------------------------------------------------

def trainer_legal(effect: str, game: Game, me: Player, opp: Player, target: int) -> bool:
    """Whether a trainer (or tool) with this effect may be played on `target` now."""
    t = tables()
    s = me.slots[target]
    if effect in ("poke_ball", "x_speed", "red_card", "professors_research", "giovanni", "leaf"):
        return target == 0
    if effect == "potion":
        return not s.empty and s.damage > 0
    if effect == "misty":
        return not s.empty and t.ptype[s.card] == WATER
    if effect == "erika":
        return not s.empty and t.ptype[s.card] == GRASS and s.damage > 0
    if effect == "cyrus":
        return target > 0 and not opp.slots[target].empty and opp.slots[target].damage > 0
    if effect in ("giant_cape", "rocky_helmet"):
        return not s.empty and s.tool < 0
    return False


def trainer(effect: str, game: Game, me: Player, opp: Player, target: int) -> None:
    """A played Item's or Supporter's effect (the card is already in the discard pile)."""
    from envs.tcg.engine import draw, is_basic, take_random_from_deck

    rng = Prng(game.prng)
    if effect == "poke_ball":
        take_random_from_deck(me, rng, is_basic)
    elif effect == "potion":
        heal(me.slots[target], 20)
    elif effect == "x_speed":
        me.retreat_reduction += 1
    elif effect == "red_card":
        opp.deck.extend(opp.hand)
        opp.hand.clear()
        rng.shuffle(opp.deck, len(opp.deck))
        for _ in range(3):
            draw(opp)
    elif effect == "professors_research":
        draw(me)
        draw(me)
    elif effect == "misty":
        me.slots[target].energy[WATER] += rng.until_tails()
    elif effect == "erika":
        heal(me.slots[target], 50)
    elif effect == "giovanni":
        me.giovanni = 1
    elif effect == "leaf":
        me.retreat_reduction += 2
    elif effect == "cyrus":
        opp.slots[0], opp.slots[target] = opp.slots[target], opp.slots[0]
        opp.clear_conditions()
    game.prng = rng.state

