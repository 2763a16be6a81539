"""Keyword query latency, in process, on an existing index (e.g. the one
``benchmarks/query_bench.py --out DIR --keep`` built): the terms and filters query_bench
samples (387 with its default ``--keyword-queries 150``, here ``--terms``), timed in ``--passes`` passes after a 10-query warm-up (the first
pass shows a page cache that is still partly cold).

    .venv/bin/python benchmarks/keyword_latency.py /tmp/qb1m/index --report benchmarks/results_keyword_1m_links.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.query_bench import keyword_queries, percentiles, read_unpc  # noqa: E402
from pipeline.search.engine import SearchIndex  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", type=Path, help="index folder")
    default_unpc = Path("/work/shared/unpc-dev") if Path("/work/shared/unpc-dev").is_dir() else ROOT / "raw/unpc-dev"
    parser.add_argument("--unpc", type=Path, default=default_unpc, help=f"UNPC dev set folder (default {default_unpc})")
    parser.add_argument("--terms", type=int, default=150, help="sampled terms per language (default 150)")
    parser.add_argument("--passes", type=int, default=2, help="times the whole set is run (default 2)")
    parser.add_argument("--seed", type=int, default=2026, help="as query_bench's (default 2026)")
    parser.add_argument("--report", type=Path, default=None, help="write the results as JSON here")
    args = parser.parse_args(argv)
    zh, en = read_unpc(args.unpc)
    index = SearchIndex(args.index)
    queries = keyword_queries(zh, en, len(index.documents), args.terms, args.seed)
    for _, term, f in queries[:10]:
        index.keyword(term, f, limit=20)
    report = {"command": " ".join(["benchmarks/keyword_latency.py", *sys.argv[1:]]), "passes": []}
    for _ in range(args.passes):
        ms = []
        for _, term, f in queries:
            t = time.perf_counter()
            index.keyword(term, f, limit=20)
            ms.append(1000 * (time.perf_counter() - t))
        report["passes"].append(percentiles(ms))
        print(json.dumps(report["passes"][-1]))
    if args.report:
        args.report.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
