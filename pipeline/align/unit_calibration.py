"""Calibrated unit-pair scores: a probability-like confidence from the scorer's components.

The raw score (costs.py) ranks candidate beads for the DP well but means little in
absolute terms: a correct pair of short headings (附件 / Annex) scores ~0.3 because
short texts embed poorly, while a wrong pair of neighbouring paragraphs in the same
section can score 0.6. A logistic model over the components and the units' length
turns them into a probability. It is fitted on the development corpus
(``benchmarks/calibrate_units.py``: right 1-1 pairs from the gold, wrong ones the
neighbour shifts a structure error produces, the two classes weighted equally, each
document held out in turn for the reported separation) and stored as a small JSON file
(``align.unit_calibration``). It is a probability at even odds of right and wrong, not
at the pipeline's real error rate, and merges (1-2, 2-1) use the same model.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import PipelineError
from .costs import Components, Unit

FEATURES = (
    "bias",
    "semantic",
    "length",
    "numbers",
    "numbers_present",
    "symbols",
    "symbols_present",
    "structure",
    "structure_present",
    "same_kind",
    "short",
    "raw_score",
)


def features(comp: Components, a: list[Unit], b: list[Unit]) -> np.ndarray:
    """The model's inputs for one bead; absent components are 0 with their presence flag 0."""
    shortest = min(sum(u.length for u in a), sum(u.length for u in b))
    return np.array(
        [
            1.0,
            comp.semantic or 0.0,
            comp.length or 0.0,
            comp.numbers or 0.0,
            float(comp.numbers is not None),
            comp.symbols or 0.0,
            float(comp.symbols is not None),
            comp.structure or 0.0,
            float(comp.structure is not None),
            float({u.kind for u in a} == {u.kind for u in b}),
            1.0 / (1.0 + shortest / 20.0),
            comp.score,
        ]
    )


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50) -> np.ndarray:
    """Logistic regression by Newton's method with an L2 penalty (the bias unpenalised).

    The classes weigh the same in total: the share of wrong examples is an artefact of
    how many neighbours each right pair has, not a rate the pipeline produces."""
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0
    weight = np.where(y == 1, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1)) * len(y)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (weight * (p - y)) + penalty * w
        hess = (x * (weight * p * (1 - p))[:, None]).T @ x + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


@dataclass
class UnitCalibration:
    weights: np.ndarray | None = None  # None: uncalibrated (the raw score is returned)

    def probability(self, comp: Components, a: list[Unit], b: list[Unit]) -> float:
        if self.weights is None:
            return comp.score
        z = float(features(comp, a, b) @ self.weights)
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def load(cls, path: str | Path | None) -> "UnitCalibration":
        """The model at ``path``; uncalibrated when no path is set (a set path that is
        missing is an error, not a silent fallback to raw scores)."""
        if not path:
            return cls()
        if not Path(path).is_file():
            raise PipelineError(
                f"{path}: unit calibration not found (align.unit_calibration; run from the project "
                "root, re-create it with benchmarks/calibrate_units.py, or set it to null)"
            )
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(
                f"{path}: features {data['features']} are not this version's {list(FEATURES)}; "
                "re-run benchmarks/calibrate_units.py"
            )
        return cls(np.array(data["weights"], dtype=float))

    def to_json(self, report: dict) -> str:
        return (
            json.dumps(
                {"features": list(FEATURES), "weights": [round(float(w), 6) for w in self.weights], "report": report},
                indent=1,
                ensure_ascii=False,
            )
            + "\n"
        )
