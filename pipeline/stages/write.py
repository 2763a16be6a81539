"""bitext write FORMAT TABLES_DIR --out PATH: the aligned pairs in any registered format.

The formats are the writers of pipeline/writers.py (parquet, jsonl, tmx, index, and
any a user registers); TABLES_DIR is aligned/ (every document) or work/<DOC>/ (one).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import PipelineError
from ..writers import WRITERS, PairModel, writer

HELP = "write the aligned pairs in a registered format (parquet, jsonl, tmx, index, ...)"


def add_arguments(parser) -> None:
    parser.add_argument("format", help="a registered format: " + ", ".join(sorted(WRITERS)))
    parser.add_argument("tables_dir", type=Path, help="aligned (all documents) or work/<DOC> (one document)")
    parser.add_argument("--out", type=Path, required=True, help="file or folder to write")
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an option of the writer, e.g. level=unit (tmx) or work=work (index); repeatable",
    )


def run(args, params: dict) -> None:
    if args.format not in WRITERS:
        raise PipelineError(f"{args.format}: unknown output format (registered: {', '.join(sorted(WRITERS))})")
    options = {}
    for option in args.option:
        key, sep, value = option.partition("=")
        if not sep:
            raise PipelineError(f"--option {option}: expected KEY=VALUE")
        options[key] = value
    stats = writer(args.format).write(PairModel.read(args.tables_dir, params), args.out, params, **options)
    print(f"{args.out}: {args.format}, " + ", ".join(f"{k} {v}" for k, v in stats.items() if not isinstance(v, dict)))
