"""Sentence-aligner benchmark: quality, speed, scaling, against two baselines.

On the test part of the UNPC-derived evaluation set (built here from raw/unpc-dev
with the parameters of configs/params.yaml):
- F1 and wall time of our aligner, of a length-only Gale-Church aligner and of a plain
  1-1 cosine aligner (same embeddings, same dynamic program, 1-1/1-0/0-1 beads only);
- end-to-end throughput with a cold embedding cache (model loading, every encode and the
  refinement passes included), and the split of time between embedding and alignment, for
  each encoder runtime given by ``--backends`` (``embedding.backend``), run after one
  another ``--rounds`` times (interleaved, so a noisy shared machine hits all alike);
- scaling: first-pass alignment only (no refinement encodes; embeddings from the cache)
  of the UNPC test sentences repeated with fresh joins/drops, 2,000 vs 20,000 sentences
  per side; each size runs in a child process of its own, whose peak RSS (ru_maxrss of
  that child: its whole high-water mark, Python and libraries included) is reported.

    PYTHONPATH=. .venv/bin/python benchmarks/align_bench.py [--skip-cold] [--backends torch onnx-int8]
        [--rounds 2] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
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
    parser.add_argument(
        "--backends", nargs="+", metavar="BACKEND", help="encoder runtimes for the cold run (default: the configured)"
    )
    parser.add_argument("--rounds", type=int, default=1, help="cold runs per backend, interleaved")
    parser.add_argument("--out", type=Path, help="also write the results as JSON here")
    parser.add_argument("--scaling-child", type=int, help=argparse.SUPPRESS)  # one size, in a child process
    args = parser.parse_args()
    params = load_params(args.params)
    if args.scaling_child:
        print(json.dumps(scaling_one(params, args.scaling_child)))
        return
    p = SentenceAlignParams.from_params(params["sentence_align"])
    ep = evalset.EvalSetParams.from_params(params["evaluation"])
    work = Path(tempfile.mkdtemp(prefix="align_bench_"))
    evalset.build(ROOT / "raw" / "unpc-dev", work / "set", ep)
    tasks = load_split(work / "set" / "test")
    n_sent = sum(len(a) + len(b) for a, b, _ in tasks)
    results: dict = {"test_sentences": n_sent, "test_tasks": len(tasks)}

    if not args.skip_cold:  # end to end, cold cache: every text (and refined run) encoded here
        backends = args.backends or [params["embedding"].get("backend", "torch")]
        runs = {b: [] for b in backends}
        for backend in backends:  # ONNX exports are made once, offline, before any timing
            Embedder({**params["embedding"], "backend": backend}, progress=False)._load()
        for r in range(args.rounds):
            for backend in backends:
                embedding = {**params["embedding"], "backend": backend, "cache_dir": str(work / f"cold-{backend}-{r}")}
                runs[backend].append(cold_run(tasks, embedding, p, n_sent))
                measured = {k: v for k, v in runs[backend][-1].items() if k != "by_type"}
                print(f"cold round {r + 1}, {backend}: {json.dumps(measured)}", file=sys.stderr, flush=True)
        for backend, measured in runs.items():
            best = max(measured, key=lambda m: m["sentences_per_second"])
            key = "ours_end_to_end" if backend == backends[0] else f"ours_end_to_end_{backend}"
            results[key] = {
                "backend": backend,
                "sentences_per_second_each_round": [m["sentences_per_second"] for m in measured],
                **best,
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
    results["scaling"] = scaling(args.params, warm, args.scaling)
    _report(results, args.out)


def cold_run(tasks, embedding: dict, p: SentenceAlignParams, n_sent: int) -> dict:
    """Align every task with an empty embedding cache; time and F1."""
    cold = Embedder(embedding, progress=False, keep_tokens=ALIGNER_TOKEN_MEMORY)
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
    return {
        "seconds": round(total, 2),
        "sentences_per_second": round(n_sent / total, 1),
        "embedding_seconds": round(embed_time, 2),
        "alignment_seconds": round(total - embed_time, 2),
        "alignment_share_of_embedding": round((total - embed_time) / embed_time, 4),
        "texts_encoded": cold.encoded,
        **_f1(out),
    }


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


def scaling(params_path: Path, embedder, sizes: list[int]) -> dict:
    """First-pass alignment time per sentence and the child's peak RSS at each size, each
    size in a child process of its own (its vectors encoded here first, so the child
    reads them from the cache)."""
    out = {
        "what": "first pass only (no refinement encodes), UNPC sentences repeated; peak_rss_mb: ru_maxrss of a child process running one size"
    }
    for size in sizes:
        zh_all, en_all = repeated_unpc(size)
        embedder(zh_all + en_all)
        child = subprocess.run(
            [sys.executable, __file__, "--params", str(params_path), "--scaling-child", str(size)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        out[str(size)] = json.loads(child.stdout.strip().splitlines()[-1])
    small, large = (out[str(s)]["ms_per_sentence"] for s in sizes)
    out["cost_ratio_large_to_small"] = round(large / small, 3)
    return out


def repeated_unpc(size: int) -> tuple[list[str], list[str]]:
    zh_all, en_all, rng_seed = [], [], 0
    docs = evalset.read_unpc(ROOT / "raw" / "unpc-dev")
    while len(zh_all) < size:
        rng_seed += 1
        rng = random.Random(rng_seed)
        for name in sorted(docs):
            zh, en, _ = evalset._perturb(docs[name], rng, evalset.EvalSetParams())
            zh_all += zh
            en_all += en
    return zh_all[:size], en_all[:size]


def scaling_one(params: dict, size: int) -> dict:
    p = SentenceAlignParams.from_params(params["sentence_align"])
    zh_all, en_all = repeated_unpc(size)
    vec = Embedder(params["embedding"], progress=False)(zh_all + en_all)
    a, b = Side.from_texts(zh_all, vec[:size]), Side.from_texts(en_all, vec[size:])
    t0 = time.perf_counter()
    align_sides(a, b, p)
    seconds = time.perf_counter() - t0
    return {
        "sentences_per_side": size,
        "alignment_seconds": round(seconds, 2),
        "ms_per_sentence": round(1000 * seconds / size, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    main()
