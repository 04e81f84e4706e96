"""The reference engine against docs/tcg-rules.md: one test per rule, on constructed games."""

from __future__ import annotations

import numpy as np
import pytest

from cases.tcg.scenarios import pokemon
from envs.tcg import engine
from envs.tcg.actions import ATTACK, N_ACTIONS, decode, encode
from envs.tcg.cards import ATTACK_EFFECTS, KINDS, STATUSES, TYPES, tables
from envs.tcg.decks import META, is_legal, random_deck, seed_decks
from envs.tcg.env import TcgEnv
from envs.tcg.state import ASLEEP, OVER, PARALYZED, PROMOTE, Slot


def new(seed: int = 3) -> TcgEnv:
    env = TcgEnv()
    env.reset(seed, seed_decks(seed))
    return env


def test_action_space_round_trips() -> None:
    assert N_ACTIONS == 57
    for a in range(N_ACTIONS):
        act = decode(a)
        assert encode(act.kind, act.index, act.target) == a


def test_decks_are_legal_and_illegal_ones_rejected() -> None:
    assert all(is_legal(d) for d in META.values())
    assert all(is_legal(random_deck(s)) for s in range(200))
    bad = META["pikachu-ex"]._replace(cards=META["pikachu-ex"].cards[:19])
    assert not is_legal(bad)
    with pytest.raises(ValueError):
        TcgEnv().reset(0, [bad, META["pikachu-ex"]])


def test_pool_uses_every_mechanic() -> None:
    """Every attack effect, every energy type, ex, Stage 2, abilities and all trainer kinds are in the pool."""
    t = tables()
    poke = t.kind == 0
    assert set(t.atk_effect[poke].ravel()) >= set(range(len(ATTACK_EFFECTS)))
    assert set(t.ptype[poke]) == set(range(len(TYPES)))
    assert t.ex[poke].sum() >= 8 and (t.stage[poke] == 2).sum() >= 4 and (t.ability[poke] > 0).sum() == 3
    assert set(t.kind) == set(range(len(KINDS)))
    assert 80 <= t.n_cards <= 100


@pytest.mark.parametrize("seed", range(40))
def test_setup(seed: int) -> None:
    """Opening hands: a Basic in the Active spot, 4 in hand, 15 in the deck; turn 1: the first player drew, no energy."""
    game = new(seed).game
    first = game.players[game.first]
    second = game.players[1 - game.first]
    assert all(tables().stage[p.slots[0].card] == 0 for p in game.players)
    assert len(first.hand) == 5 and len(first.deck) == 14 and first.energy_cur == -1
    assert len(second.hand) == 4 and len(second.deck) == 15
    assert game.turn == 1 and game.acting == game.first


def test_second_player_gets_energy_and_draws() -> None:
    env = new(5)
    env.step(encode("end"))
    game = env.game
    p = game.players[game.current]
    assert game.turn == 2 and p.energy_cur in p.energy_types and len(p.hand) == 5


def test_weakness_adds_20_and_no_resistance() -> None:
    env = new(7)
    g = env.game
    me, opp = g.players[g.current], g.players[1 - g.current]
    me.slots[0] = pokemon("Pikachu", energy={"Lightning": 1})
    opp.slots[0] = pokemon("Squirtle")
    env.step(ATTACK)
    assert opp.slots[0].damage == 20 + 20
    assert g.players[g.current] is opp
    me.slots[0] = pokemon("Charmander")
    opp.slots[0] = pokemon("Squirtle", energy={"Water": 1})
    env.step(ATTACK)
    assert me.slots[0].damage == 20 + 20, "Fire is weak to Water"
    me.slots[0] = pokemon("Squirtle", energy={"Water": 1})
    opp.slots[0] = pokemon("Squirtle")
    env.step(ATTACK)
    assert opp.slots[0].damage == 20, "no weakness, no resistance"


def test_hand_limit_and_deck_out() -> None:
    env = new(8)
    g = env.game
    p = g.players[1 - g.current]
    p.hand = p.deck[:10]
    p.deck = p.deck[10:]
    env.step(encode("end"))
    assert len(p.hand) == 10 and len(p.deck) == 5
    p.deck = []
    p.hand = p.hand[:3]
    env.step(encode("end"))
    env.step(encode("end"))
    assert env.game.phase != OVER and len(p.hand) == 3


