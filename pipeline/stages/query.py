"""bitext query TERM: look up how a term was translated (a bilingual concordance).

A Chinese term (any CJK character) is looked for in the Chinese texts, as a substring
(whitespace ignored) and as a jieba token sequence (match_type word / substring); an
English term in the English texts, case-insensitively on word boundaries, with simple
inflection (provider ~ providers, need ~ needed; not assist ~ assistance). Each
matching pair is shown with the term highlighted and the aligned text beside it, in
corpus order.

With --semantic, TEXT is a sentence in either language: the pairs whose Chinese or
English side is closest in meaning come first (cross-lingual, so an English query
also finds pairs that only have a Chinese side). It loads the embedding model of
configs/params.yaml.

Searches aligned/index/, built by `bitext index` (a `dvc repro` stage).
"""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "look up a term in the aligned pairs (concordance) or search by meaning (--semantic)"
KINDS = (
    "meta",
    "title",
    "agenda_item",
    "heading",
    "paragraph",
    "doc_ref",
    "footnote",
    "list_item",
    "table_title",
    "table_row",
    "table_rule",
)
EPILOG = """\
examples:
  bitext query 技术援助
  bitext query "technical assistance" --level unit --item 3 --kind paragraph
  bitext query providers --doc CTOC/COP/WG.2/2009/1 --min-score 0.5 --format json
  bitext query --semantic "Donor countries should coordinate their aid" --limit 5

output (--format): table (readable at 80 columns; matches in «» when not a terminal),
json ({"query", "results", "truncated"}, keys sorted; each result has the fields
below), tsv (one header line, then one line per result, same fields in this order):
  rank, level, pair_id, unit_pair_id, doc_id, symbol, item, kind, link, score,
  similarity (semantic only), match_lang, match_type, match_spans, zh_text, en_text
"""


def _score(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value}")
    return x


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return n


def add_arguments(parser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.add_argument(
        "text",
        metavar="TERM",
        help="term to look up (Chinese or English), or with --semantic a sentence to search by meaning",
    )
    parser.add_argument("--semantic", action="store_true", help="search by meaning instead of by words")
    parser.add_argument(
        "--level",
        choices=["sentence", "unit"],
        default="sentence",
        help="search sentence pairs (default) or unit pairs (whole paragraphs, items, rows)",
    )
    parser.add_argument(
        "--doc",
        action="append",
        default=[],
        metavar="DOC",
        help="only this document (symbol or doc id); repeat for several",
    )
    parser.add_argument(
        "--item",
        action="append",
        default=[],
        metavar="ITEM",
        help="only this agenda item ('2' includes '2(a)'); repeat for several",
    )
    parser.add_argument(
        "--kind",
        action="append",
        default=[],
        choices=KINDS,
        metavar="KIND",
        help=f"only units of this kind; repeat for several ({', '.join(KINDS)})",
    )
    parser.add_argument(
        "--min-score",
        type=_score,
        default=None,
        metavar="X",
        help="only pairs aligned with a score of at least X (0-1)",
    )
    parser.add_argument(
        "--limit", type=_positive, default=None, metavar="N", help="at most N results (default: 20; 10 with --semantic)"
    )
    parser.add_argument("--format", choices=["table", "json", "tsv"], default="table", help="output format")
    parser.add_argument(
        "--lang",
        choices=["zh", "en"],
        default=None,
        help="side to look the term up in (default: zh if it has Chinese characters, else en)",
    )
    parser.add_argument(
        "--side",
        choices=["both", "zh", "en"],
        default="both",
        help="--semantic: compare with the Chinese side, the English side or either (default)",
    )
    parser.add_argument(
        "--exact",
        action="store_true",
        help="--semantic: scan every vector even in a large index (slower, never misses)",
    )
    parser.add_argument(
        "--index", type=Path, default=Path("aligned/index"), help="index folder (default: aligned/index)"
    )


def run(args, params: dict) -> None:
    from ..errors import PipelineError
    from ..search.engine import Filters, SearchIndex
    from ..search.render import emit
    from ..search.terms import is_chinese

    if not args.text.strip():
        raise PipelineError("empty query: give a term (or a sentence with --semantic)")
    if not args.semantic and (args.side != "both" or args.exact):
        raise PipelineError("--side and --exact apply to --semantic searches only")
    if args.semantic and args.lang:
        raise PipelineError("--lang applies to term searches; --semantic compares meaning across languages")
    index = SearchIndex(args.index)
    filters = Filters(level=args.level, docs=args.doc, items=args.item, kinds=args.kind, min_score=args.min_score)
    query = {
        "text": args.text,
        "mode": "semantic" if args.semantic else "keyword",
        "level": args.level,
        "filters": filters.describe(),
    }
    if args.semantic:
        from ..params import load_params
        from ..search.embedder import QueryEncoder

        index.check_not_empty()
        limit = args.limit or 10
        encoder = QueryEncoder(load_params(args.params), index.meta)
        index.threads = encoder.threads  # the vector scan follows the query's encoding
        vector = encoder.encode(args.text)
        results = index.semantic(vector, filters, limit=limit, side=args.side, exact=args.exact)
        truncated = False
        query.update(side=args.side, exact=args.exact)
    else:
        limit = args.limit or 20
        results, truncated = index.keyword(args.text, filters, limit=limit, lang=args.lang)
        query.update(lang=args.lang or ("zh" if is_chinese(args.text) else "en"))
    query["limit"] = limit
    emit(args.format, query, results, truncated)
