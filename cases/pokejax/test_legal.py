"""The legal-team generator (cases/pokejax/legal.py): legal Gen 1 teams that reach every move and species.

Legality is checked against the extracted dex (species, moves, learn levels); reach is checked on
the seeded generator the sweep uses (fixed seeds: deterministic) and the checks are shown to fail
on broken generators.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import seed as hypothesis_seed

from cases.pokejax import legal

REACH_BATTLES = 2500


def assert_legal(team: list[dict[str, Any]]) -> None:
    """A legal team: 1-6 distinct Gen 1 species, each with 1-4 distinct moves it knows at its level."""
    assert 1 <= len(team) <= 6
    assert len({m["species"] for m in team}) == len(team)
    for mon in team:
        learn = legal.dex().learnset[mon["species"]]
        assert 1 <= len(mon["moves"]) <= 4 and len(set(mon["moves"])) == len(mon["moves"]), mon
        assert all(m in learn and learn[m] <= mon["level"] for m in mon["moves"]), mon
        assert 1 <= mon["level"] <= 100


def unreached(draw: Callable[[int], tuple[str, list]], n: int = REACH_BATTLES) -> tuple[set[str], set[str]]:
    """Moves (Struggle aside) and species that no team of battles 0..n-1 holds."""
    moves, species = set(legal.dex().moves) - {"struggle"}, set(legal.dex().species)
    for seed in range(n):
        for team in draw(seed)[1]:
            for mon in team:
                species.discard(mon["species"])
                moves.difference_update(mon["moves"])
        if not moves and not species:
            break
    return moves, species


def test_dex_has_every_gen1_move_and_species() -> None:
    d = legal.dex()
    assert len(d.moves) == 165 and len(d.species) == 151 and d.version == "0.11.11"
    learnable = {m for s in d.species for m in d.learnset[s]}
    assert learnable == set(d.moves) - {"struggle"}
    assert all(d.learnset[s] for s in d.species)
    assert d.learnset["ditto"] == {"transform": 1}
    assert d.learnset["pikachu"]["thunderbolt"] == 1 and d.learnset["pikachu"]["agility"] == 33


def test_theme_pools_name_real_moves_with_learners() -> None:
    for theme, pool in legal.THEMES.items():
        assert set(pool) <= set(legal.dex().moves), (theme, set(pool) - set(legal.dex().moves))
        assert not pool or legal._learners(theme), theme


def test_seeded_battles_are_legal_and_reproducible() -> None:
    for seed in range(300):
        theme, teams = legal.battle_of_seed(seed)
        assert theme in legal.THEMES and legal.battle_of_seed(seed) == (theme, teams)
        for team in teams:
            assert_legal(team)


def test_hypothesis_battles_are_legal(equivcheck_run) -> None:  # noqa: ANN001
    @hypothesis_seed(equivcheck_run.seed)
    @settings(max_examples=200, deadline=None, database=None)
    @given(legal.battles())
    def check(battle: tuple[str, list]) -> None:
        for team in battle[1]:
            assert_legal(team)

    check()


def test_seeded_battles_reach_every_move_and_species() -> None:
    moves, species = unreached(legal.battle_of_seed)
    assert not moves and not species, (sorted(moves), sorted(species))


@pytest.mark.parametrize("theme", [t for t in legal.THEMES if t != "any"])
def test_themed_battles_hold_their_pool(theme: str) -> None:
    """Most members of a themed battle know a move of the pool (when their species can)."""
    pool = set(legal.THEMES[theme])
    members = [m for s in range(40) for t in legal.battle_of_seed(s, theme)[1] for m in t]
    assert sum(bool(pool & set(m["moves"])) for m in members) >= len(members) // 2


def test_reach_check_catches_a_generator_that_drops_a_move(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutant: Transform never drawn (and Ditto, who knows only it, never drawn): the reach check names both."""
    real = legal.legal_moves
    monkeypatch.setattr(legal, "legal_moves", lambda sp, lv: [m for m in real(sp, lv) if m != "transform"] or
                        real("mew", 100)[:1])
    moves, _ = unreached(legal.battle_of_seed, 600)
    assert "transform" in moves


def test_legality_check_catches_an_illegal_move() -> None:
    """Mutant team: Pikachu with Thunderbolt's neighbour Earthquake (not in its Gen 1 learnset), or too low for
    Agility (level 33)."""
    with pytest.raises(AssertionError):
        assert_legal([{"species": "pikachu", "level": 100, "moves": ["thunderbolt", "earthquake"]}])
    with pytest.raises(AssertionError):
        assert_legal([{"species": "pikachu", "level": 20, "moves": ["agility"]}])


def test_packed_team_reads_back_in_the_candidate() -> None:
    from adapters.pokejax_teams import unpack_team

    _, teams = legal.battle_of_seed(5)
    for team in teams:
        back = unpack_team(legal.packed(team))
        assert [(m["species"], m["level"], m["moves"]) for m in back] == \
            [(m["species"], m["level"], m["moves"]) for m in team]
