"""Fit the unit-score calibration on the development corpus and report how well it
separates right pairs from wrong ones, each document held out in turn.

    PYTHONPATH=. .venv/bin/python benchmarks/calibrate_units.py [--out configs/unit_calibration.json]

Right pairs: the pipeline's unit pairs that match the document's gold (its 1-1 body
pairs). Wrong pairs: each right pair's source unit against the target unit next to its
partner, and the other way round: the neighbour shifts a structure error produces.
The pipeline runs on the text versions of tests/fixtures/doctypes/* and the bundled
document, uncalibrated. Writes the fitted model (with the held-out report inside) and
prints the report; benchmarks/results_unit_calibration.json keeps the last run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.align.costs import Scorer  # noqa: E402
from pipeline.align.document import _length_ratio, _stream, _unit  # noqa: E402
from pipeline.align.unit_calibration import UnitCalibration, features, fit  # noqa: E402
from pipeline.embed.cache import text_key  # noqa: E402
from pipeline.gold import match, read_gold  # noqa: E402
from pipeline.params import load_params  # noqa: E402
from pipeline.stages.align import _segments  # noqa: E402
from tests import devcorpus  # noqa: E402
from tests.conftest import run_pipeline, write_params  # noqa: E402


def _run(tmp: Path, model: Path) -> tuple[list[str], Path, Path]:
    raw, work = tmp / "raw", tmp / "work"
    folders = devcorpus.folders() + [ROOT / "raw" / "CTOC_COP_WG.2_2009_1"]
    docs = [f.name for f in folders]
    for f in folders:
        (raw / f.name).mkdir(parents=True)
        for name in ("zh.txt", "en.txt", "gold-units.tsv"):
            shutil.copy(f / name, raw / f.name / name)
    params = write_params(tmp / "params.yaml", model, **{"ingest.formats": ["txt"], "align.unit_calibration": None})
    run_pipeline(raw, docs, tmp, params)  # writes tmp/work/<DOC> (and corpus tables we do not read)
    return docs, raw, work


def _examples(doc: str, raw: Path, work: Path, params: dict) -> tuple[list[np.ndarray], list[int], list[float]]:
    """(features, labels, raw scores) of one document's right and wrong 1-1 body pairs."""
    seg = pd.read_parquet(work / doc / "segments.parquet")
    emb = pd.read_parquet(work / doc / "embeddings.parquet")
    by_key = dict(zip(emb.text_sha1, (np.asarray(v, np.float32) for v in emb.vector)))
    vectors = {t: by_key[text_key(t)] for t in seg.text if text_key(t) in by_key}
    zh = [s for s in _segments(seg, "zh") if s.alignable and _stream(s) == "body"]
    en = [s for s in _segments(seg, "en") if s.alignable and _stream(s) == "body"]
    uz, ue = [_unit(s, vectors) for s in zh], [_unit(s, vectors) for s in en]
    scorer = Scorer(uz, ue, params["align"], _length_ratio(uz, ue))
    pairs = pd.read_parquet(work / doc / "alignments.parquet").to_dict("records")
    wrong_ids = set(match(read_gold(raw / doc / "gold-units.tsv"), pairs)["pairs_not_in_gold"])
    iz = {s.seg_id: i for i, s in enumerate(zh)}
    ie = {s.seg_id: j for j, s in enumerate(en)}
    right = [
        (iz[p["zh_seg_ids"][0]], ie[p["en_seg_ids"][0]])
        for p in pairs
        if p["link"] == "1-1"
        and p["pair_id"] not in wrong_ids
        and p["zh_seg_ids"][0] in iz
        and p["en_seg_ids"][0] in ie
    ]
    right_set = set(right)
    cells = [(c, 1) for c in right]
    for i, j in right:
        for c in ((i, j + 1), (i, j - 1), (i + 1, j), (i - 1, j)):
            if 0 <= c[0] < len(zh) and 0 <= c[1] < len(en) and c not in right_set:
                cells.append((c, 0))
    x, y, raw_scores = [], [], []
    for (i, j), label in cells:
        comp = scorer.components(i, 1, j, 1)
        x.append(features(comp, [uz[i]], [ue[j]]))
        y.append(label)
        raw_scores.append(comp.score)
    return x, y, raw_scores


def _auc(y: np.ndarray, s: np.ndarray) -> float:
    pos, neg = s[y == 1], s[y == 0]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def _flags(y: np.ndarray, s: np.ndarray, threshold: float) -> dict:
    flagged = s < threshold
    return {
        "right_pairs_flagged": round(float(flagged[y == 1].mean()), 4),
        "wrong_pairs_flagged": round(float(flagged[y == 0].mean()), 4),
        "flag_precision": round(float((y[flagged] == 0).mean()), 4) if flagged.any() else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "configs" / "unit_calibration.json")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "multilingual-e5-small")
    args = parser.parse_args()
    params = load_params(ROOT / "configs" / "params.yaml")
    threshold = params["align"]["low_score"]
    with tempfile.TemporaryDirectory() as tmp:
        docs, raw, work = _run(Path(tmp), args.model.resolve())
        data = {doc: _examples(doc, raw, work, params) for doc in docs}
    held_p, held_raw, held_y, per_doc = [], [], [], {}
    for doc in docs:  # leave one document out
        train_x = np.array([f for d in docs if d != doc for f in data[d][0]])
        train_y = np.array([v for d in docs if d != doc for v in data[d][1]], dtype=float)
        w = fit(train_x, train_y)
        x, y = np.array(data[doc][0]), np.array(data[doc][1])
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        held_p += list(p)
        held_raw += data[doc][2]
        held_y += list(y)
        per_doc[doc] = {
            "right": int(y.sum()),
            "wrong": int((1 - y).sum()),
            "calibrated": _flags(y, p, threshold),
            "raw": _flags(y, np.array(data[doc][2]), threshold),
        }
    y, p, r = np.array(held_y), np.array(held_p), np.array(held_raw)
    report = {
        "command": "PYTHONPATH=. .venv/bin/python benchmarks/calibrate_units.py",
        "documents": len(docs),
        "right_pairs": int(y.sum()),
        "wrong_pairs": int((1 - y).sum()),
        "threshold": threshold,
        "held_out": {
            "auc_calibrated": round(_auc(y, p), 4),
            "auc_raw_score": round(_auc(y, r), 4),
            "calibrated": _flags(y, p, threshold),
            "raw_score": _flags(y, r, threshold),
        },
        "per_document": per_doc,
    }
    all_x = np.array([f for d in docs for f in data[d][0]])
    all_y = np.array([v for d in docs for v in data[d][1]], dtype=float)
    args.out.write_text(UnitCalibration(fit(all_x, all_y)).to_json(report), encoding="utf-8")
    (ROOT / "benchmarks" / "results_unit_calibration.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "per_document"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
