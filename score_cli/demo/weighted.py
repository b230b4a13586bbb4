"""A weighted choice with its cumulative weights computed once (random.choices would
rebuild them on every call, a measurable cost over millions of draws)."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from random import Random


class Weighted:
    def __init__(self, pairs):
        self.values = tuple(value for value, _ in pairs)
        self.cum = tuple(accumulate(weight for _, weight in pairs))
        self.total = self.cum[-1]

    def pick(self, rng: Random):
        """The same draw as rng.choices(values, cum_weights=cum)[0]."""
        return self.values[bisect_right(self.cum, rng.random() * self.total, 0, len(self.cum) - 1)]
