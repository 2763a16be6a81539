"""Per-side features of sentences and of runs of consecutive sentences (overlaps).

Each sentence is encoded once; the vector of a run of k sentences is composed
from its members (length-weighted sum, renormalised) instead of encoding the
concatenation, which is what makes the aligner fast. Numbers and UN symbols are
hashed into small count vectors so that their agreement between two runs is a
dot product, computed for a whole band row at once.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from ..anchors import find_numbers, find_symbols

ANCHOR_DIM = 64


def anchor_bag(text: str) -> np.ndarray:
    """Hashed multiset of the numbers and symbols in ``text`` (same bag in every language)."""
    bag = np.zeros(ANCHOR_DIM, dtype=np.float32)
    for token in find_numbers(text) + find_symbols(text):
        bag[zlib.crc32(token.encode()) % ANCHOR_DIM] += 1
    return bag


@dataclass
class Side:
    """One side of an alignment problem: n sentences (or coarse blocks of them)."""

    vectors: np.ndarray  # (n, d), L2-normalised
    lengths: np.ndarray  # (n,), non-whitespace characters
    anchors: np.ndarray  # (n, ANCHOR_DIM)
    texts: list[str] | None = None  # kept at sentence level, for encoding merged runs for real

    @classmethod
    def from_texts(cls, texts: list[str], vectors: np.ndarray) -> "Side":
        lengths = np.array([sum(1 for ch in t if not ch.isspace()) for t in texts], dtype=np.float32)
        anchors = np.stack([anchor_bag(t) for t in texts]) if texts else np.zeros((0, ANCHOR_DIM), np.float32)
        return cls(np.asarray(vectors, dtype=np.float32), lengths, anchors, list(texts))

    @classmethod
    def pair(cls, src: list[str], tgt: list[str], encode) -> tuple["Side", "Side"]:
        """Both sides of a problem, their sentences encoded in one call of ``encode``."""
        vectors = encode(src + tgt)
        return cls.from_texts(src, vectors[: len(src)]), cls.from_texts(tgt, vectors[len(src) :])

    def __len__(self) -> int:
        return len(self.lengths)

    def coarsen(self) -> "Side":
        """Half the resolution: each pair of neighbours becomes one block."""
        n = len(self)
        idx = np.arange(0, n, 2)
        nxt = np.minimum(idx + 1, n - 1)
        odd = idx + 1 >= n  # a lone last element is not added twice
        w = self.lengths[:, None] + 1.0
        vec = self.vectors[idx] * w[idx] + np.where(odd[:, None], 0, self.vectors[nxt] * w[nxt])
        vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
        lengths = self.lengths[idx] + np.where(odd, 0, self.lengths[nxt])
        anchors = self.anchors[idx] + np.where(odd[:, None], 0, self.anchors[nxt])
        return Side(vec.astype(np.float32), lengths, anchors)


@dataclass
class Runs:
    """Features of every run of k = 1..max_run sentences, indexed by the run's end.

    ``vectors[k][e]`` is the run of sentences e-k .. e-1 (so e >= k); row 0..k-1 unused.
    """

    vectors: dict[int, np.ndarray]
    lengths: dict[int, np.ndarray]
    anchors: dict[int, np.ndarray]
    hubness: dict[int, np.ndarray]

    @classmethod
    def of(cls, side: Side, hubness: np.ndarray, max_run: int) -> "Runs":
        n, d = side.vectors.shape
        vectors, lengths, anchors, hub = {}, {}, {}, {}
        weighted = side.vectors * (side.lengths[:, None] + 1.0)
        for k in range(1, max_run + 1):
            v = np.zeros((n + 1, d), dtype=np.float32)
            ln = np.zeros(n + 1, dtype=np.float32)
            an = np.zeros((n + 1, ANCHOR_DIM), dtype=np.float32)
            hb = np.zeros(n + 1, dtype=np.float32)
            if n >= k:
                for t in range(k):  # add member t of each run ending at e = k..n
                    sl = slice(t, n - k + 1 + t)
                    v[k:] += weighted[sl] if k > 1 else side.vectors[sl]
                    ln[k:] += side.lengths[sl]
                    an[k:] += side.anchors[sl]
                    hb[k:] += hubness[sl] / k
                if k > 1:
                    v[k:] /= np.maximum(np.linalg.norm(v[k:], axis=1, keepdims=True), 1e-12)
            vectors[k], lengths[k], anchors[k], hub[k] = v, ln, an, hb
        return cls(vectors, lengths, anchors, hub)
