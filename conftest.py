"""Repository-wide pytest hooks: the `seed_sensitive` marker and its false-failure budget.

A test whose outcome depends on data drawn from the random master seed is marked
`@pytest.mark.seed_sensitive(bound=P, why="...")`, where P is its computed false-failure probability
per run (tests/power.py). It fails at setup when P is missing or not below tests.power.BUDGET, and
P is recorded in the JUnit XML (`scripts/seed_sweep.py` prints it beside the observed failures).

Also: JAX's persistent compilation cache (the equivcheck cache's jax/, as the MJX adapters use) for
every test, so the PokeJAX and Pong-JAX step functions compile once per machine, not once per run
and worker; EQUIVCHECK_JAX_CACHE or JAX_COMPILATION_CACHE_DIR chooses another directory.
"""

from __future__ import annotations

import os
import sys

import pytest

from tests.power import BUDGET


def _jax_compilation_cache() -> None:
    """Point JAX's persistent compilation cache at the equivcheck cache unless one is configured."""
    if os.environ.get("JAX_COMPILATION_CACHE_DIR"):
        return
    from equivcheck.paths import cache_dir

    path = os.environ.get("EQUIVCHECK_JAX_CACHE") or str(cache_dir("jax"))
    os.makedirs(path, exist_ok=True)
    os.environ["JAX_COMPILATION_CACHE_DIR"] = path
    if "jax" in sys.modules:
        jax = sys.modules["jax"]
        if not jax.config.jax_compilation_cache_dir:
            jax.config.update("jax_compilation_cache_dir", path)


def pytest_configure(config: pytest.Config) -> None:
    _jax_compilation_cache()
    config.addinivalue_line(
        "markers",
        "seed_sensitive(bound, why): the outcome depends on data drawn from the master seed; bound is the computed "
        f"false-failure probability per run (must be < {BUDGET:g}); run over many seeds by scripts/seed_sweep.py",
    )


def seed_bound(item: pytest.Item) -> float | None:
    """The computed false-failure bound of a seed-sensitive test (None when it declares none)."""
    marker = item.get_closest_marker("seed_sensitive")
    if marker is None:
        return None
    bound = marker.kwargs.get("bound", marker.args[0] if marker.args else None)
    return None if bound is None else float(bound)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("seed_sensitive") is not None:
            item.user_properties.append(("false_failure_bound", seed_bound(item)))


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("seed_sensitive") is None:
        return
    bound = seed_bound(item)
    if bound is None or not bound < BUDGET:
        pytest.fail(f"seed-sensitive test without a computed false-failure bound below {BUDGET:g} (bound={bound}): "
                    "raise its sample size or change its statistic (tests/power.py)", pytrace=False)
