"""Translation spotting (pipeline/search/spotting.py) against marked spans (issue 20).

tests/fixtures/workbench/term_pairs.tsv lists English/Chinese term pairs chosen by
hand. A gold span is the Chinese (or English) rendering in a sentence pair of the
development documents where each side holds its term exactly once; up to
``--per-term`` pairs per term and direction. The spotter is given the term's span on
one side and predicts a span on the other. Reported: exact-match rate and
character-level precision and recall (micro-averaged), per direction.

    .venv/bin/python benchmarks/spotting_bench.py /tmp/dev/index-after --params /tmp/dev/params.yaml

``--stored`` spots from the word links stored in the index, as the workbench does.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PAIRS = ROOT / "tests" / "fixtures" / "workbench" / "term_pairs.tsv"


def gold_spans(index, per_term: int) -> list[dict]:
    from pipeline.search.engine import Filters
    from pipeline.search.terms import compile_term

    with open(PAIRS, encoding="utf-8", newline="") as f:
        terms = [(r["en"], r["zh"]) for r in csv.DictReader(f, delimiter="\t")]
    out = []
    for en, zh in terms:
        t = {"en": compile_term(en, "en"), "zh": compile_term(zh, "zh")}
        for src in ("en", "zh"):
            tgt = "zh" if src == "en" else "en"
            hits, _ = index.keyword(t[src], Filters(level="sentence"), limit=200)
            taken = 0
            for h in hits:
                s_spans, g_spans = t[src].spans(h[f"{src}_text"]), t[tgt].spans(h[f"{tgt}_text"])
                if len(s_spans) == 1 and len(g_spans) == 1:
                    out.append(
                        {
                            "pair_id": h["pair_id"],
                            "src": src,
                            "term": en if src == "en" else zh,
                            "src_text": h[f"{src}_text"],
                            "term_span": s_spans[0],
                            "tgt_text": h[f"{tgt}_text"],
                            "gold": g_spans[0],
                        }
                    )
                    taken += 1
                    if taken == per_term:
                        break
    return out


def stored_links(index, items: list[dict], made: dict) -> list:
    """Each item's word links as stored in the index (None: none stored for its texts)."""
    from pipeline.search.word_links import WordLinks

    if index.meta.get("word_links") != made:
        raise SystemExit(f"the index's word links were made with {index.meta.get('word_links')}, not {made}")
    found = index.word_links([i["pair_id"] for i in items])
    out = []
    for i in items:
        zh, en, data = found.get(i["pair_id"], (None, None, None))
        texts = (i["src_text"], i["tgt_text"]) if i["src"] == "zh" else (i["tgt_text"], i["src_text"])
        out.append(WordLinks.from_bytes(data) if data is not None and (zh, en) == texts else None)
    return out


def score(items: list[dict], predictions: list[list]) -> dict:
    exact = overlap = predicted = gold = found = 0
    for item, pred in zip(items, predictions):
        ga, gb = item["gold"]
        gold += gb - ga
        if pred:
            found += 1
            pa, pb = pred[0]
            predicted += pb - pa
            overlap += max(0, min(gb, pb) - max(ga, pa))
            exact += (pa, pb) == (ga, gb)
    n = len(items)
    return {
        "spans": n,
        "spotted": round(found / n, 3),
        "exact_match": round(exact / n, 3),
        "char_precision": round(overlap / max(1, predicted), 3),
        "char_recall": round(overlap / max(1, gold), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", type=Path)
    parser.add_argument("--params", type=Path, default=ROOT / "configs" / "params.yaml")
    parser.add_argument("--per-term", type=int, default=3)
    parser.add_argument("--layers", default="8", help="comma-separated hidden layers to compare (default 8)")
    parser.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="spotting settings for this run (e.g. reuse_after=0 int8=true); YAML values",
    )
    parser.add_argument(
        "--stored",
        action="store_true",
        help="spot from the word links stored in the index (as the workbench does) instead of encoding the pairs",
    )
    parser.add_argument("--report", type=Path, default=None)
    parser.add_argument("--predictions", action="store_true", help="list every predicted span in the report")
    args = parser.parse_args(argv)
    from pipeline.params import load_params
    from pipeline.search.embedder import QueryEncoder
    from pipeline.search.engine import SearchIndex
    from pipeline.search.spotting import Spotter, SpottingSettings
    from pipeline.search.word_links import made_with

    params = load_params(args.params)
    index = SearchIndex(args.index)
    items = gold_spans(index, args.per_term)
    model = QueryEncoder(params, index.meta).model
    report = {"terms_file": str(PAIRS.relative_to(ROOT)), "per_term": args.per_term, "results": {}}
    base = {**(params.get("spotting") or {}), **{k: yaml.safe_load(v) for k, v in (a.split("=", 1) for a in args.set)}}
    report["settings"] = base
    for layer in [int(x) for x in args.layers.split(",")]:
        spotter = Spotter(model, "query: ", SpottingSettings(**{**base, "layer": layer}))
        stored = stored_links(index, items, made_with(layer, "query: ")) if args.stored else None
        encoded = []
        spotter._encode = lambda texts, f=spotter._encode: encoded.extend(texts) or f(texts)
        start = time.perf_counter()
        preds = spotter.spot_many(
            [(i["src_text"], [i["term_span"]], i["tgt_text"], "zh" if i["src"] == "en" else "en") for i in items],
            stored,
        )
        res = {
            "stored_links": sum(x is not None for x in stored) if stored else 0,
            "all": score(items, preds),
            "seconds": round(time.perf_counter() - start, 2),
            "texts_encoded": len(encoded),
        }
        for src in ("en", "zh"):
            sel = [k for k, i in enumerate(items) if i["src"] == src]
            res[f"{src}->{'zh' if src == 'en' else 'en'}"] = score([items[k] for k in sel], [preds[k] for k in sel])
        report["results"][f"layer {layer}"] = res
        misses = [
            (i["term"], i["tgt_text"][slice(*i["gold"])], i["tgt_text"][slice(*p[0])] if p else None)
            for i, p in zip(items, preds)
            if not p or tuple(p[0]) != tuple(i["gold"])
        ]
        report["results"][f"layer {layer}"]["misses_sample"] = misses[:15]
        if args.predictions:
            report["results"][f"layer {layer}"]["predictions"] = [
                {"pair_id": i["pair_id"], "src": i["src"], "gold": list(i["gold"]), "predicted": [list(x) for x in p]}
                for i, p in zip(items, preds)
            ]
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
