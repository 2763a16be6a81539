"""A monotone dynamic program restricted to a band of cells, vectorised by row.

The band gives, for each source position i (0..n), the contiguous range of target
positions [lo[i], hi[i]] the path may visit. Row i is computed from earlier rows
with whole-row numpy operations; 0-1 beads (a target sentence left unaligned)
stay inside the row and are handled by a running minimum. Memory and time are
proportional to the number of band cells, so a band of constant width makes the
aligner linear in document length.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

# A bead as the ladder format writes it: its source and its target sentence indices.
Link = tuple[tuple[int, ...], tuple[int, ...]]

BEADS: tuple[tuple[int, int], ...] = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 2), (1, 0), (0, 1))


def bead_types(max_run: int, max_size: int) -> tuple[tuple[int, int], ...]:
    """Match beads with up to ``max_run`` sentences a side and ``max_size`` in all, smallest
    first (ties go to the earlier type), then the two omissions."""
    matches = [(k, l) for k in range(1, max_run + 1) for l in range(1, max_run + 1) if k + l <= max_size]
    matches.sort(key=lambda b: (b[0] + b[1], min(b), b[0] > b[1]))
    return (*matches, (1, 0), (0, 1))


# Skip costs: one price for every sentence, or one per source and one per target sentence.
Skips = float | tuple[np.ndarray, np.ndarray]


@dataclass
class Band:
    lo: np.ndarray  # (n+1,) first allowed target position per source position
    hi: np.ndarray  # (n+1,) last allowed target position (inclusive)

    @classmethod
    def full(cls, n: int, m: int) -> "Band":
        return cls(np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64))

    @classmethod
    def around(cls, path: list[tuple[int, int]], n: int, m: int, width: int) -> "Band":
        """Cells within ``width`` (in both directions) of a path of grid points.

        The rule treats rows and columns alike, so the band of the transposed problem
        is the transpose of this band (the aligner is direction-independent).
        """
        pts = np.array(path, dtype=np.int64)
        lo = np.full(n + 1, m + 1, dtype=np.int64)
        hi = np.full(n + 1, -1, dtype=np.int64)
        # the path is monotone, so for rows near a point its columns bound the band
        for di in range(-width, width + 1):
            rows = pts[:, 0] + di
            ok = (rows >= 0) & (rows <= n)
            np.minimum.at(lo, rows[ok], pts[ok, 1] - width)
            np.maximum.at(hi, rows[ok], pts[ok, 1] + width)
        lo, hi = np.clip(lo, 0, m), np.clip(hi, 0, m)
        # fill rows the path never came near and keep the band monotone
        lo = np.minimum.accumulate(lo[::-1])[::-1]
        hi = np.maximum.accumulate(hi)
        lo[0], hi[n] = 0, m
        lo[1:] = np.minimum(lo[1:], hi[:-1])  # consecutive rows overlap: the path stays connected
        return cls(lo, hi)

    @property
    def cells(self) -> int:
        return int(np.sum(self.hi - self.lo + 1))


# cost_row(i, k, l, cols) -> costs of the beads (k, l) ending at (i, cols), l >= 1, k >= 1
CostRow = Callable[[int, int, int, np.ndarray], np.ndarray]


def align(
    n: int, m: int, band: Band, cost_row: CostRow, skip_cost: Skips, beads: tuple[tuple[int, int], ...] = BEADS
) -> list[tuple[int, int, int, int]]:
    """Cheapest monotone path from (0, 0) to (n, m): beads as (i, k, j, l) = src i..i+k, tgt j..j+l."""
    lo, hi = band.lo, band.hi
    if isinstance(skip_cost, tuple):
        skip_a, skip_b = (np.asarray(x, dtype=np.float64) for x in skip_cost)
    else:
        skip_a, skip_b = np.full(n, float(skip_cost)), np.full(m, float(skip_cost))
    skipped_b = np.concatenate([[0.0], np.cumsum(skip_b)])  # cost of leaving out targets 0..j-1
    cost: list[np.ndarray] = []
    back: list[np.ndarray] = []
    for i in range(n + 1):
        cols = np.arange(lo[i], hi[i] + 1)
        best = np.full(len(cols), np.inf)
        arg = np.full(len(cols), -1, dtype=np.int8)
        if i == 0:
            best[cols == 0] = 0.0
        for b_idx, (k, l) in enumerate(beads):
            if k == 0 or k > i:
                continue
            r = i - k
            prev_cols = cols - l
            ok = (prev_cols >= lo[r]) & (prev_cols <= hi[r])
            if not ok.any():
                continue
            prev = np.full(len(cols), np.inf)
            prev[ok] = cost[r][prev_cols[ok] - lo[r]]
            if l == 0:
                step = np.full(len(cols), skip_a[r:i].sum())
            else:
                step = np.full(len(cols), np.inf)
                valid = ok & np.isfinite(prev)
                if valid.any():
                    step[valid] = cost_row(i, k, l, cols[valid])
            total = prev + step
            better = total < best
            best[better], arg[better] = total[better], b_idx
        if (0, 1) in beads:  # 0-1 beads: best[j] = min(best[j], best[j-1] + skip), as a running minimum
            offset = skipped_b[cols] - skipped_b[cols[0]]
            scanned = np.minimum.accumulate(best - offset) + offset
            from_left = scanned < best - 1e-9  # the offset round trip is not exact: no false "better"
            from_left[0] = False
            best = np.where(from_left, scanned, best)
            arg[from_left] = beads.index((0, 1))
        cost.append(best)
        back.append(arg)
    if not np.isfinite(cost[n][m - lo[n]]):
        raise ValueError("no path through the band")  # cannot happen: 1-0/0-1 always connect
    path = []
    i, j = n, m
    while i > 0 or j > 0:
        k, l = beads[back[i][j - lo[i]]]
        path.append((i - k, k, j - l, l))
        i, j = i - k, j - l
    return path[::-1]
