"""An inverted-file (IVF) index over unit vectors: spherical k-means lists.

Large corpora cannot be scanned exactly within a query's time budget (a million pairs
are two million float16 vectors). The index groups the pairs of one level into
``nlist`` clusters of their pair vector (zh + en, renormalised); a query scores the
cluster centroids, keeps the best lists until about ``candidates`` pairs are covered,
and scores only those pairs, exactly, against their stored side vectors. Each row's
list is stored beside it (``rows.npz`` ``ivf_list``), so an index update assigns its
new rows to the nearest centroid without touching the others. Recall is
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


def pair_vectors(zh: np.ndarray, en: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """zh + en of the given rows, float32 (k-means normalises them)."""
    out = np.empty((len(rows), zh.shape[1]), dtype=np.float32)
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        out[start : start + len(part)] = np.asarray(zh[part], dtype=np.float32) + np.asarray(en[part], dtype=np.float32)
    return out


def build(pair_vectors: np.ndarray, nlist: int | None = None, seed: int = 0) -> dict[str, np.ndarray]:
    """centroids (nlist, dim) float32 and the list (label) of every row, int32."""
    n = len(pair_vectors)
    nlist = nlist or max(1, int(round(np.sqrt(n))))
    centroids = kmeans(pair_vectors, nlist, seed=seed)
    return {"centroids": centroids.astype(np.float32), "labels": assign(pair_vectors, centroids)}


def probe(
    centroids: np.ndarray, labels: np.ndarray, keep: np.ndarray, query: np.ndarray, candidates: int
) -> np.ndarray:
    """Rows (sorted) where ``keep`` holds, in the lists closest to the query, covering at
    least ``candidates`` such rows (all of them if there are fewer).

    ``labels`` is every row's list (-1 outside this level); lists are counted over the
    kept rows only, so filters and deleted rows never leave a probe short.
    """
    listed = keep & (labels >= 0)
    sizes = np.bincount(labels[listed], minlength=len(centroids))
    order = np.argsort(-(centroids @ query), kind="stable")
    covered = np.cumsum(sizes[order])
    k = min(int(np.searchsorted(covered, candidates)) + 1, len(order))
    chosen = np.zeros(len(centroids) + 1, dtype=bool)  # the extra slot is label -1
    chosen[order[:k]] = True
    return np.flatnonzero(listed & chosen[labels])
