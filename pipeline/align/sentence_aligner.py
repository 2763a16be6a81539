"""The sentence aligner: coarse-to-fine banded DP over margin-normalised similarities.

1. Coarsen both sides by halving (neighbour pairs merged) until the full grid is
   small; align that exhaustively.
2. Project the coarse path to the finer level and align again inside a band of
   ``window`` cells around it; repeat down to single sentences. Time and memory
   grow linearly with document length.
3. A bead's cost compares the composed vectors of its two runs. Raw cosines are
   corrected for hubness: each sentence's mean similarity to its ``knn`` nearest
   distinct candidates (inside the band) is subtracted (a margin), so a sentence
   that is close to everything gains nothing. Length ratio (against the pair's own
   overall ratio) and agreement of numbers and symbols add penalties, and so does
   a merge whose weakest member matches the other side below its hubness (an
   omission next to a bead is not hidden inside a merge).
4. With an encoder, a second pass looks closer near the beads the first is unsure
   of: merged runs are encoded for real, and a merge whose member makes none of the
   other side's contextual token vectors better matched costs more, while a
   one-to-many merge whose every member does costs less (gains per share of the
   run, so a short member is judged on the short part it renders). A third pass
   spares a first or last member whose translation is found at its end of the other
   side's run (edge windows, windows.py): token vectors miss short headings.
5. One sentence left over on each side between the same two beads is paired, unless
   the two match too poorly to be translations (UNPC has such leftovers).
Every quantity is symmetric in the two sides, so swapping source and target
gives the transposed ladder.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..langs import is_cjk
from . import banded
from .overlaps import Runs, Side
from .windows import edge_checks


@dataclass(frozen=True)
class SentenceAlignParams:
    """The aligner's costs; the defaults are configs/params.yaml's (tuned on the dev part
    of the evaluation set; a test keeps the two equal)."""

    skip_cost: float = 0.10  # per unaligned sentence
    # ... plus this much per unit of the sentence's best 1-1 margin in the band: a sentence
    # that matches some sentence of the other side better than its neighbours do has a
    # counterpart by content, and is left out only on strong evidence.
    omission_weight: float = 0.0
    margin_offset: float = 0.08  # a bead costs (offset - margin) per sentence before penalties
    length_weight: float = 0.002  # Gale-Church deviation, squared, per character
    anchor_weight: float = 0.10
    anchor_one_sided: float = 0.3  # share of the penalty when only one side has numbers
    merge_cost: float = 0.03  # per sentence beyond two in a bead
    merge_gain_weight: float = 1.0  # penalty when a merged run matches worse than its best member
    member_weight: float = 0.25  # penalty when a member of a merge matches the other side below its hubness
    # Token coverage (second pass only): a member of a merge that makes none of the other
    # side's tokens better matched was absorbed without a counterpart. Such a merge costs
    # token_penalty more per sentence, ramping down to 0 at a coverage gain of token_min_gain.
    token_penalty: float = 0.03
    token_min_gain: float = 0.006
    # ... and a merge of one sentence with several whose every member clearly covers
    # tokens of the other side is evidenced: it costs up to token_bonus less per
    # sentence, in full when the least-covering member gains token_full_gain.
    token_bonus: float = 0.02
    token_full_gain: float = 0.03
    # A member's coverage gain divided by its share of its run's characters: a short
    # member can only improve the few tokens of its short counterpart.
    token_gain_per_share: bool = True
    # Edge windows (third pass, windows.py): the first or last member of a merge whose
    # translation sits at its end of the other side's run escapes the token penalty
    # (last-layer token vectors miss short headings); the relief is full at a window
    # gain of window_min_gain.
    window_max_share: float = 0.5  # members up to this share of their run's characters
    window_scale: float = 2.0  # window length / the member's expected translated length
    window_min_gain: float = 0.03
    knn: int = 6
    # Hubness counts distinct runs: a run overlapping a better-matching run of the same
    # type is not another neighbour (it shares that run's content).
    distinct_neighbours: bool = True
    window: int = 8
    full_grid_cells: int = 250_000
    max_run: int = 3
    max_bead: int = 4  # most sentences in one bead, both sides together (1-3, 2-2)
    calibration: str | None = "configs/calibration.json"  # bead-score calibration; None: uncalibrated
    # Second pass: merged runs near uncertain beads (merges, omissions, 1-1 beads of
    # quality below refine_below) are encoded for real instead of composed.
    refine: bool = True
    refine_below: float = -0.10
    refine_pad: int = 1
    # One sentence left over on each side between the same two beads holds the same
    # place in both versions: pair them (a low-quality 1-1 bead, flagged for review)
    # rather than leave two omissions.
    pair_leftovers: bool = True
    leftover_min_quality: float = -0.15  # ... unless their 1-1 quality is below this (unrelated sentences)

    @classmethod
    def from_params(cls, section: dict | None) -> "SentenceAlignParams":
        section = section or {}
        return cls(**{k: section[k] for k in cls.__dataclass_fields__ if k in section})


@dataclass(frozen=True)
class Background:
    """Statistics of a larger text, for problems too small to estimate their own
    (the sentences of one unit pair): typical cosine of unrelated runs per bead type,
    and the typical target/source sentence length ratio."""

    typical_cosine: dict
    length_ratio: float

    @classmethod
    def of(cls, src: "Side", tgt: "Side", max_run: int, sample: int = 400) -> "Background":
        zeros_a, zeros_b = np.zeros(len(src), np.float32), np.zeros(len(tgt), np.float32)
        a, b = Runs.of(src, zeros_a, max_run), Runs.of(tgt, zeros_b, max_run)
        cos = {}
        for k in range(1, max_run + 1):
            for l in range(1, max_run + 1):
                va, vb = a.vectors[k][k:], b.vectors[l][l:]
                if len(va) and len(vb):
                    va, vb = va[:: max(1, len(va) // sample)], vb[:: max(1, len(vb) // sample)]
                    cos[(k, l)] = float(np.mean(va @ vb.T))
        return cls(cos, _median_ratio(src, tgt))


def _median_ratio(src: "Side", tgt: "Side") -> float:
    # medians, unlike totals, are not thrown off when one side has many extra sentences
    return (float(np.median(tgt.lengths)) + 1.0) / (float(np.median(src.lengths)) + 1.0)


@dataclass(frozen=True)
class Bead:
    src: tuple[int, ...]
    tgt: tuple[int, ...]
    quality: float  # higher is better: -(per-sentence cost); nan for omissions

    @property
    def link(self) -> str:
        return f"{len(self.src)}-{len(self.tgt)}"


def _topk_mean(keys: np.ndarray, values: np.ndarray, size: int, k: int, prior: float) -> np.ndarray:
    """For each key in 0..size-1, the mean of its k largest values.

    Keys with fewer than k values are padded with ``prior`` (a typical cosine of
    unrelated texts): in a tiny problem, such as the sentences of one unit pair,
    a sentence's only candidates are its own translations, and without padding
    every margin would be zero.
    """
    out = np.full(size, prior, dtype=np.float32)
    if not len(values):
        return out
    order = np.lexsort((-values, keys))  # by key, largest first
    k_sorted, v_sorted = keys[order], values[order]
    starts = np.searchsorted(k_sorted, np.arange(size))
    take = np.minimum(np.searchsorted(k_sorted, np.arange(size), side="right") - starts, k)
    csum = np.concatenate([[0.0], np.cumsum(v_sorted, dtype=np.float64)])
    has = take > 0
    out[has] = (csum[starts[has] + take[has]] - csum[starts[has]] + prior * (k - take[has])) / k
    return out


def _topk_mean_distinct(
    keys: np.ndarray, ends: np.ndarray, values: np.ndarray, size: int, k: int, prior: float, run: int
) -> np.ndarray:
    """``_topk_mean`` where the values belong to runs of ``run`` sentences ending at
    ``ends``: a run overlapping a larger-valued run already counted for the same key
    is skipped. Runs overlapping a true translation share its content and match
    almost as well; counted as neighbours they would inflate the hubness of every
    sentence that has a merged translation, and a true merge would lose its margin.
    """
    if run == 1 or not len(values):
        return _topk_mean(keys, values, size, k, prior)
    order = np.lexsort((-values, keys))  # by key, largest first
    ks, es, vs = keys[order], ends[order], values[order].astype(np.float64)
    rank = np.arange(len(ks)) - np.searchsorted(ks, ks)  # place within its key's list
    taken = np.full((size, k), np.iinfo(np.int64).min // 2, dtype=np.int64)
    count = np.zeros(size, dtype=np.int64)
    total = np.zeros(size, dtype=np.float64)
    by_rank = np.argsort(rank, kind="stable")
    bounds = np.searchsorted(rank[by_rank], np.arange(rank.max() + 2))
    for r in range(rank.max() + 1):  # greedy per key, all keys at once (one value each per rank)
        idx = by_rank[bounds[r] : bounds[r + 1]]
        kk, ee = ks[idx], es[idx]
        free = (count[kk] < k) & ~np.any(np.abs(taken[kk] - ee[:, None]) < run, axis=1)
        kk, ee, idx = kk[free], ee[free], idx[free]
        taken[kk, count[kk]] = ee
        total[kk] += vs[idx]
        count[kk] += 1
    return ((total + prior * (k - count)) / k).astype(np.float32)


class _Costs:
    """Bead costs for whole band rows (what banded.align calls).

    For every bead type (k, l) the cosines of all band cells are computed once;
    a run's hubness is its mean cosine with its ``knn`` best candidates *of the same
    type*, so composed vectors (which are closer to everything) are compared
    against composed alternatives and merges gain nothing from composition alone.
    """

    def __init__(
        self,
        src: Side,
        tgt: Side,
        band: banded.Band,
        p: SentenceAlignParams,
        beads: tuple[tuple[int, int], ...],
        encoded: tuple[dict, dict] = ({}, {}),
        background: Background | None = None,
        tokens: tuple[dict, dict] = ({}, {}),
    ):
        self.p = p
        self.tokens = tokens  # sentence index -> token vectors, for sentences near uncertain beads
        # (i, k, j, l) -> {(side, member): edge-window gain}, for merges near the path
        self.windows: dict = {}
        self._shortfalls: dict[tuple[int, int, int, int], float] = {}
        self._surpluses: dict[tuple[int, int, int, int], float] = {}
        self._gains: dict[tuple[int, int, int, int], dict] = {}  # _token_gains, computed once per merge
        self._rows: dict | None = None  # (i, k, l) -> (cols, cost row), when kept
        self._earlier: dict | None = None
        self._changed: set = set()
        self._pair_best: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        zeros_a, zeros_b = np.zeros(len(src), np.float32), np.zeros(len(tgt), np.float32)
        self.a, self.b = Runs.of(src, zeros_a, p.max_run), Runs.of(tgt, zeros_b, p.max_run)
        for runs, vectors in ((self.a, encoded[0]), (self.b, encoded[1])):
            for (k, end), vector in vectors.items():  # real encodings replace composed vectors
                runs.vectors[k][end] = vector
        ratio = background.length_ratio if background else _median_ratio(src, tgt)
        self.ratio = np.sqrt(ratio)  # scales both sides alike: symmetric
        self.ratio_b = 1.0 / self.ratio
        self.b_anchor_sq = {k: np.einsum("ij,ij->i", v, v) for k, v in self.b.anchors.items()}
        n, m = len(src), len(tgt)
        self.cos: dict[tuple[int, int], list] = {}
        self.hub_a: dict[tuple[int, int], np.ndarray] = {}
        self.hub_b: dict[tuple[int, int], np.ndarray] = {}
        for k, l in (b for b in beads if b[0] and b[1]):
            rows_cos = [None] * (n + 1)
            keys_r, keys_c, vals = [], [], []
            for i in range(k, n + 1):
                lo, hi = max(band.lo[i], l), band.hi[i]
                if hi < lo:
                    continue
                c = self.b.vectors[l][lo : hi + 1] @ self.a.vectors[k][i]
                rows_cos[i] = (lo, c)
                keys_r.append(np.full(len(c), i))
                keys_c.append(np.arange(lo, hi + 1))
                vals.append(c)
            self.cos[(k, l)] = rows_cos
            if vals:
                r, c, v = np.concatenate(keys_r), np.concatenate(keys_c), np.concatenate(vals)
            else:
                r = c = np.zeros(0, np.int64)
                v = np.zeros(0, np.float32)
            # typical cosine of two unrelated runs of this type: given, or the band's mean
            prior = background.typical_cosine.get((k, l)) if background else None
            if prior is None:
                prior = float(v.mean()) if len(v) else 0.0
            runs = (l, k) if p.distinct_neighbours else (1, 1)  # run length 1: every candidate counts
            self.hub_a[(k, l)] = _topk_mean_distinct(r, c, v, n + 1, p.knn, prior, runs[0])
            self.hub_b[(k, l)] = _topk_mean_distinct(c, r, v, m + 1, p.knn, prior, runs[1])

    def skips(self) -> banded.Skips:
        """Skip cost of each source and each target sentence (see omission_weight)."""
        p = self.p
        n, m = len(self.a.lengths[1]) - 1, len(self.b.lengths[1]) - 1
        if not p.omission_weight or (1, 1) not in self.cos:
            return p.skip_cost
        best_a, best_b = np.zeros(n + 1), np.zeros(m + 1)  # margins below 0 add nothing
        hub_a, hub_b = self.hub_a[(1, 1)], self.hub_b[(1, 1)]
        for i, entry in enumerate(self.cos[(1, 1)]):
            if entry is None:
                continue
            lo, c = entry
            cols = np.arange(lo, lo + len(c))
            margin = c - 0.5 * (hub_a[i] + hub_b[cols])
            best_a[i] = max(best_a[i], float(margin.max()))
            np.maximum.at(best_b, cols, margin)
        # run ends index the cells: sentence x ends at x + 1
        return (p.skip_cost + p.omission_weight * best_a[1:], p.skip_cost + p.omission_weight * best_b[1:])

    def _best_matches(self, x: int, y: int) -> tuple[np.ndarray, np.ndarray]:
        """For source sentence x and target sentence y: each x token's best cosine among
        y's tokens, and each y token's among x's (computed once per sentence pair)."""
        if (x, y) not in self._pair_best:
            sims = self.tokens[0][x] @ self.tokens[1][y].T
            self._pair_best[(x, y)] = (sims.max(axis=1), sims.max(axis=0))
        return self._pair_best[(x, y)]

    def _token_gains(self, i: int, k: int, j: int, l: int) -> dict[tuple[int, int], float]:
        """Gain in coverage of the other side's tokens that each member of a merged run
        brings, keyed (side, sentence); empty if some member's tokens are unknown.
        A sentence absorbed into a merge without a counterpart covers nothing new."""
        key = (i, k, j, l)
        if key in self._gains:
            return self._gains[key]
        xs, ys = range(i - k, i), range(j - l, j)
        ta, tb = self.tokens
        gains: dict = {}
        self._gains[key] = gains
        if not (all(len(ta.get(x, ())) for x in xs) and all(len(tb.get(y, ())) for y in ys)):
            return gains
        if l > 1:  # target members covering the source run's tokens
            found = _coverage_gains([np.stack([self._best_matches(x, y)[0] for y in ys]) for x in xs])
            gains.update({(1, y): g / s for y, g, s in zip(ys, found, self._shares(self.b, ys))})
        if k > 1:
            found = _coverage_gains([np.stack([self._best_matches(x, y)[1] for x in xs]) for y in ys])
            gains.update({(0, x): g / s for x, g, s in zip(xs, found, self._shares(self.a, xs))})
        return gains

    def _shares(self, runs: Runs, members: range) -> list[float]:
        """Each member's expected share of the other run's tokens (its share of its own
        run's characters) with ``token_gain_per_share``, else 1 for every member."""
        if not self.p.token_gain_per_share:
            return [1.0] * len(members)
        lengths = [float(runs.lengths[1][x + 1]) + 1.0 for x in members]
        return [ln / sum(lengths) for ln in lengths]

    def _shortfall(self, i: int, k: int, j: int, l: int) -> float:
        """How far the worst-evidenced member of a merge falls short of being translated
        on the other side, 0..1: from its token coverage, relieved where its edge window
        finds its translation in place (0 when the members' tokens are unknown)."""
        key = (i, k, j, l)
        if key not in self._shortfalls:
            p, windows = self.p, self.windows.get(key, {})
            worst = 0.0
            for member, gain in self._token_gains(i, k, j, l).items():
                short = 1.0 - gain / p.token_min_gain
                if member in windows:  # a member placed where its translation is, is not absorbed
                    short = min(short, 1.0 - windows[member] / p.window_min_gain)
                worst = max(worst, short)
            self._shortfalls[key] = min(worst, 1.0)
        return self._shortfalls[key]

    def _surplus(self, i: int, k: int, j: int, l: int) -> float:
        """0..1: how clearly the least-covering member of a one-to-many merge covers
        tokens of the other side (0 when unknown, or when both sides are merged)."""
        key = (i, k, j, l)
        if key not in self._surpluses:
            gains = self._token_gains(i, k, j, l) if min(k, l) == 1 else {}
            self._surpluses[key] = min(1.0, max(0.0, min(gains.values()) / self.p.token_full_gain)) if gains else 0.0
        return self._surpluses[key]

    def _lookup(self, k: int, l: int, i: int, cols: np.ndarray) -> np.ndarray:
        """Cosines of bead type (k, l) at row i and the given columns (-inf outside the band)."""
        entry = self.cos[(k, l)][i] if 0 <= i < len(self.cos[(k, l)]) else None
        out = np.full(len(cols), -np.inf, dtype=np.float32)
        if entry is None:
            return out
        lo, row = entry
        ok = (cols >= lo) & (cols < lo + len(row))
        out[ok] = row[cols[ok] - lo]
        return out

    def _members(self, i: int, k: int, l: int, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For a merge: the best cosine of one side's run with a single member of the
        other, and the weakest member's margin (a sentence unrelated to the other
        side, absorbed into the merge, has a margin near or below zero)."""
        best = np.full(len(cols), -np.inf, dtype=np.float32)
        weakest = np.full(len(cols), np.inf, dtype=np.float32)
        if l > 1:
            for u in range(l):
                c = self._lookup(k, 1, i, cols - u)
                best = np.maximum(best, c)
                hub = self.hub_a[(k, 1)][i] + self.hub_b[(k, 1)][np.clip(cols - u, 0, None)]
                weakest = np.minimum(weakest, c - 0.5 * hub)
        if k > 1:
            for u in range(k):
                c = self._lookup(1, l, i - u, cols)
                best = np.maximum(best, c)
                hub = self.hub_a[(1, l)][max(i - u, 0)] + self.hub_b[(1, l)][cols]
                weakest = np.minimum(weakest, c - 0.5 * hub)
        return best, weakest

    def per_sentence(self, i: int, k: int, l: int, cols: np.ndarray) -> np.ndarray:
        a, b, p = self.a, self.b, self.p
        lo, row = self.cos[(k, l)][i]
        cos = row[cols - lo]
        loss = 0.0
        if k > 1 or l > 1:  # a true merge matches better than any of its parts alone
            best, weakest = self._members(i, k, l, cols)
            loss = p.merge_gain_weight * np.maximum(0.0, np.where(np.isfinite(best), best - cos, 0.0))
            loss = loss + p.member_weight * np.maximum(0.0, np.where(np.isfinite(weakest), -weakest, 0.0))
            if self.tokens[0] or self.tokens[1]:  # token evidence against or for the merge
                if p.token_penalty:
                    loss = loss + p.token_penalty * np.array([self._shortfall(i, k, int(j), l) for j in cols])
                if p.token_bonus:
                    loss = loss - p.token_bonus * np.array([self._surplus(i, k, int(j), l) for j in cols])
        margin = cos - 0.5 * (self.hub_a[(k, l)][i] + self.hub_b[(k, l)][cols])
        # Gale-Church: length difference in standard deviations, variance growing with length
        la, lb = a.lengths[k][i] * self.ratio, b.lengths[l][cols] * self.ratio_b
        length = (lb - la) ** 2 / (la + lb + 2.0)
        anchors_a = a.anchors[k][i]
        dot = b.anchors[l][cols] @ anchors_a
        norm = float(anchors_a @ anchors_a) + self.b_anchor_sq[l][cols]
        disagree = np.where(norm > 0, 1.0 - 2.0 * dot / np.maximum(norm, 1e-9), 0.0)
        # numbers on one side only are weaker evidence than numbers that differ: one
        # version often numbers its paragraphs or spells a number out
        one_sided = (float(anchors_a @ anchors_a) == 0) != (self.b_anchor_sq[l][cols] == 0)
        disagree = np.where(one_sided, p.anchor_one_sided * disagree, disagree)
        return p.margin_offset - margin + p.length_weight * length + p.anchor_weight * disagree + loss

    def __call__(self, i: int, k: int, l: int, cols: np.ndarray) -> np.ndarray:
        key = (i, k, l)
        if self._earlier is not None and key not in self._changed:
            cols_before, before = self._earlier.get(key, (None, None))
            if cols_before is not None and np.array_equal(cols_before, cols):
                return before
        out = (k + l) / 2 * self.per_sentence(i, k, l, cols) + self.p.merge_cost * (k + l - 2)
        if self._rows is not None:
            self._rows[key] = (cols, out)
        return out

    def keep_rows(self) -> "_Costs":
        """Remember every cost row computed from now on (for ``with_windows``)."""
        self._rows = {}
        return self

    def with_windows(self, windows: dict) -> "_Costs":
        """The same costs with edge-window gains added; rows that no window touches
        are taken from this object's kept rows instead of being computed again."""
        new = copy.copy(self)
        new.windows, new._shortfalls = windows, {}  # surpluses do not depend on windows
        new._earlier, new._rows = self._rows, None
        new._changed = {(i, k, l) for i, k, _, l in windows}
        return new


