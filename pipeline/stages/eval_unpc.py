"""bitext eval-unpc UNPC_DIR --out eval/unpc: build the evaluation set, align it, score it.

Builds the seeded UNPC-derived set (pipeline/evaluate/evalset.py) with a dev part
and a test part, aligns every task of both with the sentence aligner, fits the
score calibration on dev (written with --calibration: the file the align stage
reads), and reports strict P/R/F1 on test (metrics.json, a DVC metric) and on dev.
"""

from __future__ import annotations

from pathlib import Path

from .. import io
from ..align.calibration import Calibration
from ..embed.model import ALIGNER_TOKEN_MEMORY, Embedder
from ..evaluate import evalset
from ..evaluate.ladder import evaluate_dirs, format_bead, read_ladder
from .align_sentences import align_files, read_sentences

HELP = "build the UNPC-derived evaluation set, align it, fit score calibration, report F1"


def add_arguments(parser) -> None:
    parser.add_argument("unpc_dir", type=Path, help="folder with UNv1.0.devset.dev.{zh,en,ids}")
    parser.add_argument("--out", type=Path, required=True, help="output folder, e.g. eval/unpc")
    parser.add_argument(
        "--calibration",
        type=Path,
        default=None,
        help="also write the calibration fitted on the dev part here (JSON), e.g. "
        "configs/calibration.json (`make calibrate`); by default nothing is written",
    )


def run(args, params: dict) -> None:
    ep = evalset.EvalSetParams.from_params(params["evaluation"])
    summary = evalset.build(args.unpc_dir, args.out / "data", ep)
    embedder = Embedder(params["embedding"], keep_tokens=ALIGNER_TOKEN_MEMORY)
    uncalibrated = {**params, "sentence_align": {**params["sentence_align"], "calibration": None}}
    metrics, judged = {"sets": summary}, []
    for split in ("dev", "test"):
        data = args.out / "data" / split
        for gold_path in sorted((data / "gold").iterdir()):
            src, tgt = read_sentences(data / "zh" / gold_path.name), read_sentences(data / "en" / gold_path.name)
            beads = align_files(src, tgt, uncalibrated, embedder)
            gold = set(read_ladder(gold_path))
            if split == "dev":
                judged += [(b, (b.src, b.tgt) in gold) for b, _ in beads]
            out = args.out / "ladders" / split / gold_path.name
            with io.atomic_path(out) as tmp:
                tmp.write_text("".join(format_bead(b.src, b.tgt) + "\n" for b, _ in beads), encoding="utf-8")
        result = evaluate_dirs(args.out / "ladders" / split, data / "gold")
        result.pop("files")
        metrics[split] = result
    if args.calibration is not None:
        Calibration.fit(judged).save(
            args.calibration, {"fitted_on": "UNPC-derived evaluation set, dev part", "beads": len(judged)}
        )
    io.write_json(metrics, args.out / "metrics.json")
