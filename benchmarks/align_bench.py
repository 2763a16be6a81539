"""Sentence-aligner benchmark: quality, speed, scaling, against two baselines.

On the test part of the UNPC-derived evaluation set (built here from raw/unpc-dev
with the parameters of configs/params.yaml):
- F1 and wall time of our aligner, of a length-only Gale-Church aligner and of a plain
  1-1 cosine aligner (same embeddings, same dynamic program, 1-1/1-0/0-1 beads only);
- end-to-end throughput with a cold embedding cache (embedding included), and the
  split of time between embedding and alignment;
- scaling: alignment time and peak memory for 2,000 vs 20,000 sentences per side
  (the UNPC sentences repeated with fresh joins/drops; embeddings cached).

    .venv/bin/python benchmarks/align_bench.py [--skip-cold] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from pipeline.align import banded
from pipeline.align.overlaps import Side
from pipeline.align.sentence_aligner import SentenceAlignParams, align_sides
from pipeline.embed.model import ALIGNER_TOKEN_MEMORY, Embedder
from pipeline.evaluate import evalset
from pipeline.evaluate.ladder import read_ladder, score
from pipeline.params import load_params
from pipeline.stages.align_sentences import read_sentences

ROOT = Path(__file__).resolve().parents[1]

# Gale & Church (1993): bead priors and the variance of the length difference.
GC_PRIORS = {(1, 1): 0.89, (1, 0): 0.0099, (0, 1): 0.0099, (2, 1): 0.089, (1, 2): 0.089}
GC_S2 = 6.8


def gale_church(src: Side, tgt: Side) -> list[tuple[tuple, tuple]]:
    n, m = len(src), len(tgt)
    c = (float(tgt.lengths.sum()) + 1) / (float(src.lengths.sum()) + 1)
    cum_a = np.concatenate([[0.0], np.cumsum(src.lengths)])
    cum_b = np.concatenate([[0.0], np.cumsum(tgt.lengths)])

    def cost_row(i, k, l, cols):
        la = cum_a[i] - cum_a[i - k]
        lb = cum_b[cols] - cum_b[cols - l]
        mean = (la + lb / c) / 2
        delta = (lb - la * c) / np.sqrt(np.maximum(mean, 1.0) * GC_S2)
        return delta**2 / 2 - np.log(GC_PRIORS[(k, l)])

    beads = tuple(GC_PRIORS)
    path = banded.align(n, m, banded.Band.full(n, m), cost_row, -np.log(GC_PRIORS[(1, 0)]), beads)
    return [(tuple(range(i, i + k)), tuple(range(j, j + l))) for i, k, j, l in path]


def cosine_1to1(src: Side, tgt: Side, skip: float = 0.2) -> list[tuple[tuple, tuple]]:
    def cost_row(i, k, l, cols):
        return 1.0 - tgt.vectors[cols - 1] @ src.vectors[i - 1]

    path = banded.align(
        len(src), len(tgt), banded.Band.full(len(src), len(tgt)), cost_row, skip, ((1, 1), (1, 0), (0, 1))
    )
    return [(tuple(range(i, i + k)), tuple(range(j, j + l))) for i, k, j, l in path]


def _f1(results: list[tuple[list, list]]) -> dict:
    """Strict P/R/F1 over several tasks (beads tagged with their task so they never collide)."""

    def tag(t, beads):
        return [(tuple((t, i) for i in a), tuple((t, j) for j in b)) for a, b in beads]

    test = [bead for t, (pred, _) in enumerate(results) for bead in tag(t, pred)]
    gold = [bead for t, (_, g) in enumerate(results) for bead in tag(t, g)]
    r = score(test, gold)
    return {k: r[k] for k in ("precision", "recall", "f1")} | {"by_type": r["by_type"]}


def load_split(split_dir: Path):
    tasks = []
    for gold in sorted((split_dir / "gold").iterdir()):
        tasks.append(
            (
                read_sentences(split_dir / "zh" / gold.name),
                read_sentences(split_dir / "en" / gold.name),
                read_ladder(gold),
            )
        )
    return tasks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--params", type=Path, default=ROOT / "configs" / "params.yaml")
    parser.add_argument("--skip-cold", action="store_true", help="skip the cold-cache throughput run")
    parser.add_argument("--cold-only", action="store_true", help="only the cold-cache throughput run")
    parser.add_argument("--scaling", type=int, nargs=2, default=[2000, 20000], metavar=("SMALL", "LARGE"))
    parser.add_argument(
        "--draws",
        type=int,
        default=0,
        metavar="N",
        help="also align the test documents re-perturbed with N other seeds (how much one "
        "draw's F1 varies; the reported F1 stays that of the built set)",
    )
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    params = load_params(args.params)
    p = SentenceAlignParams.from_params(params["sentence_align"])
    ep = evalset.EvalSetParams.from_params(params["evaluation"])
    work = Path(tempfile.mkdtemp(prefix="align_bench_"))
    evalset.build(ROOT / "raw" / "unpc-dev", work / "set", ep)
    tasks = load_split(work / "set" / "test")
    n_sent = sum(len(a) + len(b) for a, b, _ in tasks)
    results: dict = {"test_sentences": n_sent, "test_tasks": len(tasks)}

    if not args.skip_cold:  # end to end, cold cache: every text (and refined run) encoded here
        cold = Embedder(
            {**params["embedding"], "cache_dir": str(work / "cold-cache")},
            progress=False,
            keep_tokens=ALIGNER_TOKEN_MEMORY,
        )
        t0 = time.perf_counter()
        embed_time = 0.0
        out = []
        for zh, en, gold in tasks:
            t1 = time.perf_counter()
            vec = cold(zh + en)
            embed_time += time.perf_counter() - t1
            timed = _TimedEncoder(cold)
            beads = align_sides(Side.from_texts(zh, vec[: len(zh)]), Side.from_texts(en, vec[len(zh) :]), p, timed)
            embed_time += timed.seconds
            out.append(([(b.src, b.tgt) for b in beads], gold))
        total = time.perf_counter() - t0
        results["ours_end_to_end"] = {
            "seconds": round(total, 2),
            "sentences_per_second": round(n_sent / total, 1),
            "embedding_seconds": round(embed_time, 2),
            "alignment_seconds": round(total - embed_time, 2),
            "alignment_share_of_embedding": round((total - embed_time) / embed_time, 4),
            "texts_encoded": cold.encoded,
            **_f1(out),
        }

    if args.cold_only:
        _report(results, args.out)
        return
    warm = Embedder(params["embedding"], progress=False)
    sides = []
    for zh, en, gold in tasks:
        sides.append((*Side.pair(zh, en, warm), gold))
    for name, fn in (
        ("ours", lambda a, b: [(x.src, x.tgt) for x in align_sides(a, b, p, warm)]),
        ("ours_no_refine", lambda a, b: [(x.src, x.tgt) for x in align_sides(a, b, p)]),
        ("gale_church", gale_church),
        ("cosine_1to1", cosine_1to1),
    ):
        t0 = time.perf_counter()
        out = [(fn(a, b), g) for a, b, g in sides]
        results[name] = {"alignment_seconds": round(time.perf_counter() - t0, 2), **_f1(out)}

    if args.draws:
        results["test_draws"] = other_draws(ep, p, warm, args.draws)
    results["scaling"] = scaling(params, p, warm, work, args.scaling)
    _report(results, args.out)


def other_draws(ep: evalset.EvalSetParams, p: SentenceAlignParams, embedder, n: int) -> dict:
    """F1 of our aligner on the test documents joined and dropped again with seeds
    seed+1 .. seed+n: the spread shows how much of a difference one draw can make."""
    f1s = []
    for tasks in evalset.redraw(evalset.read_unpc(ROOT / "raw" / "unpc-dev"), "test", ep, n):
        out = []
        for zh, en, ladder in tasks:
            beads = align_sides(*Side.pair(zh, en, embedder), p, embedder)
            out.append(([(b.src, b.tgt) for b in beads], [(tuple(a), tuple(b)) for a, b in ladder]))
        f1s.append(_f1(out)["f1"])
    return {
        "seeds": [ep.seed + d for d in range(1, n + 1)],
        "f1": f1s,
        "mean_f1": round(sum(f1s) / n, 5),
        "min_f1": min(f1s),
        "max_f1": max(f1s),
    }


def _report(results: dict, out: Path | None) -> None:
    text = json.dumps(results, indent=2, sort_keys=True)
    print(text)
    if out:
        out.write_text(text + "\n", encoding="utf-8")


class _TimedEncoder:
    def __init__(self, embedder):
        self.embedder, self.seconds = embedder, 0.0

    def _timed(self, fn, texts):
        t0 = time.perf_counter()
        try:
            return fn(texts)
        finally:
            self.seconds += time.perf_counter() - t0

    def __call__(self, texts):
        return self._timed(self.embedder, texts)

    def tokens(self, texts):  # the second pass's token vectors are encoder time too
        return self._timed(self.embedder.tokens, texts)


def scaling(params: dict, p: SentenceAlignParams, embedder, work: Path, sizes: list[int]) -> dict:
    """Alignment time per sentence (embeddings cached, no refinement) at two sizes."""
    out = {}
    docs = evalset.read_unpc(ROOT / "raw" / "unpc-dev")
    for size in sizes:
        zh_all, en_all, rng_seed = [], [], 0
        while len(zh_all) < size:
            rng_seed += 1
            rng = random.Random(rng_seed)
            for name in sorted(docs):
                zh, en, _ = evalset._perturb(docs[name], rng, evalset.EvalSetParams())
                zh_all += zh
                en_all += en
        zh_all, en_all = zh_all[:size], en_all[:size]
        vec = embedder(zh_all + en_all)
        a, b = Side.from_texts(zh_all, vec[:size]), Side.from_texts(en_all, vec[size:])
        t0 = time.perf_counter()
        align_sides(a, b, p)
        seconds = time.perf_counter() - t0
        out[str(size)] = {
            "sentences_per_side": size,
            "alignment_seconds": round(seconds, 2),
            "ms_per_sentence": round(1000 * seconds / size, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    small, large = (out[str(s)]["ms_per_sentence"] for s in sizes)
    out["cost_ratio_large_to_small"] = round(large / small, 3)
    return out


if __name__ == "__main__":
    main()
