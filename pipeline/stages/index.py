"""bitext index aligned --work work/docs: the search index (SQLite FTS5 + vectors).

Writes aligned/index/ (pairs.sqlite with an FTS5 table over jieba-segmented Chinese,
character bigrams and English; vectors.zh.npy / vectors.en.npy, one row per pair;
rows.npz; ivf.npz). Vectors are composed from work/docs/<DOC>/embeddings.parquet, not
re-encoded. An existing index is updated for the documents that changed, were added
or were removed (pipeline/search/incremental.py); --rebuild builds it whole.
"""

from __future__ import annotations

import sys
from pathlib import Path

HELP = "build or update the search index (SQLite FTS5 + vectors) of the aligned tables"


def add_arguments(parser) -> None:
    parser.add_argument("aligned_dir", type=Path, help="folder of the corpus tables, e.g. aligned")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path("work/docs"),
        help="folder of per-document stage folders holding embeddings.parquet (default: work/docs)",
    )
    parser.add_argument("--out", type=Path, default=None, help="index folder to write (default: ALIGNED_DIR/index)")
    parser.add_argument(
        "--rebuild", action="store_true", help="build the whole index even when only some documents changed"
    )


def run(args, params: dict) -> None:
    from ..search.incremental import index_corpus

    out = args.out or args.aligned_dir / "index"
    meta = index_corpus(
        args.aligned_dir,
        args.work,
        out,
        params,
        progress=lambda msg: print(f"index: {msg}", file=sys.stderr),
        rebuild=args.rebuild,
    )
    levels = ", ".join(f"{n} {level}" for level, n in meta["level_pairs"].items())
    update = meta["update"]
    done = {"none": "up to date", "incremental": f"updated for {update['documents']} document(s)"}.get(
        update["mode"], "built whole"
    )
    print(f"index: {meta['pairs']} pairs ({levels}) from {meta['documents']} document(s) -> {out} ({done})")
