"""Sentence-aligner quality by genre: UN text (UNPC-derived set) and literary text (mac-dev).

Measures our aligner (``align_sides`` with the configured model and parameters, as in
``bitext align-sentences``) and two baselines written here, on each set separately:
- ``unpc-dev``: the dev part of the UNPC-derived evaluation set (eval/unpc/data/dev,
  built by ``dvc repro eval``); ``--test`` adds its test part (never tune on it);
- ``mac-dev``: 12 manually aligned Chinese-English literary chapters, read in place from
  ../shared/aligner-dev/mac-dev (skipped with a message when absent).
Baselines: Gale-Church (length-only DP, classic priors for 1-1/1-0/0-1/2-1/1-2/2-2) and
"1-1 cosine" (DP over 1-1/1-0/0-1 beads, cost 1 - cosine of the same embeddings,
skip cost COSINE_SKIP tuned on unpc-dev only, see ``--tune-cosine-skip``).
Strict F1 as in pipeline/evaluate/ladder.py (a bead counts only if exactly equal to a gold
bead, omissions included), overall, per document and per bead type; timings; and, for
our aligner, a breakdown of its errors. Results go to benchmarks/results_genres.json.

    cd /work/main && PYTHONPATH=. .venv/bin/python benchmarks/genres.py [--test]
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from scipy.special import log_ndtr

from pipeline.align import banded
from pipeline.align.overlaps import Side
from pipeline.align.sentence_aligner import SentenceAlignParams, align_sides
from pipeline.embed.model import ALIGNER_TOKEN_MEMORY, Embedder
from pipeline.evaluate.ladder import link_type, read_ladder, score
from pipeline.params import load_params
from pipeline.stages.align_sentences import read_sentences

ROOT = Path(__file__).resolve().parents[1]
UNPC = ROOT / "eval" / "unpc" / "data"
MAC_DEV = ROOT.parent / "shared" / "aligner-dev" / "mac-dev"
OUT = ROOT / "benchmarks" / "results_genres.json"

# Gale & Church (1993): prior probability of each bead type, variance per character.
GC_PRIORS = {(1, 1): 0.89, (1, 0): 0.0099, (0, 1): 0.0099, (2, 1): 0.089, (1, 2): 0.089, (2, 2): 0.011}
GC_VARIANCE = 6.8
# Skip cost of the 1-1 cosine baseline, per unaligned sentence: best strict F1 on unpc-dev
# over 0.05..0.30 in steps of 0.01 (`--tune-cosine-skip`): 0.10 gives 0.8390, 0.09 0.8296,
# 0.11 0.8382, 0.15 0.8252, 0.30 0.7680.
COSINE_SKIP = 0.10


@dataclass
class Doc:
    name: str
    src: list[str]
    tgt: list[str]
    gold: list[tuple[tuple[int, ...], tuple[int, ...]]]


def unpc_docs(split_dir: Path) -> list[Doc]:
    return [
        Doc(
            g.name, read_sentences(split_dir / "zh" / g.name), read_sentences(split_dir / "en" / g.name), read_ladder(g)
        )
        for g in sorted((split_dir / "gold").iterdir())
    ]


def mac_docs(folder: Path) -> list[Doc]:
    return [
        Doc(g.stem, read_sentences(folder / "src" / g.stem), read_sentences(folder / "tgt" / g.stem), read_ladder(g))
        for g in sorted((folder / "gold").glob("*.align"))
    ]


# --- baselines ---------------------------------------------------------------------


def monotone_dp(costs: dict[tuple[int, int], np.ndarray], insert_cost: np.ndarray) -> list:
    """Cheapest ladder. ``costs[(k, l)][i, j]``: bead of source i-k..i-1 and target
    j-l..j-1 (k >= 1), shape (n+1, m+1); ``insert_cost[j]``: target j left out (0-1)."""
    n, m = next(iter(costs.values())).shape[0] - 1, len(insert_cost)
    kinds = list(costs)
    total = np.full((n + 1, m + 1), np.inf)
    back = np.zeros((n + 1, m + 1), np.int8)  # index into kinds, or -1 for a 0-1 bead
    inserted = np.concatenate([[0.0], np.cumsum(insert_cost)])  # cost of skipping targets 0..j-1
    for i in range(n + 1):
        best, choice = np.full(m + 1, np.inf), np.zeros(m + 1, np.int8)
        if i == 0:
            best[0] = 0.0
        for b, (k, l) in enumerate(kinds):
            if i >= k:
                cand = np.full(m + 1, np.inf)
                cand[l:] = total[i - k, : m + 1 - l] + costs[(k, l)][i, l:]
                better = cand < best
                best[better], choice[better] = cand[better], b
        # 0-1 beads stay in the row: total[j] = min over j' <= j of best[j'] + skips j'..j-1
        shifted = best - inserted
        running = np.minimum.accumulate(shifted)
        from_left = shifted > running
        total[i] = np.where(from_left, running + inserted, best)
        back[i] = np.where(from_left, -1, choice)
    beads, i, j = [], n, m
    while i or j:
        if back[i, j] < 0:
            beads.append(((), (j - 1,)))
            j -= 1
        else:
            k, l = kinds[back[i, j]]
            beads.append((tuple(range(i - k, i)), tuple(range(j - l, j))))
            i, j = i - k, j - l
    return beads[::-1]


def gale_church(src: list[str], tgt: list[str]) -> list:
    """Length-based alignment. Target lengths are first divided by the document's
    target/source character ratio, so both count in source characters (the classic
    model has c = 1, and its variance does not fit an English/Chinese ratio of about 3:
    raw lengths give F1 0.664 on unpc-dev, rescaled ones 0.835)."""
    la, lb = np.array([len(s) for s in src], float), np.array([len(t) for t in tgt], float)
    lb *= (la.sum() + 1) / (lb.sum() + 1)
    cum_a, cum_b = np.concatenate([[0.0], np.cumsum(la)]), np.concatenate([[0.0], np.cumsum(lb)])

    def run_lengths(cum, k):  # length of the run of k sentences ending before each position
        out = np.full(len(cum), np.nan)
        out[k:] = cum[k:] - cum[: len(cum) - k]
        return out

    def cost(len_a, len_b, prior):
        delta = np.abs(len_b - len_a) / np.sqrt(np.maximum((len_a + len_b) / 2, 1e-9) * GC_VARIANCE)
        out = -np.log(prior) - (np.log(2) + log_ndtr(-delta))  # -log(prior * P(|delta| or more))
        return np.where(np.isnan(out), np.inf, out)

    costs = {
        (k, l): cost(run_lengths(cum_a, k)[:, None], run_lengths(cum_b, l)[None, :], prior)
        for (k, l), prior in GC_PRIORS.items()
        if k
    }
    return monotone_dp(costs, cost(np.zeros(len(lb)), lb, GC_PRIORS[(0, 1)]))


def cosine_1to1(a: Side, b: Side, skip: float = COSINE_SKIP) -> list:
    n, m = len(a), len(b)
    match = np.full((n + 1, m + 1), np.inf)
    match[1:, 1:] = 1.0 - a.vectors @ b.vectors.T
    return monotone_dp({(1, 1): match, (1, 0): np.full((n + 1, m + 1), skip)}, np.full(m, skip))


# --- scoring -------------------------------------------------------------------------


def tagged(doc: int, beads) -> list:
    """Beads of different documents never collide when pooled."""
    return [(tuple((doc, i) for i in s), tuple((doc, j) for j in t)) for s, t in beads]


def evaluate(docs: list[Doc], predicted: list[list]) -> dict:
    pooled = score(
        [b for d, p in enumerate(predicted) for b in tagged(d, p)],
        [b for d, doc in enumerate(docs) for b in tagged(d, doc.gold)],
    )
    pooled["documents"] = {doc.name: score(p, doc.gold)["f1"] for doc, p in zip(docs, predicted)}
    return pooled


def diagnose(docs: list[Doc], predicted: list[list], searched: set[str]) -> dict:
    """What became of each missed gold bead (by gold type), and the omissions predicted
    where gold has none (by whether gold puts that sentence in a merge)."""
    missed, spurious = {}, Counter()
    for doc, pred in zip(docs, predicted):
        owner, gold_owner = {}, {}
        for x, (s, t) in enumerate(pred):
            owner.update({("s", i): x for i in s} | {("t", j): x for j in t})
        for g in doc.gold:
            gold_owner.update({("s", i): g for i in g[0]} | {("t", j): g for j in g[1]})
        for s, t in set(pred) - set(doc.gold):
            if not (s and t):
                g = gold_owner[("s", s[0]) if s else ("t", t[0])]
                spurious[f"{link_type((s, t))} inside gold {'merge' if len(g[0]) + len(g[1]) > 2 else '1-1'}"] += 1
        for g in set(doc.gold) - set(pred):
            touching = {owner[x] for x in [("s", i) for i in g[0]] + [("t", j) for j in g[1]]}
            inside = all(set(pred[x][0]) <= set(g[0]) and set(pred[x][1]) <= set(g[1]) for x in touching)
            if not (g[0] and g[1]):
                kind = "gold omission absorbed"
            elif link_type(g) not in searched:
                kind = "gold type not searched"
            elif inside:
                kind = "split, with omission" if any(not all(pred[x]) for x in touching) else "split into matches"
            elif len(touching) == 1:
                kind = "merged into larger bead"
            else:
                kind = "boundary shifted"
            missed.setdefault(kind, Counter())[link_type(g)] += 1
    return {
        "missed_gold": {
            k: {"total": sum(c.values()), **dict(c.most_common())}
            for k, c in sorted(missed.items(), key=lambda kc: -sum(kc[1].values()))
        },
        "spurious_omissions": {"total": sum(spurious.values()), **dict(spurious.most_common())},
    }


# --- running ----------------------------------------------------------------------------


def run_set(name: str, docs: list[Doc], embedder, p: SentenceAlignParams, baselines: bool = True) -> dict:
    n_sent = sum(len(d.src) + len(d.tgt) for d in docs)
    encoded_before = embedder.encoded
    t0 = time.perf_counter()
    sides = [Side.pair(d.src, d.tgt, embedder) for d in docs]
    embed_s = time.perf_counter() - t0
    runs, predictions = {}, {}
    systems = [
        ("ours", lambda d, s: [(b.src, b.tgt) for b in align_sides(*s, p, embedder)]),
        ("gale_church", lambda d, s: gale_church(d.src, d.tgt)),
        ("cosine_1to1", lambda d, s: cosine_1to1(*s)),
    ]
    for system, align in systems if baselines else systems[:1]:
        t0 = time.perf_counter()
        predictions[system] = [align(d, s) for d, s in zip(docs, sides)]
        align_s = time.perf_counter() - t0
        total_s = align_s + (0 if system == "gale_church" else embed_s)  # Gale-Church needs no embeddings
        runs[system] = {
            **evaluate(docs, predictions[system]),
            "align_seconds": round(align_s, 2),
            "end_to_end_seconds": round(total_s, 2),
            "sentences_per_second": round(n_sent / total_s, 1),
        }
    searched = {f"{k}-{l}" for k, l in banded.bead_types(p.max_run, p.max_bead)}  # the bead types our DP searches
    gold_types = Counter(link_type(b) for d in docs for b in d.gold)
    result = {
        "documents": len(docs),
        "sentences": n_sent,
        "gold_beads": sum(gold_types.values()),
        "gold_types": dict(gold_types.most_common()),
        "embedding_seconds": round(embed_s, 2),
        "texts_encoded": embedder.encoded - encoded_before,  # cache misses, incl. the refine pass's
        "systems": runs,
        "ours_errors": diagnose(docs, predictions["ours"], searched),
    }
    print_set(name, result)
    return result


def print_set(name: str, r: dict) -> None:
    systems = r["systems"]
    print(
        f"\n== {name}: {r['documents']} documents, {r['sentences']} sentences, {r['gold_beads']} gold beads; "
        f"embedding {r['embedding_seconds']} s ({r['texts_encoded']} texts encoded, rest cached)"
    )
    for s, x in systems.items():
        print(
            f"{s:12} F1 {x['f1']:.4f} (P {x['precision']:.4f}, R {x['recall']:.4f})  align {x['align_seconds']} s, "
            f"end to end {x['end_to_end_seconds']} s = {x['sentences_per_second']} sentences/s"
        )
    print("document     " + "".join(f"{s:>13}" for s in systems))
    for doc in systems["ours"]["documents"]:
        print(f"{doc:12} " + "".join(f"{x['documents'][doc]:13.4f}" for x in systems.values()))
    kinds = list(r["gold_types"]) + sorted({k for x in systems.values() for k in x["by_type"]} - set(r["gold_types"]))
    print("type   gold | " + " | ".join(f"{s:^24}" for s in systems))
    print("            | " + " | ".join(f"{'pred':>6} {'P':>8} {'R':>8}" for _ in systems))
    for k in kinds:
        gold = r["gold_types"].get(k, 0)
        cells = [
            x["by_type"].get(k, {"test": 0, "precision": 1.0, "recall": 1.0 if not gold else 0.0})
            for x in systems.values()
        ]
        print(
            f"{k:5} {gold:5} | " + " | ".join(f"{c['test']:6} {c['precision']:8.4f} {c['recall']:8.4f}" for c in cells)
        )
    errors = r["ours_errors"]
    print("our missed gold beads, by what became of them (gold types):")
    for kind, c in errors["missed_gold"].items():
        print(f"  {kind:24} {c['total']:4}  (" + ", ".join(f"{k} {v}" for k, v in c.items() if k != "total") + ")")
    print(
        "our predicted omissions not in gold: " + ", ".join(f"{k} {v}" for k, v in errors["spurious_omissions"].items())
    )


def tune_cosine_skip(embedder) -> None:
    docs = unpc_docs(UNPC / "dev")
    sides = [Side.pair(d.src, d.tgt, embedder) for d in docs]
    for skip in np.arange(0.05, 0.305, 0.01):
        print(f"skip {skip:.2f}: F1 {evaluate(docs, [cosine_1to1(*s, skip) for s in sides])['f1']:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--test", action="store_true", help="also the UNPC test part (report only, never tune)")
    parser.add_argument("--mac-dev", type=Path, default=MAC_DEV, help="folder with src/, tgt/, gold/")
    parser.add_argument("--params", type=Path, default=ROOT / "configs" / "params.yaml")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="override sentence_align parameters (experiments; results then go to --out only if given)",
    )
    parser.add_argument("--only", nargs="*", help="run only these sets (unpc-dev, unpc-test, mac-dev)")
    parser.add_argument("--no-baselines", action="store_true", help="our aligner only (faster experiments)")
    parser.add_argument(
        "--tune-cosine-skip",
        action="store_true",
        help="print the cosine baseline's F1 on unpc-dev for skip costs 0.05..0.30 and exit",
    )
    args = parser.parse_args()
    params = load_params(args.params)
    overrides = {k: yaml.safe_load(v) for k, v in (item.split("=", 1) for item in args.set)}
    p = SentenceAlignParams.from_params({**params["sentence_align"], **overrides})
    embedder = Embedder(params["embedding"], progress=False, keep_tokens=ALIGNER_TOKEN_MEMORY)
    if args.tune_cosine_skip:
        return tune_cosine_skip(embedder)
    results = {
        "command": "PYTHONPATH=. .venv/bin/python " + shlex.join(sys.argv),
        "cosine_skip": COSINE_SKIP,
        "gale_church_priors": {f"{k}-{l}": v for (k, l), v in GC_PRIORS.items()},
        "sets": {},
    }
    sets = [("unpc-dev", lambda: unpc_docs(UNPC / "dev"))]
    if args.test:
        sets.append(("unpc-test", lambda: unpc_docs(UNPC / "test")))
    if (args.mac_dev / "gold").is_dir():
        sets.append(("mac-dev", lambda: mac_docs(args.mac_dev)))
    else:
        print(f"mac-dev: skipped, {args.mac_dev} not found (see ../shared/aligner-dev/README.md)")
    for name, load in sets:
        if args.only is None or name in args.only:
            results["sets"][name] = run_set(name, load(), embedder, p, not args.no_baselines)
    if overrides or args.only is not None or args.no_baselines:  # an experiment: not the recorded result
        print(json.dumps({name: r["systems"]["ours"]["f1"] for name, r in results["sets"].items()}))
        if args.out == OUT:
            return
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
