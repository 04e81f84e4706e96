"""The portable PRNG of docs/tcg-rules.md section 9: xorshift32 with a specified bounded draw, coin and shuffle.

Plain Python ints masked to 32 bits, so that the JAX engine's uint32 arithmetic reproduces it bit for bit.
"""

from __future__ import annotations

MASK = 0xFFFFFFFF
MAX_FLIPS = 20
"""Flip-until-tails stops after this many heads (docs/tcg-rules.md section 10)."""


def seed_state(seed: int) -> int:
    """The generator's state for a seed: (seed * 2654435761 + 0x9E3779B9) mod 2^32, 1 if that is 0."""
    s = ((seed & MASK) * 2654435761 + 0x9E3779B9) & MASK
    return s or 1


class Prng:
    """xorshift32 (13, 17, 5); every draw advances `state` once."""

    def __init__(self, state: int) -> None:
        self.state = state & MASK

    def next(self) -> int:
        """Advance and return the new state."""
        s = self.state
        s ^= (s << 13) & MASK
        s ^= s >> 17
        s ^= (s << 5) & MASK
        self.state = s
        return s

    def below(self, n: int) -> int:
        """A number in [0, n) for 1 <= n <= 255: ((next() >> 8) * n) >> 24."""
        return ((self.next() >> 8) * n) >> 24

    def coin(self) -> bool:
        """True (heads) when the top bit of next() is set."""
        return bool(self.next() >> 31)

    def heads(self, coins: int) -> int:
        """Flip `coins` coins; the number of heads."""
        return sum(self.coin() for _ in range(coins))

    def until_tails(self) -> int:
        """Flip until tails (at most MAX_FLIPS heads); the number of heads."""
        heads = 0
        while heads < MAX_FLIPS and self.coin():
            heads += 1
        return heads

    def shuffle(self, items: list[int], n: int) -> None:
        """Fisher-Yates on items[:n] in place: for i = n-1 down to 1, swap items[i] with items[below(i+1)]."""
        for i in range(n - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]
