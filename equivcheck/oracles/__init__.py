"""Oracles: exact, approximate and statistical judges of agreement."""
