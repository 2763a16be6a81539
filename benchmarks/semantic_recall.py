"""Semantic search recall on hand-written paraphrases (issue 20): before/after the
retrieval prompts.

Each query (tests/fixtures/workbench/paraphrases.tsv: 12 English, 12 Chinese, written
for this measurement over the development documents) names its target unit by an
English phrase only that unit has. Unit-level search, both sides; recall@k = share of
queries whose target is among the first k results.

    .venv/bin/python benchmarks/devcorpus_index.py --out /tmp/dev --index /tmp/dev/index-before --passage-prompt none
    .venv/bin/python benchmarks/devcorpus_index.py --out /tmp/dev --index /tmp/dev/index-after
    .venv/bin/python benchmarks/semantic_recall.py /tmp/dev/index-before /tmp/dev/index-after --params /tmp/dev/params.yaml
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
QUERIES = ROOT / "tests" / "fixtures" / "workbench" / "paraphrases.tsv"


def read_queries(path: Path = QUERIES) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return [(r["query"], r["target_en_phrase"]) for r in csv.DictReader(f, delimiter="\t")]


def measure(index_dir: Path, params: dict, queries, model=None, ks=(1, 5, 10)) -> dict:
    from pipeline.search.embedder import QueryEncoder
    from pipeline.search.engine import Filters, SearchIndex

    index = SearchIndex(index_dir)
    enc = QueryEncoder(params, index.meta, model=model)
    ranks = []
    for text, phrase in queries:
        targets = index.keyword(phrase, Filters(level="unit"), limit=5)[0]
        if len(targets) != 1:
            raise SystemExit(f"{QUERIES}: phrase {phrase!r} names {len(targets)} units, not one")
        hits = index.semantic(enc.encode(text), Filters(level="unit"), limit=max(ks))
        ids = [h["pair_id"] for h in hits]
        ranks.append(ids.index(targets[0]["pair_id"]) + 1 if targets[0]["pair_id"] in ids else None)
    out = {"index": str(index_dir), "passage_prompt": index.meta.get("embedding_prompt"), "query_prompt": enc.prompt}
    for k in ks:
        out[f"recall@{k}"] = round(sum(r is not None and r <= k for r in ranks) / len(ranks), 3)
    zh = [r for (q, _), r in zip(queries, ranks) if any("\u4e00" <= c <= "\u9fff" for c in q)]
    en = [r for (q, _), r in zip(queries, ranks) if not any("\u4e00" <= c <= "\u9fff" for c in q)]
    out["recall@1_en_queries"] = round(sum(r == 1 for r in en) / max(1, len(en)), 3)
    out["recall@1_zh_queries"] = round(sum(r == 1 for r in zh) / max(1, len(zh)), 3)
    out["ranks"] = ranks
    return out, enc.model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("indexes", type=Path, nargs="+")
    parser.add_argument("--params", type=Path, default=ROOT / "configs" / "params.yaml")
    parser.add_argument("--report", type=Path, default=None)
    args = parser.parse_args(argv)
    from pipeline.params import load_params

    params = load_params(args.params)
    queries = read_queries()
    results, model = [], None
    for folder in args.indexes:
        res, model = measure(folder, params, queries, model)
        results.append(res)
    text = json.dumps({"queries": len(queries), "results": results}, indent=2, ensure_ascii=False)
    print(text)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
