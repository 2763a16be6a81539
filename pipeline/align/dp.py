"""The unit-level dynamic program over a whole document.

Beads 1-1, 1-2, 2-1, 1-3, 3-1, 1-0 and 0-1 (a paragraph printed as two or three, a
table that is a sentence in the other version). A matched bead of k + l units costs
``(1 - score) * (k + l) / 2`` plus ``merge_cost`` per unit beyond two (merges must
earn their place); every unaligned unit costs ``skip_cost``. The caller supplies
the score of a candidate bead (costs.py).

Two passes keep it fast at any length: a coarse 1-1 path over the full grid from
vectorised scores places a band, then the exact program runs inside the band of
``band`` units around it (banded.py), so time grows with document length, not its
square.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from . import banded
from .banded import Link

DEFAULT_BEADS: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (1, 0), (0, 1))


def coarse_path(scores: np.ndarray, skip_cost: float) -> list[tuple[int, int]]:
    """Grid points of the cheapest 1-1/skip path through a full matrix of 1-1 scores."""
    n, m = scores.shape
    cost = 1.0 - scores

    def cost_row(i: int, k: int, l: int, cols: np.ndarray) -> np.ndarray:
        return cost[i - 1, cols - 1]

    path = banded.align(n, m, banded.Band.full(n, m), cost_row, skip_cost, ((1, 1), (1, 0), (0, 1)))
    return [(0, 0)] + [(i + k, j + l) for i, k, j, l in path]


def align(
    n: int,
    m: int,
    score: Callable[[int, int, int, int], float],
    skip_cost: float,
    merge_cost: float,
    coarse: np.ndarray | None = None,
    band: int = 12,
    beads: tuple[tuple[int, int], ...] = DEFAULT_BEADS,
) -> list[tuple[Link, float]]:
    """Best monotone ladder: [((src indices, tgt indices), score)], omissions score 0.

    ``score(i, k, j, l)`` scores source units i..i+k-1 against target j..j+l-1;
    ``coarse``: an (n, m) matrix of cheap 1-1 scores that places the band (full grid
    without it).
    """

    def cost_row(i: int, k: int, l: int, cols: np.ndarray) -> np.ndarray:
        return np.array([(1.0 - score(i - k, k, j - l, l)) * (k + l) / 2 + merge_cost * (k + l - 2) for j in cols])

    if coarse is not None and n and m:
        grid = banded.Band.around(coarse_path(coarse, skip_cost), n, m, band)
    else:
        grid = banded.Band.full(n, m)
    path = banded.align(n, m, grid, cost_row, skip_cost, beads)
    return [
        ((tuple(range(i, i + k)), tuple(range(j, j + l))), score(i, k, j, l) if k and l else 0.0) for i, k, j, l in path
    ]