def test_evolution_rules() -> None:
    env = new(9)
    g = env.game
    me = g.players[g.current]
    me.slots[0] = pokemon("Charmander", placed=0)
    me.hand = [tables().card_id("Charmeleon")]
    assert not env.action_mask()[g.acting][encode("play", 0, 0)], "no evolution on turn 1"
    g.turn = 3
    me.slots[0].placed_turn = 3
    assert not env.action_mask()[g.acting][encode("play", 0, 0)], "no evolution of a Pokemon put down this turn"
    me.slots[0].placed_turn = 2
    me.poisoned, me.rot, me.slots[0].damage = 1, ASLEEP, 30
    env.step(encode("play", 0, 0))
    assert tables().names[me.slots[0].card] == "Charmeleon" and me.slots[0].damage == 30
    assert me.poisoned == 0 and me.rot == 0


def test_retreat_once_and_not_when_paralyzed() -> None:
    env = new(10)
    g = env.game
    me = g.players[g.current]
    me.slots[0] = pokemon("Pikachu", energy={"Lightning": 3})
    me.slots[1] = pokemon("Eevee")
    me.slots[2] = pokemon("Meowth")
    me.rot = PARALYZED
    assert not env.action_mask()[g.acting][encode("retreat", 1)]
    me.rot = 0
    env.step(encode("retreat", 1))
    assert tables().names[me.slots[0].card] == "Eevee" and sum(me.slots[1].energy) == 2
    assert not env.action_mask()[g.acting][encode("retreat", 2)]


def test_supporter_once_items_unlimited() -> None:
    env = new(11)
    g = env.game
    me = g.players[g.current]
    t = tables()
    me.hand = [t.card_id("Professor’s Research")] * 2 + [t.card_id("X Speed")] * 2
    env.step(encode("play", 0))
    assert not env.action_mask()[g.acting][encode("play", 0)]
    x_speed = me.hand.index(t.card_id("X Speed"))
    env.step(encode("play", x_speed))
    env.step(encode("play", me.hand.index(t.card_id("X Speed"))))
    assert me.retreat_reduction == 2


def test_ex_worth_two_and_three_points_win() -> None:
    env = new(12)
    g = env.game
    me, opp = g.players[g.current], g.players[1 - g.current]
    me.slots[0] = pokemon("Mewtwo ex", energy={"Psychic": 2})
    opp.slots[0] = pokemon("Pikachu ex", damage=110)
    opp.slots[1] = pokemon("Pikachu")
    me.points = 1
    _, reward, done, _, _ = env.step(ATTACK)
    assert done and me.points == 3 and reward == (1.0 if g.current == 0 else -1.0)


def test_no_pokemon_left_loses_and_promotion_pending() -> None:
    env = new(13)
    g = env.game
    me, opp = g.players[g.current], g.players[1 - g.current]
    me.slots[0] = pokemon("Mewtwo ex", energy={"Psychic": 2})
    opp.slots[0] = pokemon("Bulbasaur", damage=60)
    opp.slots[1:] = [pokemon("Squirtle"), Slot(), Slot()]
    env.step(ATTACK)
    assert g.phase == PROMOTE and g.acting == 1 - g.current and env.action_mask()[g.acting].sum() == 1
    env2 = new(13)
    g2 = env2.game
    me2, opp2 = g2.players[g2.current], g2.players[1 - g2.current]
    me2.slots[0] = pokemon("Mewtwo ex", energy={"Psychic": 2})
    opp2.slots = [pokemon("Bulbasaur", damage=60), Slot(), Slot(), Slot()]
    _, reward, done, _, _ = env2.step(ATTACK)
    assert done and g2.winner == g2.current


def test_checkup_order_poison_burn_sleep_paralysis() -> None:
    env = new(14)
    g = env.game
    me = g.players[g.current]
    me.slots[0] = pokemon("Snorlax")
    me.poisoned, me.burned, me.rot = 1, 1, PARALYZED
    env.step(encode("end"))
    assert me.slots[0].damage == 30 and me.rot == 0


def test_status_names_cover_the_rules() -> None:
    assert STATUSES == ("poisoned", "burned", "asleep", "paralyzed", "confused")


def test_random_games_end_and_masks_are_exclusive() -> None:
    """100 eager games end (win or the 30-turn draw); only the acting player's mask row is ever set."""
    from cases.tcg.policy import choose

    rng = np.random.default_rng(0)
    results = []
    for seed in range(100):
        env = new(seed)
        done = False
        while not done:
            mask = env.action_mask()
            assert mask[1 - env.game.acting].sum() == 0 and mask[env.game.acting].any()
            _, reward, done, _, _ = env.step(choose(mask[env.game.acting], rng))
        assert engine.legal_mask(env.game) == [[False] * N_ACTIONS] * 2
        results.append(reward)
    assert {-1.0, 1.0} <= set(results)
