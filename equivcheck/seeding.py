"""Derive every seed of a run from one master seed, so any failure replays from (master, episode)."""

from __future__ import annotations

import numpy as np

SEED_BITS = 31


def derive(master: int, *path: int | str) -> int:
    """A deterministic 31-bit seed for `path` under `master` (e.g. derive(s, "episode", 3))."""
    words = [int(master) & 0xFFFFFFFF]
    for part in path:
        if isinstance(part, str):
            words.extend(part.encode())
        else:
            words.append(int(part) & 0xFFFFFFFF)
    state = np.random.SeedSequence(words).generate_state(1, dtype=np.uint32)[0]
    return int(state) & ((1 << SEED_BITS) - 1)


def episode_seed(master: int, episode: int) -> int:
    """The environment seed of episode `episode`."""
    return derive(master, "episode", episode)


def policy_rng(master: int, episode: int) -> np.random.Generator:
    """The action-choosing generator of episode `episode`."""
    return np.random.default_rng(derive(master, "policy", episode))


def worker_seed(master: int, worker: str) -> int:
    """A per-worker master seed (pytest-xdist workers, --jobs processes)."""
    return derive(master, "worker", worker)
