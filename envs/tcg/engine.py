"""The rules of docs/tcg-rules.md sections 2-8 on a Game: setup, turns, legality, actions, checkup, knock-outs.

One function per rule; card effects live in envs/tcg/effects.py. Every random draw goes through
the game's Prng in the order the rules doc specifies.
"""

from __future__ import annotations

from envs.tcg import effects
from envs.tcg.actions import N_ACTIONS, decode
from envs.tcg.cards import COLORLESS, N_ENERGY, TRAINER_EFFECTS, tables
from envs.tcg.prng import Prng, seed_state
from envs.tcg.state import (ASLEEP, BENCH, CONFUSED, DECK, DRAW, HAND, MAIN, OVER, PARALYZED, PROMOTE,
                            TURN_LIMIT, WIN_POINTS, Game, Player, Slot)

OPENING = 5


# ---- cards moving between zones -------------------------------------------------------------

def draw(p: Player) -> None:
    """Draw the top card unless the deck is empty or the hand holds HAND cards (section 3)."""
    if p.deck and len(p.hand) < HAND:
        p.hand.append(p.deck.pop())


def take_random_from_deck(p: Player, rng: Prng, match: callable) -> None:
    """Put a random deck card satisfying `match` into the hand (section 9): no draw when none match or the hand is full."""
    found = [i for i, c in enumerate(p.deck) if match(c)]
    if found and len(p.hand) < HAND:
        p.hand.append(p.deck.pop(found[rng.below(len(found))]))


def is_basic(c: int) -> bool:
    """A Basic Pokemon card."""
    t = tables()
    return t.kind[c] == 0 and t.stage[c] == 0


def max_hp(s: Slot) -> int:
    """Card HP plus Giant Cape's 20."""
    t = tables()
    cape = s.tool >= 0 and TRAINER_EFFECTS[t.trainer[s.tool]] == "giant_cape"
    return int(t.hp[s.card]) + (20 if cape else 0)


def energy_total(s: Slot) -> int:
    """All energy attached to a Pokemon."""
    return sum(s.energy)


def pays(energy: list[int], cost: list[int]) -> bool:
    """Each typed symbol by its type, Colorless symbols by any energy left (section 5)."""
    left = 0
    for t in range(N_ENERGY):
        if energy[t] < cost[t]:
            return False
        left += energy[t] - cost[t]
    return left >= cost[COLORLESS]


# ---- setup (section 2) ----------------------------------------------------------------------

def opening_hand(p: Player) -> None:
    """A Basic among the top 5 (swap the topmost Basic with the 5th card from the top), then draw 5 and
    put the lowest-slot Basic into the Active spot."""
    top5 = len(p.deck) - OPENING
    if not any(is_basic(c) for c in p.deck[top5:]):
        i = max(i for i, c in enumerate(p.deck) if is_basic(c))
        p.deck[i], p.deck[top5] = p.deck[top5], p.deck[i]
    for _ in range(OPENING):
        draw(p)
    slot = next(i for i, c in enumerate(p.hand) if is_basic(c))
    c = p.hand.pop(slot)
    p.slots[0] = Slot(card=c, stack=[c, -1, -1], placed_turn=0)


def new_game(seed: int, decks: list[list[int]], energy_types: list[list[int]]) -> Game:
    """Shuffle both decks, deal opening hands, the coin for the first player, the first Energy Zone draws, turn 1."""
    rng = Prng(seed_state(seed))
    players = [Player(deck=list(d), energy_types=list(e)) for d, e in zip(decks, energy_types)]
    for p in players:
        rng.shuffle(p.deck, DECK)
    for p in players:
        opening_hand(p)
    first = 0 if rng.coin() else 1
    for p in players:
        p.energy_next = p.energy_types[rng.below(len(p.energy_types))]
    game = Game(players, rng.state, first=first)
    start_turn(game, first)
    return game


# ---- turns (section 3) ----------------------------------------------------------------------

