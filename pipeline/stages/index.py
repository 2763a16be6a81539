"""bitext index aligned --work work: the search index (SQLite FTS5 + vectors) and pairs.jsonl.

Writes aligned/index/ (pairs.sqlite with an FTS5 table over jieba-segmented Chinese,
character bigrams and English; vectors.zh.npy / vectors.en.npy, one row per pair;
rows.npz; ivf.npz) and aligned/pairs.jsonl (every pair at both levels, with all
metadata). Vectors are composed from work/docs/<DOC>/embeddings.parquet, not re-encoded.
"""

from __future__ import annotations

import sys
from pathlib import Path

HELP = "build the search index (SQLite FTS5 + vectors) and pairs.jsonl from the aligned tables"


def add_arguments(parser) -> None:
    parser.add_argument("aligned_dir", type=Path, help="folder of the exported tables, e.g. aligned")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path("work/docs"),
        help="folder of per-document stage folders holding embeddings.parquet (default: work/docs)",
    )
    parser.add_argument("--out", type=Path, default=None, help="index folder to write (default: ALIGNED_DIR/index)")
    parser.add_argument(
        "--jsonl", type=Path, default=None, help="JSON Lines export to write (default: ALIGNED_DIR/pairs.jsonl)"
    )


def run(args, params: dict) -> None:
    from ..writers import PairModel, writer

    out = args.out or args.aligned_dir / "index"
    jsonl = args.jsonl or args.aligned_dir / "pairs.jsonl"
    model = PairModel.read(args.aligned_dir, params)  # built once, written twice
    meta = writer("index").write(
        model, out, params, work=args.work, progress=lambda msg: print(f"index: {msg}", file=sys.stderr)
    )
    writer("jsonl").write(model, jsonl, params)
    levels = ", ".join(f"{hi - lo} {level}" for level, (lo, hi) in meta["levels"].items())
    print(
        f"index: {meta['pairs']} pairs ({levels}) from {meta['documents']} document(s) -> {out}; JSON Lines -> {jsonl}"
    )
