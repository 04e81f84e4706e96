"""Decks: a few fixed meta decks and a random legal-deck generator (driven by the spec's PRNG).

A deck is 20 card ids (at most 2 of a name, at least one Basic) and 1-3 energy types.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import NamedTuple

from envs.tcg.cards import TYPES, tables
from envs.tcg.prng import Prng, seed_state

DECK_SIZE = 20
MAX_COPIES = 2


class Deck(NamedTuple):
    """20 card ids and the Energy Zone's types (type indices)."""

    cards: tuple[int, ...]
    energy: tuple[int, ...]


def _deck(spec: dict[str, int], energy: tuple[str, ...]) -> Deck:
    t = tables()
    cards = tuple(t.card_id(name) for name, n in spec.items() for _ in range(n))
    return Deck(cards, tuple(TYPES.index(e) for e in energy))


_TRAINERS = {"Poké Ball": 2, "Professor’s Research": 2, "Potion": 1, "X Speed": 1, "Giovanni": 1}
META: dict[str, Deck] = {
    "mewtwo-gardevoir": _deck({"Mewtwo ex": 2, "Ralts": 2, "Kirlia": 2, "Gardevoir": 2, "Jynx": 2,
                               **_TRAINERS, "Red Card": 1, "Cyrus": 1, "Giant Cape": 1}, ("Psychic",)),
    "pikachu-ex": _deck({"Pikachu ex": 2, "Zapdos ex": 2, "Voltorb": 2, "Electrode": 2, "Magnemite": 2,
                         **_TRAINERS, "Leaf": 1, "Rocky Helmet": 1, "Red Card": 1}, ("Lightning",)),
    "charizard-moltres": _deck({"Charmander": 2, "Charmeleon": 2, "Charizard ex": 2, "Moltres ex": 2, "Ponyta": 1,
                                "Rapidash": 1, "Growlithe": 1, **_TRAINERS, "Giant Cape": 1, "Leaf": 1}, ("Fire",)),
    "venusaur-exeggutor": _deck({"Bulbasaur": 2, "Ivysaur": 2, "Venusaur ex": 2, "Exeggcute": 2, "Exeggutor ex": 2,
                                 **_TRAINERS, "Erika": 2, "Rocky Helmet": 1}, ("Grass",)),
    "articuno-starmie": _deck({"Articuno ex": 2, "Staryu": 2, "Starmie ex": 2, "Squirtle": 1, "Wartortle": 1,
                               "Blastoise ex": 1, **_TRAINERS, "Misty": 2, "Cyrus": 1, "Giant Cape": 1}, ("Water",)),
    "weezing-arbok": _deck({"Koffing": 2, "Weezing": 2, "Ekans": 2, "Arbok": 2, "Grimer": 1, "Kangaskhan": 1,
                            **_TRAINERS, "Cyrus": 1, "Rocky Helmet": 1, "Leaf": 1}, ("Darkness",)),
    "marowak-machamp": _deck({"Cubone": 2, "Marowak ex": 2, "Machop": 2, "Machoke": 2, "Machamp ex": 1, "Mankey": 1, "Onix": 1,
                              **_TRAINERS, "Giant Cape": 1, "Red Card": 1}, ("Fighting",)),
    "butterfree-wigglytuff": _deck({"Caterpie": 2, "Metapod": 2, "Butterfree": 2, "Jigglypuff": 2, "Wigglytuff ex": 2,
                                    "Eevee": 1, "Meowth": 1, **_TRAINERS, "Erika": 1},
                                   ("Grass",)),
}


def is_legal(deck: Deck) -> bool:
    """20 cards, at most 2 of a name, at least one Basic, 1-3 energy types (docs/tcg-rules.md section 1)."""
    t = tables()
    names = Counter(t.names[c] for c in deck.cards)
    return (len(deck.cards) == DECK_SIZE and max(names.values()) <= MAX_COPIES and 1 <= len(deck.energy) <= 3
            and any(t.kind[c] == 0 and t.stage[c] == 0 for c in deck.cards))


@lru_cache(maxsize=1)
def _lines() -> tuple[tuple[int, tuple[int, ...]], ...]:
    """Each Basic with the cards evolving from it (and from those): (type, [basic, stage 1s, stage 2s])."""
    t = tables()
    out = []
    for b in range(t.n_cards):
        if t.kind[b] != 0 or t.stage[b] != 0:
            continue
        line, frontier = [b], [b]
        while frontier:
            nxt = [c for c in range(t.n_cards) if t.kind[c] == 0 and t.evolves_from[c] in {t.name_id[f] for f in frontier}]
            line += nxt
            frontier = nxt
        out.append((int(t.ptype[b]), tuple(line)))
    return tuple(out)


def random_deck(seed: int) -> Deck:
    """A random legal deck: 1-2 energy types, evolution lines of those types (and Colorless), then Trainers."""
    t = tables()
    rng = Prng(seed_state(seed))
    n_types = 1 + rng.below(2)
    energy: list[int] = []
    while len(energy) < n_types:
        e = rng.below(8)
        if e not in energy:
            energy.append(e)
    lines = [line for ptype, line in _lines() if ptype in energy or ptype == 8]
    counts: Counter[int] = Counter()
    target = 10 + rng.below(5)
    while sum(counts.values()) < target:
        for c in lines[rng.below(len(lines))]:
            while counts[c] < MAX_COPIES and sum(counts.values()) < target:
                counts[c] += 1
    trainers = [c for c in range(t.n_cards) if t.kind[c] != 0]
    while sum(counts.values()) < DECK_SIZE:
        c = trainers[rng.below(len(trainers))]
        if counts[c] < MAX_COPIES:
            counts[c] += 1
    return Deck(tuple(sorted(counts.elements())), tuple(energy))


def seed_decks(seed: int) -> tuple[Deck, Deck]:
    """The two decks of an episode seed (the case's reset): each player gets, by the PRNG of seed + 0x5EED,
    a meta deck (half the time) or a random legal deck."""
    rng = Prng(seed_state(seed + 0x5EED))
    names = sorted(META)
    out = []
    for _ in range(2):
        if rng.below(2) == 0:
            out.append(META[names[rng.below(len(names))]])
        else:
            out.append(random_deck(rng.next()))
    return out[0], out[1]


def deck_arrays(decks: tuple[Deck, Deck]) -> tuple[list[list[int]], list[list[int]], list[int]]:
    """(cards (2, 20), energy types (2, 3) padded with -1, type counts (2,)) for the JAX engine."""
    return ([list(d.cards) for d in decks], [list(d.energy) + [-1] * (3 - len(d.energy)) for d in decks],
            [len(d.energy) for d in decks])