def start_turn(game: Game, who: int) -> None:
    """Turn counter, per-turn flags, the Energy Zone (not on turn 1), the draw."""
    game.turn += 1
    game.current = game.acting = who
    game.phase = MAIN
    p = game.players[who]
    p.supporter_used = p.retreated = p.giovanni = p.retreat_reduction = 0
    for s in p.slots:
        s.ability_used = 0
    if game.turn != 1:
        rng = Prng(game.prng)
        p.energy_cur = p.energy_next
        p.energy_next = p.energy_types[rng.below(len(p.energy_types))]
        game.prng = rng.state
    draw(p)


def end_turn(game: Game) -> None:
    """Unused energy disappears; knock-outs of the turn; checkup; knock-outs; winner, turn limit, promotions, next turn."""
    me = game.current
    game.players[me].energy_cur = -1
    knock_outs(game)
    if decide(game):
        return
    checkup(game)
    knock_outs(game)
    if decide(game):
        return
    if game.turn >= TURN_LIMIT:
        finish(game, DRAW)
        return
    for p in game.players:
        p.pending = int(p.slots[0].empty)
    ask_promotion(game)


def ask_promotion(game: Game) -> None:
    """The next pending promotion (the player who did not act this turn first), else the next turn."""
    other = 1 - game.current
    for who in (other, game.current):
        if game.players[who].pending:
            game.phase = PROMOTE
            game.acting = who
            return
    start_turn(game, other)


def finish(game: Game, winner: int) -> None:
    """The game is over: winner 0 or 1, or DRAW."""
    game.winner = winner
    game.phase = OVER


# ---- between turns and knock-outs (sections 6, 7) -------------------------------------------

def checkup(game: Game) -> None:
    """Poison, burn (and its coin), sleep coin, paralysis of the player whose turn ended; that player first."""
    rng = Prng(game.prng)
    for who in (game.current, 1 - game.current):
        p = game.players[who]
        active = p.slots[0]
        if active.empty:
            continue
        if p.poisoned:
            active.damage += 10
        if p.burned:
            active.damage += 20
            if rng.coin():
                p.burned = 0
        if p.rot == ASLEEP and rng.coin():
            p.rot = 0
        if p.rot == PARALYZED and who == game.current:
            p.rot = 0
    game.prng = rng.state


def knock_outs(game: Game) -> None:
    """Every Pokemon whose damage reached its HP goes to the discard pile; the opponent scores 1 (2 for an ex)."""
    t = tables()
    for who in (game.current, 1 - game.current):
        p = game.players[who]
        for j, s in enumerate(p.slots):
            if s.empty or s.damage < max_hp(s):
                continue
            p.discard.extend(c for c in s.stack if c >= 0)
            if s.tool >= 0:
                p.discard.append(s.tool)
            game.players[1 - who].points += 2 if t.ex[s.card] else 1
            p.slots[j] = Slot()
            if j == 0:
                p.clear_conditions()


def decide(game: Game) -> bool:
    """Win check (section 6): 3 points or an opponent with no Pokemon in play; both at once is a draw."""
    wins = [p.points >= WIN_POINTS or game.players[1 - i].in_play() == 0 for i, p in enumerate(game.players)]
    if wins[0] and wins[1]:
        finish(game, DRAW)
    elif wins[0] or wins[1]:
        finish(game, 0 if wins[0] else 1)
    return game.phase == OVER


# ---- legality (section 8) -------------------------------------------------------------------

def can_play(game: Game, c: int, target: int) -> bool:
    """Whether hand card `c` may be played now with `target`."""
    t = tables()
    me, opp = game.players[game.current], game.players[1 - game.current]
    slot = me.slots[target]
    if t.kind[c] == 0:
        if t.stage[c] == 0:
            return target == 0 and any(s.empty for s in me.slots[1:])
        return (game.turn > 2 and not slot.empty and t.name_id[slot.card] == t.evolves_from[c]
                and slot.placed_turn != game.turn)
    if t.kind[c] == 2 and me.supporter_used:
        return False
    return effects.trainer_legal(TRAINER_EFFECTS[t.trainer[c]], game, me, opp, target)


def retreat_cost(p: Player) -> int:
    """The Active's retreat cost after this turn's reductions (at least 0)."""
    return max(0, int(tables().retreat[p.slots[0].card]) - p.retreat_reduction)