def _coverage_gains(best: list[np.ndarray]) -> list[float]:
    """How much each member of a merged run adds to the coverage of the other side's
    tokens: the mean, over those tokens, of their best cosine with a member token.

    ``best[o][u, t]``: best cosine of token t of the other side's sentence o among
    the tokens of member u. Returns one gain per member (none for a single member).
    """
    members = best[0].shape[0]
    if members < 2:
        return []
    total = sum(b.shape[1] for b in best)
    full = sum(float(b.max(axis=0).sum()) for b in best)
    return [
        (full - sum(float(np.delete(b, u, axis=0).max(axis=0).sum()) for b in best)) / total for u in range(members)
    ]


def _path_points(beads: list[tuple[int, int, int, int]], scale: int, n: int, m: int) -> list[tuple[int, int]]:
    pts = [(0, 0)]
    for i, k, j, l in beads:
        pts.append((min((i + k) * scale, n), min((j + l) * scale, m)))
    return pts


def _solve(
    src: Side, tgt: Side, p: SentenceAlignParams, background: Background | None
) -> tuple[list[tuple[int, int, int, int]], _Costs]:
    n, m = len(src), len(tgt)
    if (n + 1) * (m + 1) <= p.full_grid_cells or min(n, m) < 4:
        band = banded.Band.full(n, m)
    else:
        coarse, _ = _solve(src.coarsen(), tgt.coarsen(), p, None)
        band = banded.Band.around(_path_points(coarse, 2, n, m), n, m, p.window)
    costs = _Costs(src, tgt, band, p, _beads(p), background=background)
    return banded.align(n, m, band, costs, costs.skips(), _beads(p)), costs


