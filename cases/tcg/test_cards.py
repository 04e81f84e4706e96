"""The card data: cards.json is what adapters/tcg_cards.py extracts from the pinned package and our text."""

from __future__ import annotations

import json

import pytest

from adapters import tcg_cards


def test_cards_json_is_the_extraction() -> None:
    """Needs the package in the cache (`equivcheck setup tcg`); skipped where it is not installed."""
    root = tcg_cards.install_dir()
    if tcg_cards.installed_version(root) != tcg_cards.pinned_version():
        pytest.skip("pokemon-tcg-pocket-database not installed: run `equivcheck setup tcg`")
    assert tcg_cards.CARDS.read_text() == tcg_cards.render(tcg_cards.extract(root))


def test_package_placeholders_are_recorded() -> None:
    """The package's HP is 50 for every card: each Pokemon whose HP is not 50 lists the package's value."""
    cards = json.loads(tcg_cards.CARDS.read_text())["cards"]
    for c in cards:
        if c["kind"] == "pokemon" and c["hp"] != 50:
            assert c["package_disagrees"]["hp"] == 50, c["name"]


def test_lockfile_pins_the_package() -> None:
    lock = json.loads(tcg_cards.PACKAGE_LOCK.read_text())
    assert lock["packages"][f"node_modules/{tcg_cards.PACKAGE}"]["version"] == tcg_cards.pinned_version() == "2.6.1"
