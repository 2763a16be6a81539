"""Monotone dynamic program over two sequences with 1-1, 1-2, 2-1, 1-0 and 0-1 beads.

The caller supplies the score of a candidate bead; this module only finds the
cheapest path. A matched bead of k + l units costs ``(1 - score) * (k + l) / 2``
plus ``merge_cost`` per unit beyond two (merges must earn their place); every
unaligned unit costs ``skip_cost``.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

Bead = tuple[tuple[int, ...], tuple[int, ...]]
DEFAULT_BEADS: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (1, 0), (0, 1))


def align(n: int, m: int, score: Callable[[int, int, int, int], float], skip_cost: float,
          merge_cost: float, beads: tuple[tuple[int, int], ...] = DEFAULT_BEADS
          ) -> list[tuple[Bead, float]]:
    """Best monotone ladder: [((src indices, tgt indices), score)], omissions score 0.

    ``score(i, k, j, l)`` scores source units i..i+k-1 against target j..j+l-1.
    """
    cost = np.full((n + 1, m + 1), np.inf)
    back = np.zeros((n + 1, m + 1, 2), dtype=np.int16)
    bead_score = np.zeros((n + 1, m + 1))
    cost[0, 0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if i == 0 and j == 0:
                continue
            best, best_kl, best_s = np.inf, (0, 0), 0.0
            for k, l in beads:
                if k > i or l > j or not np.isfinite(cost[i - k, j - l]):
                    continue
                if k == 0 or l == 0:
                    c, s = skip_cost * (k + l), 0.0
                else:
                    s = score(i - k, k, j - l, l)
                    c = (1.0 - s) * (k + l) / 2 + merge_cost * (k + l - 2)
                total = cost[i - k, j - l] + c
                if total < best:
                    best, best_kl, best_s = total, (k, l), s
            cost[i, j], back[i, j], bead_score[i, j] = best, best_kl, best_s
    ladder = []
    i, j = n, m
    while i > 0 or j > 0:
        k, l = back[i, j]
        ladder.append(((tuple(range(i - k, i)), tuple(range(j - l, j))), float(bead_score[i, j])))
        i, j = i - k, j - l
    return ladder[::-1]