def _beads(p: SentenceAlignParams) -> tuple[tuple[int, int], ...]:
    return banded.bead_types(p.max_run, p.max_bead)


def _join_run(texts: list[str]) -> str:
    out = ""
    for t in texts:
        out += ("" if not out or not t or (is_cjk(out[-1]) and is_cjk(t[0])) else " ") + t
    return out


def _uncertain_runs(
    path, costs: _Costs, p: SentenceAlignParams, n: int, m: int, merges_only: bool = False
) -> tuple[set, set]:
    """(k, end) runs of 2..max_run sentences near beads the first pass is unsure of
    (merges, omissions, 1-1 beads of low quality; with ``merges_only``, not the latter)."""
    src_runs, tgt_runs = set(), set()
    for i, k, j, l in path:
        if (k, l) == (1, 1) and (merges_only or _quality(costs, i, 1, j, 1) >= p.refine_below):
            continue
        for runs, lo, hi, size in (
            (src_runs, i - p.refine_pad, i + k + p.refine_pad, n),
            (tgt_runs, j - p.refine_pad, j + l + p.refine_pad, m),
        ):
            lo, hi = max(lo, 0), min(hi, size)
            for length in range(2, p.max_run + 1):
                for end in range(lo + length, hi + 1):
                    runs.add((length, end))
    return src_runs, tgt_runs


