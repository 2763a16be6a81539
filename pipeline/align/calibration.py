"""Calibrated bead scores: P(bead is right) from the aligner's raw bead quality.

Fitted on the dev part of the evaluation set by isotonic regression (pool adjacent
violators), separately for 1-1 beads and for merges (1-2, 2-1, ...); omissions get
the share of predicted omissions that were right. Stored as JSON breakpoints.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


def isotonic(x: np.ndarray, y: np.ndarray, bins: int = 40) -> tuple[list[float], list[float]]:
    """Non-decreasing fit of y on x, returned as (x, y) breakpoints for interpolation."""
    order = np.argsort(x, kind="stable")
    x, y = np.asarray(x, float)[order], np.asarray(y, float)[order]
    values, weights, xs = [], [], []
    for xi, yi in zip(x, y):
        values.append(yi)
        weights.append(1.0)
        xs.append([xi, xi])
        while len(values) > 1 and values[-2] > values[-1]:  # merge violators
            w = weights[-2] + weights[-1]
            values[-2] = (values[-2] * weights[-2] + values[-1] * weights[-1]) / w
            weights[-2] = w
            xs[-2][1] = xs[-1][1]
            values.pop(), weights.pop(), xs.pop()
    px = [(a + b) / 2 for a, b in xs]
    if len(px) > bins:  # keep the file small: sample the step function
        idx = np.linspace(0, len(px) - 1, bins).round().astype(int)
        px, values = [px[i] for i in idx], [values[i] for i in idx]
    return [round(v, 5) for v in px], [round(v, 5) for v in values]


@dataclass
class Calibration:
    curves: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    omission: float = 0.0

    @classmethod
    def load(cls, path: str | Path | None) -> "Calibration":
        if not path or not Path(path).is_file():
            return cls()  # uncalibrated: a logistic stand-in (see score)
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls({k: (v["x"], v["y"]) for k, v in data["curves"].items()}, data["omission"])

    def save(self, path: Path, extra: dict | None = None) -> None:
        from ..io import write_json

        write_json(
            {
                "curves": {k: {"x": x, "y": y} for k, (x, y) in sorted(self.curves.items())},
                "omission": round(self.omission, 5),
                **(extra or {}),
            },
            path,
        )

    @staticmethod
    def curve_of(bead) -> str:
        return "1-1" if (len(bead.src), len(bead.tgt)) == (1, 1) else "merge"

    def score(self, bead) -> float:
        if not (bead.src and bead.tgt):
            return self.omission
        curve = self.curves.get(self.curve_of(bead))
        if curve is None:
            return 1.0 / (1.0 + math.exp(-20.0 * bead.quality))
        return float(np.interp(bead.quality, curve[0], curve[1]))

    @classmethod
    def fit(cls, beads_with_truth: list[tuple[object, bool]]) -> "Calibration":
        curves = {}
        for name in ("1-1", "merge"):
            rows = [(b.quality, ok) for b, ok in beads_with_truth if b.src and b.tgt and cls.curve_of(b) == name]
            if rows:
                x, y = zip(*rows)
                curves[name] = isotonic(np.array(x), np.array(y, float))
        omitted = [ok for b, ok in beads_with_truth if not (b.src and b.tgt)]
        return cls(curves, float(np.mean(omitted)) if omitted else 0.0)
