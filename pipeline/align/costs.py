"""How well a run of source units matches a run of target units, in [0, 1].

Components, each in [0, 1] (``None`` when it has nothing to say):
- semantic: cosine of the runs' embeddings (a run's vector is the length-weighted
  sum of its units' vectors), mapped linearly from [sim_floor, sim_ceiling];
- length: ratio of the runs' lengths against the document's own zh/en ratio;
- numbers, symbols: multiset agreement of numbers and UN document symbols.
The score is their weighted mean over the components present, less a penalty
when the runs' structural kinds differ.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..anchors import agreement


@dataclass(frozen=True)
class Unit:
    """What the scorer needs to know of a segment or sentence."""

    vector: np.ndarray
    length: int  # non-whitespace characters
    numbers: tuple[str, ...]
    symbols: tuple[str, ...]
    kind: str = ""


@dataclass
class Components:
    semantic: float | None
    length: float | None
    numbers: float | None
    symbols: float | None
    score: float


class Scorer:
    def __init__(self, src: list[Unit], tgt: list[Unit], params: dict, length_ratio: float):
        self.src, self.tgt = src, tgt
        self.weights = params["weights"]
        self.floor, self.ceiling = params["sim_floor"], params["sim_ceiling"]
        self.kind_penalty = params["kind_mismatch_penalty"]
        self.length_ratio = length_ratio  # expected tgt length / src length

    @staticmethod
    def _run_vector(units: list[Unit]) -> np.ndarray:
        if len(units) == 1:
            return units[0].vector
        v = sum(u.vector * max(u.length, 1) for u in units)
        return v / (np.linalg.norm(v) or 1.0)

    def components(self, i: int, k: int, j: int, l: int) -> Components:
        a, b = self.src[i:i + k], self.tgt[j:j + l]
        cos = float(self._run_vector(a) @ self._run_vector(b))
        semantic = min(1.0, max(0.0, (cos - self.floor) / (self.ceiling - self.floor)))
        la, lb = sum(u.length for u in a), sum(u.length for u in b)
        expected = la * self.length_ratio
        length = min(lb, expected) / max(lb, expected) if min(lb, expected) > 0 else 0.0
        numbers = agreement([n for u in a for n in u.numbers], [n for u in b for n in u.numbers])
        symbols = agreement([s for u in a for s in u.symbols], [s for u in b for s in u.symbols])
        parts = {"semantic": semantic, "length": length, "numbers": numbers, "symbols": symbols}
        present = {name: v for name, v in parts.items() if v is not None}
        total = sum(self.weights[name] for name in present)
        score = sum(self.weights[name] * v for name, v in present.items()) / total
        if {u.kind for u in a} != {u.kind for u in b}:
            score -= self.kind_penalty
        return Components(semantic, length, numbers, symbols, min(1.0, max(0.0, score)))

    def __call__(self, i: int, k: int, j: int, l: int) -> float:
        return self.components(i, k, j, l).score