def legal_mask(game: Game) -> list[list[bool]]:
    """(2, N_ACTIONS): the acting player's legal actions; the other row all False; both False when over."""
    mask = [[False] * N_ACTIONS for _ in range(2)]
    if game.phase == OVER:
        return mask
    row = mask[game.acting]
    for a in range(N_ACTIONS):
        row[a] = is_legal(game, a)
    return mask


def is_legal(game: Game, a: int) -> bool:
    """Whether action `a` is legal for the acting player."""
    t = tables()
    act = decode(a)
    p = game.players[game.acting]
    if game.phase == PROMOTE:
        return act.kind == "promote" and not p.slots[act.index].empty
    if act.kind == "end":
        return True
    if act.kind == "play":
        return act.index < len(p.hand) and can_play(game, p.hand[act.index], act.target)
    if act.kind == "attach":
        return p.energy_cur >= 0 and not p.slots[act.index].empty
    active = p.slots[0]
    if act.kind == "retreat":
        return (not p.retreated and p.rot not in (ASLEEP, PARALYZED) and not p.slots[act.index].empty
                and energy_total(active) >= retreat_cost(p))
    if act.kind == "attack":
        return (act.index < t.n_attacks[active.card] and p.rot not in (ASLEEP, PARALYZED)
                and pays(active.energy, t.atk_cost[active.card, act.index].tolist()))
    if act.kind == "ability":
        s = p.slots[act.index]
        return not s.empty and not s.ability_used and effects.ability_legal(game, p, act.index)
    return False


# ---- actions --------------------------------------------------------------------------------

def play(game: Game, slot: int, target: int) -> None:
    """Play hand card `slot`: a Basic to the bench, an evolution, a tool, or a trainer's effect."""
    t = tables()
    me = game.players[game.current]
    c = me.hand.pop(slot)
    if t.kind[c] == 0:
        if t.stage[c] == 0:
            j = next(j for j in range(1, BENCH + 1) if me.slots[j].empty)
            me.slots[j] = Slot(card=c, stack=[c, -1, -1], placed_turn=game.turn)
        else:
            s = me.slots[target]
            s.stack[t.stage[c]] = c
            s.card = c
            s.placed_turn = game.turn
            if target == 0:
                me.clear_conditions()
        return
    if t.kind[c] == 3:
        me.slots[target].tool = c
        return
    if t.kind[c] == 2:
        me.supporter_used = 1
    me.discard.append(c)
    effects.trainer(TRAINER_EFFECTS[t.trainer[c]], game, me, game.players[1 - game.current], target)


def retreat(game: Game, bench: int) -> None:
    """Pay the cost (lowest type first), swap with the bench Pokemon, lose the conditions."""
    p = game.players[game.current]
    effects.discard_energy(p.slots[0], retreat_cost(p))
    p.slots[0], p.slots[bench] = p.slots[bench], p.slots[0]
    p.clear_conditions()
    p.retreated = 1


def attack(game: Game, k: int) -> None:
    """The Confused coin, the attack (effects.attack), then the turn ends."""
    p = game.players[game.current]
    rng = Prng(game.prng)
    if p.rot == CONFUSED and not rng.coin():
        p.slots[0].damage += 30
    else:
        effects.attack(game, rng, k)
    game.prng = rng.state
    end_turn(game)


def promote(game: Game, bench: int) -> None:
    """The acting player's bench Pokemon becomes the Active; the next promotion or the next turn."""
    p = game.players[game.acting]
    p.slots[0], p.slots[bench] = p.slots[bench], Slot()
    p.pending = 0
    ask_promotion(game)


def step(game: Game, a: int) -> None:
    """Apply one legal action of the acting player."""
    act = decode(a)
    if act.kind == "end":
        end_turn(game)
    elif act.kind == "play":
        play(game, act.index, act.target)
    elif act.kind == "attach":
        p = game.players[game.current]
        p.slots[act.index].energy[p.energy_cur] += 1
        p.energy_cur = -1
    elif act.kind == "retreat":
        retreat(game, act.index)
    elif act.kind == "attack":
        attack(game, act.index)
    elif act.kind == "ability":
        effects.ability(game, act.index)
    else:
        promote(game, act.index)
