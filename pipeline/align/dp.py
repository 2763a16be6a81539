"""The unit-level dynamic program: 1-1, 1-2, 2-1, 1-0 and 0-1 beads over a section.

The caller supplies the score of a candidate bead; the path itself is found by the
same banded program as sentences use (banded.py), here over the full grid since a
section has few units. A matched bead of k + l units costs ``(1 - score) * (k + l) / 2``
plus ``merge_cost`` per unit beyond two (merges must earn their place); every
unaligned unit costs ``skip_cost``.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import banded

Bead = tuple[tuple[int, ...], tuple[int, ...]]
DEFAULT_BEADS: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (1, 0), (0, 1))


def align(n: int, m: int, score: Callable[[int, int, int, int], float], skip_cost: float,
          merge_cost: float, beads: tuple[tuple[int, int], ...] = DEFAULT_BEADS
          ) -> list[tuple[Bead, float]]:
    """Best monotone ladder: [((src indices, tgt indices), score)], omissions score 0.

    ``score(i, k, j, l)`` scores source units i..i+k-1 against target j..j+l-1.
    """
    def cost_row(i: int, k: int, l: int, cols: np.ndarray) -> np.ndarray:
        return np.array([(1.0 - score(i - k, k, j - l, l)) * (k + l) / 2 + merge_cost * (k + l - 2)
                         for j in cols])

    path = banded.align(n, m, banded.Band.full(n, m), cost_row, skip_cost, beads)
    return [((tuple(range(i, i + k)), tuple(range(j, j + l))), score(i, k, j, l) if k and l else 0.0)
            for i, k, j, l in path]