def _merges_near(path: list[tuple[int, int, int, int]], max_run: int) -> set[tuple[int, int, int, int]]:
    """Merged beads (i, k, j, l) worth an edge-window check: the path's own merges, each
    omission added to a neighbouring match bead, and each merge's edge member moved
    to its neighbour (a heading glued to the sentence before it or after it)."""
    out = set()

    def add(i: int, k: int, j: int, l: int) -> None:
        if k and l and (k > 1 or l > 1) and k <= max_run and l <= max_run:
            out.add((i, k, j, l))

    for x, (i, k, j, l) in enumerate(path):
        before = path[x - 1] if x > 0 and path[x - 1][1] and path[x - 1][3] else None
        after = path[x + 1] if x + 1 < len(path) and path[x + 1][1] and path[x + 1][3] else None
        add(i, k, j, l)
        if not (k and l):  # an omission, absorbed by either neighbour
            if before:
                add(before[0], before[1] + k, before[2], before[3] + l)
            if after:
                add(i, k + after[1], j, l + after[3])
        elif k > 1 or l > 1:  # an edge member handed to either neighbour
            for dk, dl in ((1, 0), (0, 1)):
                if (k - dk) and (l - dl) and (dk and k > 1 or dl and l > 1):
                    if before:
                        add(before[0], before[1] + dk, before[2], before[3] + dl)
                        add(i + dk, k - dk, j + dl, l - dl)
                    if after:
                        add(i, k - dk, j, l - dl)
                        add(after[0] - dk, after[1] + dk, after[2] - dl, after[3] + dl)
    return out


