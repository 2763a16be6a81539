"""bitext tmx aligned --out aligned/corpus.tmx: a TMX 1.4b translation memory.

TABLES_DIR is aligned/ (every document) or work/<DOC>/ (one document). One <tu> per
aligned pair at sentence or unit level (tmx.level in configs/params.yaml, or --level),
with <prop> x-symbol, x-item, x-kind and x-score, source language first (the document's
original language, else languages.default_source). Pairs with an empty side (1-0 / 0-1
omissions) are skipped: CAT tools reject a <tu> with one language; the header's <note>
gives the count.
"""

from __future__ import annotations

from pathlib import Path

HELP = "write a TMX 1.4b translation memory of the aligned pairs (for CAT tools)"


def add_arguments(parser) -> None:
    parser.add_argument("tables_dir", type=Path, help="aligned (all documents) or work/<DOC> (one document)")
    parser.add_argument("--out", type=Path, required=True, help="TMX file to write, e.g. aligned/corpus.tmx")
    parser.add_argument(
        "--level",
        choices=["sentence", "unit"],
        default=None,
        help="one <tu> per sentence pair or per unit pair (default: tmx.level in params)",
    )


def run(args, params: dict) -> None:
    from ..writers import PairModel, writer

    model = PairModel.read(args.tables_dir, params, with_tokens=False)
    stats = writer("tmx").write(model, args.out, params, level=args.level)
    print(
        f"{args.out}: {stats['written']} translation units ({stats['level']} level, srclang "
        f"{stats['srclang']}); skipped {stats['skipped']} pairs with an empty side"
    )
