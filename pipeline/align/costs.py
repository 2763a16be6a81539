"""How well a run of source units matches a run of target units, in [0, 1].

Components, each in [0, 1] (``None`` when it has nothing to say):
- semantic: cosine of the runs' embeddings (a run's vector is the length-weighted
  sum of its units' vectors), mapped linearly from [sim_floor, sim_ceiling];
- length: ratio of the runs' lengths against the document's own zh/en ratio;
- numbers, symbols: multiset agreement of numbers and UN document symbols;
- structure: do the runs' first units carry the same structural number (paragraph
  12 = paragraph 12, footnote 3 = footnote 3)? 1 when they agree, 0 when they
  differ, 0.5 when only one side is numbered; unnumbered units agree when they lie in
  the same part (path), and say nothing otherwise.
The score is their weighted mean over the components present, less a penalty when
the runs' structural kinds differ and one when a run of several units crosses a
structural boundary (two kinds, or two numbered units). Structure is evidence like the others, never a
wall: a mis-numbered paragraph still pairs by content.
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
    label: str | None = None  # structural number with English numbering ('12.', '(a)', 'IV.')
    path: str | None = None  # structural path ('III.B.12', 'Annex'): evidence where neither has a label


@dataclass
class Components:
    semantic: float | None
    length: float | None
    numbers: float | None
    symbols: float | None
    structure: float | None
    score: float
    numbered: bool = False  # both runs open with a structural number (paragraph, item, footnote mark)


def structure_agreement(a: Unit, b: Unit) -> float | None:
    """1 when both carry the same number, 0 when their numbers differ, 0.5 when only one
    is numbered. Unnumbered units of one kind in the same part of the document (the
    same path: 'Annex', 'II.A', none for front matter) agree; otherwise they say
    nothing (numbering shifts after an omission)."""
    if a.label is None and b.label is None:
        return 1.0 if a.path == b.path and a.kind == b.kind else None
    if a.label is None or b.label is None:
        return 0.5
    return 1.0 if a.label == b.label else 0.0


def _crosses_boundary(run: list[Unit]) -> bool:
    """A run of units of different kinds, or with a numbered unit after its first, joins
    what the document keeps apart (a heading and its paragraph, paragraphs 4 and 5): the
    parts of a split paragraph continue it unnumbered."""
    return len(run) > 1 and (
        len({u.kind for u in run}) > 1 or any(u.label is not None for u in run[1:]) or run[0].kind == "heading"
    )  # consecutive headings are distinct headings


class Scorer:
    def __init__(self, src: list[Unit], tgt: list[Unit], params: dict, length_ratio: float):
        self.src, self.tgt = src, tgt
        self.weights = params["weights"]
        self.floor, self.ceiling = params["sim_floor"], params["sim_ceiling"]
        self.kind_penalty = params["kind_mismatch_penalty"]
        self.boundary_penalty = params["run_boundary_penalty"]
        self.gain_penalty, self.min_gain = params["merge_gain_penalty"], params["merge_min_gain"]
        self.gain_ramp = 0.02
        self.length_ratio = length_ratio  # expected tgt length / src length

    @staticmethod
    def _run_vector(units: list[Unit]) -> np.ndarray:
        if len(units) == 1:
            return units[0].vector
        v = sum(u.vector * max(u.length, 1) for u in units)
        return v / (np.linalg.norm(v) or 1.0)

    def _merge_shortfall(self, a: list[Unit], b: list[Unit], cos: float) -> float:
        """In [0, 1]: how far the merged run falls short of matching better than its best
        single member. A unit merged without a counterpart (an omission hidden in a merge)
        dilutes the run; a real split adds what the other side says."""
        members, other = (a, self._run_vector(b)) if len(a) > 1 else (b, self._run_vector(a))
        best = max(float(u.vector @ other) for u in members)
        return min(1.0, max(0.0, (self.min_gain - (cos - best)) / self.gain_ramp))

    def components(self, i: int, k: int, j: int, l: int) -> Components:
        a, b = self.src[i : i + k], self.tgt[j : j + l]
        cos = float(self._run_vector(a) @ self._run_vector(b))
        semantic = min(1.0, max(0.0, (cos - self.floor) / (self.ceiling - self.floor)))
        la, lb = sum(u.length for u in a), sum(u.length for u in b)
        expected = la * self.length_ratio
        length = min(lb, expected) / max(lb, expected) if min(lb, expected) > 0 else 0.0
        numbers = agreement([n for u in a for n in u.numbers], [n for u in b for n in u.numbers])
        symbols = agreement([s for u in a for s in u.symbols], [s for u in b for s in u.symbols])
        structure = structure_agreement(a[0], b[0])
        parts = {"semantic": semantic, "length": length, "numbers": numbers, "symbols": symbols, "structure": structure}
        present = {name: v for name, v in parts.items() if v is not None}
        total = sum(self.weights[name] for name in present)
        score = sum(self.weights[name] * v for name, v in present.items()) / total
        if {u.kind for u in a} != {u.kind for u in b}:
            score -= self.kind_penalty
        if _crosses_boundary(a) or _crosses_boundary(b):
            score -= self.boundary_penalty
        if len(a) > 1 or len(b) > 1:
            score -= self.gain_penalty * self._merge_shortfall(a, b, cos)
        return Components(
            semantic,
            length,
            numbers,
            symbols,
            structure,
            min(1.0, max(0.0, score)),
            numbered=a[0].label is not None and b[0].label is not None,
        )

    def __call__(self, i: int, k: int, j: int, l: int) -> float:
        return self.components(i, k, j, l).score

    def coarse_matrix(self) -> np.ndarray:
        """1-1 scores of every cell from the vectorisable components (semantic, structure,
        kind), for the coarse path that places the band."""
        a = np.stack([u.vector for u in self.src])
        b = np.stack([u.vector for u in self.tgt])
        sem = np.clip((a @ b.T - self.floor) / (self.ceiling - self.floor), 0.0, 1.0)
        struct = np.array([[structure_agreement(a, b) for b in self.tgt] for a in self.src], dtype=float)
        present = ~np.isnan(struct)
        w_sem, w_st = self.weights["semantic"], self.weights["structure"]
        score = np.where(present, (w_sem * sem + w_st * np.nan_to_num(struct)) / (w_sem + w_st), sem)
        ka = np.array([u.kind for u in self.src], dtype=object)[:, None]
        kb = np.array([u.kind for u in self.tgt], dtype=object)[None, :]
        return np.clip(score - self.kind_penalty * (ka != kb), 0.0, 1.0)