def _edge_window_gains(
    path, src: Side, tgt: Side, p: SentenceAlignParams, ratio: float, encode: Callable[[list[str]], np.ndarray]
) -> dict:
    """{(i_end, k, j_end, l): {(side, member): gain}} for merges near the path, where a
    member's gain is its vector's cosine with its own-end window of the other run less
    that with the opposite-end window (windows.py); windows are encoded in one batch."""
    checks = []
    for i, k, j, l in sorted(_merges_near(path, p.max_run)):
        key = (i + k, k, j + l, l)
        for side, members, texts, other, other_texts, r in (
            (0, range(i, i + k), src.texts, range(j, j + l), tgt.texts, ratio),
            (1, range(j, j + l), tgt.texts, range(i, i + k), src.texts, 1.0 / ratio),
        ):
            other_run = _join_run([other_texts[y] for y in other])
            for member, own, opposite in edge_checks(members, texts, other_run, r * p.window_scale, p.window_max_share):
                checks.append((key, side, member, own, opposite))
    if not checks:
        return {}
    windows = sorted({w for c in checks for w in c[3:]})
    vectors = dict(zip(windows, encode(windows)))
    gains: dict = {}
    for key, side, member, own, opposite in checks:
        v = (src, tgt)[side].vectors[member]
        gains.setdefault(key, {})[(side, member)] = float(v @ vectors[own] - v @ vectors[opposite])
    return gains


