"""An inverted-file (IVF) index over unit vectors: spherical k-means lists.

Large corpora cannot be scanned exactly within a query's time budget (a million pairs
are two million float16 vectors). The index groups the pairs of one level into
``nlist`` clusters of their pair vector (zh + en, renormalised); a query scores the
cluster centroids, keeps the best lists until about ``candidates`` pairs are covered,
and scores only those pairs, exactly, against their stored side vectors. Recall is
high but not guaranteed: ``exact=True`` (``bitext query --exact``) scans everything.
"""

from __future__ import annotations

import numpy as np

CHUNK = 65536


def _normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def assign(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of the closest centroid (largest dot product) of every row, chunked."""
    out = np.empty(len(vectors), dtype=np.int32)
    for start in range(0, len(vectors), CHUNK):
        block = np.asarray(vectors[start : start + CHUNK], dtype=np.float32)
        out[start : start + CHUNK] = np.argmax(block @ centroids.T, axis=1)
    return out


def kmeans(vectors: np.ndarray, nlist: int, iterations: int = 8, sample: int = 131072, seed: int = 0) -> np.ndarray:
    """Spherical k-means centroids (nlist, dim), trained on a sample of the rows."""
    rng = np.random.default_rng(seed)
    n = len(vectors)
    take = np.sort(rng.choice(n, size=min(n, sample), replace=False))
    train = _normalise(np.asarray(vectors[take], dtype=np.float32))
    centroids = train[rng.choice(len(train), size=nlist, replace=False)].copy()
    for _ in range(iterations):
        labels = assign(train, centroids)
        sums = np.zeros_like(centroids)
        np.add.at(sums, labels, train)
        counts = np.bincount(labels, minlength=nlist)
        empty = np.flatnonzero(counts == 0)
        if len(empty):  # re-seed empty lists with random training rows
            sums[empty] = train[rng.choice(len(train), size=len(empty), replace=False)]
        centroids = _normalise(sums)
    return centroids


def build(pair_vectors: np.ndarray, nlist: int | None = None, seed: int = 0) -> dict[str, np.ndarray]:
    """centroids (nlist, dim) float32, offsets (nlist + 1) and rows (n) int64 (0-based within the level)."""
    n = len(pair_vectors)
    nlist = nlist or max(1, int(round(np.sqrt(n))))
    centroids = kmeans(pair_vectors, nlist, seed=seed)
    labels = assign(pair_vectors, centroids)
    order = np.argsort(labels, kind="stable")
    offsets = np.zeros(nlist + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(np.bincount(labels, minlength=nlist))
    return {"centroids": centroids.astype(np.float32), "offsets": offsets, "rows": order.astype(np.int64)}


def probe(ivf: dict[str, np.ndarray], query: np.ndarray, candidates: int) -> np.ndarray:
    """Rows (within the level, sorted) of the best lists, covering at least ``candidates`` rows."""
    offsets = ivf["offsets"]
    scores = ivf["centroids"] @ query
    order = np.argsort(-scores)
    sizes = np.diff(offsets)[order]
    covered = np.cumsum(sizes)
    k = int(np.searchsorted(covered, candidates)) + 1
    lists = order[:k]
    rows = np.concatenate([ivf["rows"][offsets[i] : offsets[i + 1]] for i in lists]) if k else np.zeros(0, np.int64)
    return np.sort(rows)
