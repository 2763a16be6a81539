"""Scale benchmark of the search index: build an index of >= 1,000,000 pairs, time queries.

The pairs are made from the UNPC development set (3,033 zh/en sentence pairs): each
synthetic pair is one UNPC pair with its numbers replaced (both sides alike) or two
UNPC pairs joined, spread over synthetic documents, agenda items and kinds. Chinese
tokens come from jieba once per UNPC line (as the pipeline takes them from the
sentences table). Vectors: the real model encodes the 6,066 UNPC texts once; a
synthetic pair's side is its UNPC vector (or the length-weighted sum of two) plus a
little noise, so the vectors cluster like real ones (``--random-vectors``: plain
random unit vectors instead). Query vectors always come from the real model. Word links
(translation spotting in the workbench) are computed by the real spotter for the UNPC
pairs; a synthetic pair takes its UNPC pair's links, spans moved past the replaced
numbers (a joined pair: both pairs' links, none across them).

Reports build time, index size, latency percentiles of keyword queries (Chinese
and English terms, with and without filters) and semantic queries (query encoding +
search), the time to update the index for one edited document, and (``--detect-docs``)
the time to find which documents changed. Builds into a temporary folder that is removed at the end (``--keep``).

    .venv/bin/python benchmarks/query_bench.py                 # 1,000,000 pairs
    .venv/bin/python benchmarks/query_bench.py --pairs 50000   # a quick run
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.search.build import write_index  # noqa: E402
from pipeline.search.engine import Filters, SearchIndex  # noqa: E402

KINDS = ["paragraph"] * 14 + ["heading"] * 2 + ["list_item"] * 3 + ["table_row"]
FIXED_TERMS = [
    "技术援助",
    "technical assistance",
    "可持续发展",
    "sustainable development",
    "人权",
    "human rights",
    "安全理事会",
    "Security Council",
    "大会决议",
    "General Assembly resolution",
    "providers",
    "妇女",
    "会",
    "the",
    "of the",
    "秘书长的报告",
    "report of the Secretary-General",
    "气候变化",
]
SEMANTIC_QUERIES = [
    "How can donor countries coordinate their technical assistance better?",
    "Violence against indigenous women must be addressed with better statistics.",
    "The Security Council condemned the attacks on peacekeepers.",
    "Funding for climate change adaptation in developing countries",
    "The committee recommended that the State party strengthen its juvenile justice system.",
    "Maternal mortality remains high among rural women.",
    "The General Assembly decided to include the item in the provisional agenda of its next session.",
    "Refugees fleeing the conflict need humanitarian assistance and shelter.",
    "Member States were invited to submit their views to the Secretariat.",
    "The budget for peacekeeping operations was approved for the coming year.",
    "可持续发展目标的执行情况",
    "秘书长关于妇女地位的报告",
    "安全理事会对该区域的局势表示关切",
    "各国应加强打击跨国有组织犯罪的合作",
    "委员会建议缔约国采取措施消除对妇女的歧视",
]


def read_unpc(folder: Path) -> tuple[list[str], list[str]]:
    zh = (folder / "UNv1.0.devset.dev.zh").read_text(encoding="utf-8").splitlines()
    en = (folder / "UNv1.0.devset.dev.en").read_text(encoding="utf-8").splitlines()
    if len(zh) != len(en) or not zh:
        raise SystemExit(f"{folder}: zh and en files must have the same, non-zero number of lines")
    return zh, en


def base_vectors(zh: list[str], en: list[str], args, say) -> tuple[np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(args.seed)
    if args.random_vectors:
        v = rng.standard_normal((2 * len(zh), 384)).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        return v[: len(zh)], v[len(zh) :], 0.0
    import hashlib

    from pipeline.embed.model import encode

    key = hashlib.sha1("\n".join([args.model_spec, args.prompt, *zh, *en]).encode("utf-8")).hexdigest()[:16]
    cached = args.cache / f"unpc-{key}.npy" if args.cache else None
    if cached is not None and cached.is_file():
        vecs = np.load(cached)
        say(f"UNPC vectors from {cached}")
        return vecs[: len(zh)], vecs[len(zh) :], 0.0
    t0 = time.perf_counter()
    vecs = encode(args.model_obj, zh + en, args.prompt, 64, progress=False)
    took = time.perf_counter() - t0
    say(f"encoded {2 * len(zh)} UNPC texts with the real model in {took:.1f} s")
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        np.save(cached, vecs)
    return vecs[: len(zh)], vecs[len(zh) :], took


_NUMBER = re.compile(r"\d+")


def synthesize(
    zh: list[str], en: list[str], zv: np.ndarray, ev: np.ndarray, n: int, per_doc: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray, list]:
    from pipeline.search.terms import zh_tokens

    rng = np.random.default_rng(seed)
    tokens = [zh_tokens(t) for t in zh]
    base = len(zh)
    first = rng.integers(0, base, n)
    second = np.where(rng.random(n) < 0.4, rng.integers(0, base, n), -1)
    noise = 0.25 / np.sqrt(zv.shape[1])
    rows = {
        k: [] for k in ("pair_id", "unit_pair_id", "doc_id", "item", "kind", "score", "zh_text", "en_text", "zh_tokens")
    }
    zout = np.empty((n, zv.shape[1]), dtype=np.float32)
    eout = np.empty_like(zout)
    origins: list[tuple[int, int, dict | None]] = []  # (UNPC pair, joined pair or -1, numbers replaced)
    kinds = rng.choice(KINDS, n)
    scores = rng.uniform(0.3, 1.0, n).astype(np.float32)
    for i in range(n):
        j, k = int(first[i]), int(second[i])
        doc = i // per_doc
        if k < 0:  # one UNPC pair, its numbers changed on both sides alike
            found = sorted(set(_NUMBER.findall(en[j])) | set(_NUMBER.findall(zh[j])), key=len, reverse=True)
            mapping = {m: str(int(rng.integers(1, 10 ** len(m)))) for m in found}

            def swap(s: str) -> str:
                return _NUMBER.sub(lambda m: mapping.get(m.group(0), m.group(0)), s)

            zt, et, toks = swap(zh[j]), swap(en[j]), [swap(t) for t in tokens[j]]
            zvec, evec = zv[j], ev[j]
            origins.append((j, k, mapping))
        else:  # two UNPC pairs joined
            zt, et, toks = zh[j] + zh[k], en[j] + " " + en[k], tokens[j] + tokens[k]
            origins.append((j, k, None))
            zvec = len(zh[j]) * zv[j] + len(zh[k]) * zv[k]
            evec = len(en[j]) * ev[j] + len(en[k]) * ev[k]
        zout[i] = zvec / np.linalg.norm(zvec)
        eout[i] = evec / np.linalg.norm(evec)
        n_in_doc = i % per_doc
        rows["pair_id"].append(f"BENCH_{doc}:{n_in_doc}.0")
        rows["unit_pair_id"].append(f"BENCH_{doc}:{n_in_doc}")
        rows["doc_id"].append(f"BENCH_{doc}")
        rows["item"].append(str(1 + (n_in_doc * 9) // per_doc))
        rows["zh_text"].append(zt)
        rows["en_text"].append(et)
        rows["zh_tokens"].append(toks)
    zout += rng.normal(0, noise, zout.shape).astype(np.float32)
    eout += rng.normal(0, noise, eout.shape).astype(np.float32)
    zout /= np.linalg.norm(zout, axis=1, keepdims=True)
    eout /= np.linalg.norm(eout, axis=1, keepdims=True)
    frame = pd.DataFrame(
        {
            "level": "sentence",
            **{k: v for k, v in rows.items() if k not in ("kind", "score")},
            "kind": kinds,
            "score": scores,
            "link": "1-1",
            "zh_ids": [["zh-0000.0"]] * n,
            "en_ids": [["en-0000.0"]] * n,
        }
    )
    n_docs = (n + per_doc - 1) // per_doc
    docs = pd.DataFrame(
        {
            "doc_id": [f"BENCH_{d}" for d in range(n_docs)],
            "symbol": [f"BENCH/2026/{d}" for d in range(n_docs)],
            "original_lang": "en",
            "srclang": "en",
        }
    )
    return frame, docs, zout, eout, origins


def base_word_links(zh: list[str], en: list[str], params: dict, say) -> tuple[list, dict | None]:
    """The word links of every UNPC pair, made as ``bitext index`` makes them (through the
    same cache), and how they were made."""
    from pipeline.search.build import link_settings, with_word_links
    from pipeline.search.word_links import WordLinks

    t0 = time.perf_counter()
    pairs = pd.DataFrame({"level": "sentence", "zh_text": zh, "en_text": en})
    stored = with_word_links(pairs, params, say)["word_links"]
    say(f"word links of {len(zh)} UNPC pairs ({time.perf_counter() - t0:.0f} s)")
    return [WordLinks.from_bytes(b) if b else None for b in stored], link_settings(params)


def synthetic_word_links(origins: list, zh: list[str], en: list[str], base: list) -> list:
    """Each synthetic pair's links, made from its UNPC pairs' links: spans moved past the
    replaced numbers; a joined pair's links are its two pairs' (no link across them)."""
    from pipeline.search.word_links import Side, WordLinks

    def moved(text: str, mapping: dict, spans: np.ndarray) -> np.ndarray:
        found = [(m.start(), m.end(), len(mapping.get(m.group(0), m.group(0)))) for m in _NUMBER.finditer(text)]
        if not found:
            return spans
        old_start, old_end, new_len = (np.array(c) for c in zip(*found))
        shift = np.r_[0, np.cumsum(new_len - (old_end - old_start))]
        new_start = old_start + shift[:-1]
        pos = np.arange(len(text) + 1)
        ended = np.searchsorted(old_end, pos, side="right")  # numbers wholly before each position
        started = np.searchsorted(old_start, pos, side="left")  # numbers starting before it
        start_map = pos + shift[ended]
        end_map = start_map.copy()
        inside = started > ended  # strictly inside a number: its replacement's edges
        idx = started[inside] - 1
        start_map[inside] = new_start[idx]
        end_map[inside] = new_start[idx] + new_len[idx]
        return np.stack([start_map[spans[:, 0]], end_map[spans[:, 1]]], axis=1)

    def joined(first: Side, second: Side, text_shift: int, other_tokens: int) -> Side:
        return Side(
            np.r_[first.spans, second.spans + text_shift],
            np.r_[first.closest, second.closest + other_tokens],
            np.r_[first.sim, second.sim],
        )

    out = []
    for j, k, mapping in origins:
        a = base[j]
        if a is None or (k >= 0 and base[k] is None):
            out.append(None)
        elif k < 0:
            if not mapping:
                out.append(a.to_bytes())
                continue
            out.append(
                WordLinks(
                    Side(moved(zh[j], mapping, a.zh.spans), a.zh.closest, a.zh.sim),
                    Side(moved(en[j], mapping, a.en.spans), a.en.closest, a.en.sim),
                ).to_bytes()
            )
        else:  # text shifts: zh joined directly, en with a space; token indices shift by the first pair's
            b = base[k]
            zh_side = joined(a.zh, b.zh, len(zh[j]), len(a.en))
            out.append(WordLinks(zh_side, joined(a.en, b.en, len(en[j]) + 1, len(a.zh))).to_bytes())
    return out


def keyword_queries(zh: list[str], en: list[str], n_docs: int, count: int, seed: int) -> list[tuple[str, str, Filters]]:
    rng = np.random.default_rng(seed + 1)
    out = [("fixed", t, Filters()) for t in FIXED_TERMS]
    for _ in range(count):
        words = re.findall(r"[A-Za-z]{3,}", en[int(rng.integers(len(en)))])
        if len(words) >= 2:
            s = int(rng.integers(len(words) - 1))
            out.append(("en term", " ".join(words[s : s + 2]), Filters()))
        runs = [r for r in re.findall(r"[\u4e00-\u9fff]{2,}", zh[int(rng.integers(len(zh)))])]
        if runs:
            run = runs[int(rng.integers(len(runs)))]
            size = int(rng.integers(2, 5))
            s = int(rng.integers(max(1, len(run) - size + 1)))
            out.append(("zh term", run[s : s + size], Filters()))
    terms = [t for _, t, _ in out]
    for i in range(count // 2):
        term = terms[int(rng.integers(len(terms)))]
        doc = f"BENCH/2026/{int(rng.integers(n_docs))}"
        f = [
            Filters(docs=[doc]),
            Filters(kinds=["list_item"]),
            Filters(min_score=0.9),
            Filters(items=["3"], kinds=["paragraph"]),
        ][i % 4]
        out.append(("filtered", term, f))
    return out


def pick_update_docs(rows, zvec, evec, docs, count: int) -> list[tuple]:
    """(doc row, its pairs with one character changed, zh, en) of ``count`` documents spread
    over the corpus: what an update of one edited document appends."""
    picked = []
    for d in np.linspace(0, len(docs) - 1, count).astype(int) if count else []:
        doc = docs.iloc[[d]].assign(source=f"edited-{d}")
        take = np.flatnonzero(rows.doc_id.to_numpy() == doc.doc_id.iloc[0])
        pairs = rows.iloc[take].reset_index(drop=True)
        pairs.loc[0, "en_text"] = pairs.en_text[0].replace("e", "E", 1) + " quokkaupdate"
        picked.append((doc, pairs, zvec[take].copy(), evec[take].copy()))
    return picked


def time_updates(out: Path, picked: list[tuple], corpus_order: list[str], say) -> dict:
    """Seconds to update the index for one edited document (``incremental.apply_update``:
    delete its pairs, append the new ones), then to open the index and find the edit."""
    from pipeline.search.incremental import apply_update

    seconds, reopen = [], []
    for doc, pairs, zh, en in picked:
        t = time.perf_counter()
        meta = apply_update(out, pairs, doc, zh, en, [doc.doc_id.iloc[0]], corpus_order, "benchmark")
        seconds.append(round(time.perf_counter() - t, 3))
        t = time.perf_counter()
        index = SearchIndex(out)
        hits, _ = index.keyword("quokkaupdate", Filters(docs=[doc.doc_id.iloc[0]]))
        index.semantic(np.asarray(en[0], dtype=np.float32), limit=10)
        reopen.append(round(time.perf_counter() - t, 3))
        if not hits:
            raise SystemExit(f"update of {doc.doc_id.iloc[0]}: the edited pair is not found")
        say(f"update of {doc.doc_id.iloc[0]} ({len(pairs)} pairs): {seconds[-1]} s; reopen + 2 queries {reopen[-1]} s")
    return {
        "documents": len(picked),
        "pairs_per_document": len(picked[0][1]),
        "seconds": seconds,
        "reopen_and_query_seconds": reopen,
        "rows_after": meta["rows"],
        "dead_after": meta["dead"],
    }


def time_change_detection(n_docs: int, folder: Path, say) -> dict:
    """Seconds for ``bitext index`` to find what changed (list and hash every document's
    table files) over ``n_docs`` copies of the bundled document's tables."""
    from pipeline.corpus import store
    from pipeline.search.corpus import TABLE_NAMES
    from pipeline.search.incremental import document_files, document_sources

    src = ROOT / "aligned"
    doc = "CTOC_COP_WG.2_2009_1"
    files = {name: (store.doc_file(src, name, "zh-en", doc)).read_bytes() for name in TABLE_NAMES}
    for i in range(n_docs):
        for name, data in files.items():
            path = store.doc_file(folder, name, "zh-en", f"DOC_{i:06d}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    t = time.perf_counter()
    found = document_files(folder)
    listed = time.perf_counter() - t
    document_sources(found)
    total = time.perf_counter() - t
    size = sum(len(d) for d in files.values()) * n_docs
    say(f"change detection over {n_docs} documents ({size / 2**20:.0f} MiB): {total:.2f} s (listing {listed:.2f} s)")
    return {"documents": n_docs, "bytes": size, "seconds": round(total, 2), "listing_seconds": round(listed, 2)}


def percentiles(ms: list[float]) -> dict:
    a = np.array(ms)
    return {
        "n": len(a),
        "p50_ms": round(float(np.percentile(a, 50)), 2),
        "p95_ms": round(float(np.percentile(a, 95)), 2),
        "p99_ms": round(float(np.percentile(a, 99)), 2),
        "max_ms": round(float(a.max()), 2),
    }


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=1_000_000, help="synthetic pairs to index (default 1,000,000)")
    parser.add_argument("--per-doc", type=int, default=250, help="pairs per synthetic document (default 250)")
    default_unpc = Path("/work/shared/unpc-dev") if Path("/work/shared/unpc-dev").is_dir() else ROOT / "raw/unpc-dev"
    parser.add_argument("--unpc", type=Path, default=default_unpc, help=f"UNPC dev set folder (default {default_unpc})")
    parser.add_argument(
        "--params", type=Path, default=ROOT / "configs/params.yaml", help="parameters (embedding model, index section)"
    )
    parser.add_argument(
        "--random-vectors",
        action="store_true",
        help="random unit vectors for the corpus instead of real UNPC vectors plus noise",
    )
    parser.add_argument("--keyword-queries", type=int, default=150, help="sampled terms per language (default 150)")
    parser.add_argument(
        "--semantic-repeats", type=int, default=4, help="times each of the 15 semantic queries is run (default 4)"
    )
    parser.add_argument(
        "--exact-checks",
        type=int,
        default=5,
        help="semantic queries also run with an exact scan, to measure IVF recall (default 5)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "query_bench_cache",
        help="folder caching the UNPC vectors between runs (default: %(default)s)",
    )
    parser.add_argument(
        "--no-word-links",
        action="store_true",
        help="store no word links (the workbench then spots every translation with the encoder)",
    )
    parser.add_argument("--out", type=Path, default=None, help="build here instead of a temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the index folder")
    parser.add_argument("--report", type=Path, default=None, help="write the results as JSON here")
    parser.add_argument(
        "--update-docs", type=int, default=3, help="documents edited one at a time to time an index update (default 3)"
    )
    parser.add_argument(
        "--detect-docs",
        type=int,
        default=0,
        help="also time change detection over this many copies of the bundled document's tables "
        "(needs aligned/ from `dvc repro`; default 0: skip)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")

    def say(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from pipeline.params import load_params
    from pipeline.search.embedder import QueryEncoder

    params = load_params(args.params)
    for key in ("embedded_dir", "cache_dir"):  # relative to the project, wherever this runs from
        if params["embedding"].get(key) and not Path(params["embedding"][key]).is_absolute():
            params["embedding"][key] = str(ROOT / params["embedding"][key])
    report: dict = {"pairs": args.pairs, "cores": os.cpu_count(), "random_vectors": args.random_vectors}
    t0 = time.perf_counter()
    encoder = QueryEncoder(params)
    args.model_obj = encoder.model
    args.prompt = encoder.prompt
    args.model_spec = str(encoder.spec)
    report["model_load_s"] = round(time.perf_counter() - t0, 2)
    zh, en = read_unpc(args.unpc)
    zv, ev, enc_s = base_vectors(zh, en, args, say)
    report["unpc_encode_s"] = round(enc_s, 1)

    t0 = time.perf_counter()
    rows, docs, zvec, evec, origins = synthesize(zh, en, zv, ev, args.pairs, args.per_doc, args.seed)
    report["synthesize_s"] = round(time.perf_counter() - t0, 1)
    say(f"synthesized {len(rows)} pairs in {len(docs)} documents ({report['synthesize_s']} s)")
    links_made = None
    if not args.no_word_links:
        t0 = time.perf_counter()
        base, links_made = base_word_links(zh, en, params, say)
        rows["word_links"] = synthetic_word_links(origins, zh, en, base)
        report["word_links_s"] = round(time.perf_counter() - t0, 1)
        say(f"word links of {len(rows)} pairs from their UNPC pairs' ({report['word_links_s']} s)")

    tmp = Path(tempfile.mkdtemp(prefix="query_bench.")) if args.out is None else args.out
    try:
        out = tmp / "index"
        t0 = time.perf_counter()
        meta = write_index(
            out,
            rows,
            docs,
            zvec,
            evec,
            params,
            {
                "embedding_model": params["embedding"]["model"],
                "embedding_prompt": args.prompt,
                "word_links": links_made,
            },
            progress=say,
        )
        report["build_s"] = round(time.perf_counter() - t0, 1)
        sizes = {f.name: f.stat().st_size for f in out.iterdir()}
        report["index_bytes"] = folder_size(out)
        report["index_files_bytes"] = sizes
        report["ivf_levels"] = meta["ivf_levels"]
        say(f"built in {report['build_s']} s; index {report['index_bytes'] / 2**20:.0f} MiB")
        picked = pick_update_docs(rows, zvec, evec, docs, args.update_docs)
        del rows, zvec, evec, origins

        index = SearchIndex(out)
        queries = keyword_queries(zh, en, len(docs), args.keyword_queries, args.seed)
        for _, term, f in queries[:10]:  # warm the page cache as a long-running service would be
            index.keyword(term, f, limit=20)
        timings: dict[str, list[float]] = {}
        hits = []
        for category, term, f in queries:
            t = time.perf_counter()
            results, _ = index.keyword(term, f, limit=20)
            ms = 1000 * (time.perf_counter() - t)
            timings.setdefault(category, []).append(ms)
            timings.setdefault("all", []).append(ms)
            hits.append(len(results))
        report["keyword"] = {k: percentiles(v) for k, v in timings.items()}
        report["keyword"]["queries_with_results"] = int(sum(h > 0 for h in hits))
        slowest = sorted(zip(timings["all"], [t for _, t, _ in queries]), reverse=True)[:5]
        report["keyword"]["slowest"] = [[round(ms, 1), term] for ms, term in slowest]
        say(f"keyword: {report['keyword']['all']}")

        index.semantic(encoder.encode("warm up"), limit=10)
        enc, search, total = [], [], []
        for _ in range(args.semantic_repeats):
            for text in SEMANTIC_QUERIES:
                t = time.perf_counter()
                vec = encoder.encode(text)
                t1 = time.perf_counter()
                index.semantic(vec, limit=10)
                t2 = time.perf_counter()
                enc.append(1000 * (t1 - t))
                search.append(1000 * (t2 - t1))
                total.append(1000 * (t2 - t))
        report["semantic"] = {"encode": percentiles(enc), "search": percentiles(search), "total": percentiles(total)}
        # IVF against the exact scan. The synthetic corpus holds hundreds of near-copies of
        # each UNPC sentence, so two equally good top-10s often share few ids: the
        # similarity shortfall says how much worse the IVF's results are.
        overlap, top1, shortfall = [], [], []
        for text in SEMANTIC_QUERIES[: args.exact_checks]:
            vec = encoder.encode(text)
            approx = index.semantic(vec, limit=10)
            t = time.perf_counter()
            exact = index.semantic(vec, limit=10, exact=True)
            report.setdefault("exact_scan_ms", []).append(round(1000 * (time.perf_counter() - t), 1))
            overlap.append(len({r["pair_id"] for r in approx} & {r["pair_id"] for r in exact}) / 10)
            top1.append(abs(approx[0]["similarity"] - exact[0]["similarity"]) < 1e-3)
            shortfall.append(np.mean([r["similarity"] for r in exact]) - np.mean([r["similarity"] for r in approx]))
        if overlap:
            report["semantic"]["ivf_vs_exact"] = {
                "queries": len(overlap),
                "recall_at_10_ids": round(float(np.mean(overlap)), 3),
                "top1_same_similarity": round(float(np.mean(top1)), 3),
                "mean_top10_similarity_shortfall": round(float(np.mean(shortfall)), 4),
            }
        say(f"semantic: {report['semantic']}")
        if picked:
            report["update"] = time_updates(out, picked, list(docs.doc_id), say)
        if args.detect_docs:
            report["change_detection"] = time_change_detection(args.detect_docs, tmp / "detect", say)
    finally:
        if not args.keep and args.out is None:
            shutil.rmtree(tmp, ignore_errors=True)
        elif args.keep:
            say(f"kept {tmp}")
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