def _pair_leftovers(
    path: list[tuple[int, int, int, int]], plausible: Callable[[int, int], bool] = lambda i, j: True
) -> list[tuple[int, int, int, int]]:
    """Join each 1-0 and 0-1 bead that together fill the gap between two match beads
    (or a text's edge) into one 1-1 bead, if ``plausible(i, j)`` says sentences i and j
    may translate each other. Larger gaps are left alone: which sentences would pair
    is not clear."""
    out: list[tuple[int, int, int, int]] = []
    x = 0
    while x < len(path):
        gap = path[x : x + 2]
        links = {(k, l) for _, k, _, l in gap}
        before_ok = x == 0 or (path[x - 1][1] and path[x - 1][3])
        after_ok = x + 2 >= len(path) or (path[x + 2][1] and path[x + 2][3])
        if len(gap) == 2 and links == {(1, 0), (0, 1)} and before_ok and after_ok and plausible(gap[0][0], gap[0][2]):
            out.append((gap[0][0], 1, gap[0][2], 1))  # both beads start at the gap's corner
            x += 2
        else:
            out.append(path[x])
            x += 1
    return out


def align_sides(
    src: Side,
    tgt: Side,
    params: SentenceAlignParams | None = None,
    encode: Callable[[list[str]], np.ndarray] | None = None,
    background: Background | None = None,
) -> list[Bead]:
    """The ladder for two sides; each match bead carries its quality (for calibration).

    With ``encode`` (texts -> vectors) and texts on both sides, a second pass encodes
    the merged runs near uncertain beads for real and aligns again near the path; if
    ``encode`` also has a ``tokens`` method (texts -> token vectors, as ``Embedder``
    has), merges near those beads get the token-coverage check.
    ``background``: statistics of the surrounding document, for problems too small
    to estimate their own (the sentences of one unit pair).
    """
    p = params or SentenceAlignParams()
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [Bead((i,), (), float("nan")) for i in range(n)] + [Bead((), (j,), float("nan")) for j in range(m)]
    path, costs = _solve(src, tgt, p, background)
    if encode is not None and p.refine and src.texts is not None and tgt.texts is not None and p.max_run > 1:
        src_runs, tgt_runs = _uncertain_runs(path, costs, p, n, m)
        if src_runs or tgt_runs:
            keys = sorted(src_runs) + sorted(tgt_runs)
            texts = [_join_run(src.texts[e - k : e]) for k, e in sorted(src_runs)] + [
                _join_run(tgt.texts[e - k : e]) for k, e in sorted(tgt_runs)
            ]
            vectors = encode(texts)
            encoded = (
                {key: vectors[x] for x, key in enumerate(keys[: len(src_runs)])},
                {key: vectors[len(src_runs) + x] for x, key in enumerate(keys[len(src_runs) :])},
            )
            tokens = ({}, {})
            token_fn = getattr(encode, "tokens", None)
            if (p.token_penalty or p.token_bonus) and token_fn is not None:
                # token vectors only where the first pass merged or left sentences out
                merge_a, merge_b = _uncertain_runs(path, costs, p, n, m, merges_only=True)
                near_a = sorted({x for k, e in merge_a for x in range(e - k, e)})
                near_b = sorted({y for l, e in merge_b for y in range(e - l, e)})
                found = token_fn([src.texts[x] for x in near_a] + [tgt.texts[y] for y in near_b])
                tokens = (dict(zip(near_a, found[: len(near_a)])), dict(zip(near_b, found[len(near_a) :])))
            band = banded.Band.around(_path_points(path, 1, n, m), n, m, p.window)
            costs = _Costs(src, tgt, band, p, _beads(p), encoded, background, tokens).keep_rows()
            path = banded.align(n, m, band, costs, costs.skips(), _beads(p))
            if (tokens[0] or tokens[1]) and p.window_max_share > 0:  # windows only relieve token penalties
                ratio = background.length_ratio if background else _median_ratio(src, tgt)
                windows = _edge_window_gains(path, src, tgt, p, ratio, encode)
                if windows:  # third pass: merges near the path judged by their edge windows
                    costs = costs.with_windows(windows)
                    path = banded.align(n, m, band, costs, costs.skips(), _beads(p))
    if p.pair_leftovers:  # the pair's cell ends both omissions: a point of the path, inside the band
        path = _pair_leftovers(path, lambda i, j: _quality(costs, i, 1, j, 1) >= p.leftover_min_quality)
    return [
        Bead(tuple(range(i, i + k)), tuple(range(j, j + l)), _quality(costs, i, k, j, l) if k and l else float("nan"))
        for i, k, j, l in path
    ]


def _quality(costs: _Costs, i: int, k: int, j: int, l: int) -> float:
    """A match bead's quality: minus its cost per sentence (higher is better)."""
    return -float(costs.per_sentence(i + k, k, l, np.array([j + l]))[0])
