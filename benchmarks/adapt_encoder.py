"""Would adapting the embedded encoder to UN text help the sentence aligner? (a measurement)

The dev documents of the evaluation set are cut in two halves by document: the encoder
is fine-tuned on half A's gold pairs (contrastive, in-batch negatives; a batch holds a
document's neighbouring sentences and joined neighbour pairs, so it learns to tell a
sentence from its neighbours and a joined pair from its parts), then both encoders are
measured on half B only (documents it never saw):

- retrieval: is each sentence's translation its nearest neighbour among the sentences
  within 5 positions (both directions), and the separation d' of true pairs from far pairs;
- the aligner's strict F1 on ``--draws`` perturbed draws of half B, with and without the
  token-coverage terms. Fine-tuning spreads cosines out, so the adapted encoder runs with
  its costs in cosine units multiplied by the ratio of the spread (standard deviation)
  of far-pair cosines, adapted over embedded: a first-order rescaling, not a retuning.
  Token-vector gains need not spread alike, so it is measured twice: with the gain
  thresholds rescaled too, and with them as they are.

``--set NAME=VALUE ...`` adds aligner settings for the adapted encoder on top of the
rescaled costs (settings chosen on draws of half B, e.g. with a grid over those draws);
they are also run with the embedded encoder as a control.

With ``--test`` the variant that scored best on half B is then measured once on the
test part of the evaluation set (eval/unpc/data, built by `dvc repro eval`), beside the
embedded encoder on the same tasks: a measurement after the choice, never a choice.
Nothing here changes the pipeline's model.

    python benchmarks/adapt_encoder.py --draws 25 --set merge_gain_weight=1.4 token_min_gain=0.01 --test
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import time
from pathlib import Path

import numpy as np

from pipeline.align.overlaps import Side
from pipeline.align.sentence_aligner import SentenceAlignParams
from pipeline.embed.model import ALIGNER_TOKEN_MEMORY, Embedder
from pipeline.evaluate import evalset
from pipeline.params import load_params

from tune_aligner import f1_of, load_tasks, parse_setting

# SentenceAlignParams fields in cosine (cost) units: multiplied by the spread ratio
COSINE_UNITS = (
    "margin_offset",
    "skip_cost",
    "length_weight",
    "anchor_weight",
    "merge_cost",
    "refine_below",
    "leftover_min_quality",
    "token_penalty",
    "token_bonus",
)
# ... and the gains of token vectors and edge windows (rescaled in one of the two runs)
GAIN_UNITS = ("token_min_gain", "token_full_gain", "window_min_gain")
NEIGHBOURS = 5
FAR = 20  # pairs at least this many sentences apart count as unrelated


def training_pairs(docs: dict, names: list[str]) -> list[tuple[str, str]]:
    """Per document: its pairs, then its neighbouring pairs joined (kept in document order,
    so a batch cut from this list holds neighbours: the negatives that matter)."""
    pairs = []
    for name in names:
        doc = docs[name]
        pairs += doc
        pairs += [(doc[i][0] + doc[i + 1][0], doc[i][1] + " " + doc[i + 1][1]) for i in range(len(doc) - 1)]
    return pairs


def fine_tune(
    model_dir: str,
    pairs: list[tuple[str, str]],
    out: Path,
    prompt: str,
    epochs: int,
    lr: float,
    batch: int,
    temperature: float,
    seed: int,
) -> None:
    import torch
    from sentence_transformers import SentenceTransformer
    from tqdm import tqdm

    torch.manual_seed(seed)
    model = SentenceTransformer(model_dir, device="cpu", local_files_only=True)
    model.max_seq_length = 128
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr)
    rng = random.Random(seed)
    model.train()
    for epoch in range(epochs):
        starts = list(range(0, len(pairs) - batch + 1, batch))
        rng.shuffle(starts)
        for start in tqdm(starts, desc=f"fine-tuning, epoch {epoch + 1}"):
            chunk = pairs[start : start + batch]
            va, vb = (
                torch.nn.functional.normalize(
                    model(model.tokenize([prompt + t for t in side]))["sentence_embedding"], dim=-1
                )
                for side in zip(*chunk)
            )
            logits = va @ vb.T / temperature
            target = torch.arange(len(chunk))
            loss = (
                torch.nn.functional.cross_entropy(logits, target) + torch.nn.functional.cross_entropy(logits.T, target)
            ) / 2
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    model.eval()
    model.save(str(out))


def retrieval(embedder: Embedder, pairs: list[tuple[str, str]]) -> dict:
    zh, en = embedder([z for z, _ in pairs]), embedder([e for _, e in pairs])
    sims = zh @ en.T
    n = len(pairs)
    gaps = []
    for i in range(n):
        near = [j for j in range(max(0, i - NEIGHBOURS), min(n, i + NEIGHBOURS + 1)) if j != i]
        gaps.append(sims[i, i] - max(max(sims[i, near]), max(sims[near, i])))
    far = sims[np.triu_indices(n, FAR)]
    true = np.diag(sims)
    return {
        "nearest_is_translation": round(float(np.mean(np.array(gaps) > 0)), 4),
        "median_gap": round(float(np.median(gaps)), 4),
        "true_cosine_mean": round(float(true.mean()), 4),
        "far_cosine_mean": round(float(far.mean()), 4),
        "far_cosine_sd": round(float(far.std()), 4),
        "d_prime": round(float((true.mean() - far.mean()) / far.std()), 3),
    }


def draw_tasks(embedder: Embedder, docs: dict, names: list[str], ep, draws: int) -> list:
    """Alignment tasks of ``draws`` perturbed draws of the named documents."""
    tasks = []
    for draw in range(1, draws + 1):
        for zh, en, ladder in evalset.make_tasks(docs, names, random.Random(ep.seed + draw), ep):
            tasks.append((*Side.pair(zh, en, embedder), [(tuple(a), tuple(b)) for a, b in ladder]))
    return tasks


def alignment_f1(embedder: Embedder, tasks: list, p: SentenceAlignParams) -> dict:
    without = dataclasses.replace(p, token_penalty=0.0, token_bonus=0.0)
    return {"with_token_terms": f1_of(tasks, p, embedder), "without_token_terms": f1_of(tasks, without, embedder)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--params", type=Path, default=Path("configs/params.yaml"))
    parser.add_argument(
        "--adapted", type=Path, default=Path(".cache/adapted-encoder"), help="where the fine-tuned encoder is written"
    )
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=5e-6)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--temperature", type=float, default=0.05)
    parser.add_argument("--draws", type=int, default=12, help="perturbed draws of half B for the F1")
    parser.add_argument("--reuse", action="store_true", help="measure the encoder already at --adapted")
    parser.add_argument(
        "--test", action="store_true", help="then measure the variant chosen on half B once on the test part"
    )
    parser.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="NAME=VALUE",
        help="aligner settings for the adapted encoder on top of the rescaled costs, "
        "chosen on half B (e.g. merge_gain_weight=1.4 token_min_gain=0.01)",
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results_adapt.json"))
    args = parser.parse_args()

    params = load_params(args.params)
    ep = evalset.EvalSetParams.from_params(params["evaluation"])
    docs = evalset.read_unpc(Path("raw/unpc-dev"))
    dev = evalset.split_documents(docs, ep, random.Random(ep.seed))["dev"]
    half_a, half_b = dev[0::2], dev[1::2]
    base_embedder = Embedder(params["embedding"], progress=False, keep_tokens=ALIGNER_TOKEN_MEMORY)
    train = training_pairs(docs, half_a)
    started = time.perf_counter()
    if not args.reuse:
        fine_tune(
            base_embedder.name,
            train,
            args.adapted,
            params["embedding"]["prompt"],
            args.epochs,
            args.lr,
            args.batch,
            args.temperature,
            ep.seed,
        )
    train_seconds = time.perf_counter() - started
    adapted_embedder = Embedder(
        dict(params["embedding"], model=str(args.adapted)), progress=False, keep_tokens=ALIGNER_TOKEN_MEMORY
    )

    held_out = [pair for name in half_b for pair in docs[name]]
    found = {"embedded": retrieval(base_embedder, held_out), "adapted": retrieval(adapted_embedder, held_out)}
    scale = found["adapted"]["far_cosine_sd"] / found["embedded"]["far_cosine_sd"]
    base = SentenceAlignParams.from_params(params["sentence_align"])
    costs_scaled = dataclasses.replace(base, **{f: getattr(base, f) * scale for f in COSINE_UNITS})
    all_scaled = dataclasses.replace(costs_scaled, **{f: getattr(base, f) * scale for f in GAIN_UNITS})
    adapted_tasks = draw_tasks(adapted_embedder, docs, half_b, ep, args.draws)
    embedded_tasks = draw_tasks(base_embedder, docs, half_b, ep, args.draws)
    found["embedded"]["aligner"] = alignment_f1(base_embedder, embedded_tasks, base)
    found["adapted"]["aligner"] = alignment_f1(adapted_embedder, adapted_tasks, all_scaled)
    found["adapted"]["aligner_gains_unscaled"] = f1_of(adapted_tasks, costs_scaled, adapted_embedder)
    variants = {
        "costs and gains": (all_scaled, found["adapted"]["aligner"]["with_token_terms"]["f1"]),
        "costs only": (costs_scaled, found["adapted"]["aligner_gains_unscaled"]["f1"]),
    }
    if args.set:
        overrides = {
            name: parse_setting(getattr(base, name), value) for name, value in (item.split("=", 1) for item in args.set)
        }
        with_set = dataclasses.replace(costs_scaled, **overrides)
        tuned = {**overrides, **f1_of(adapted_tasks, with_set, adapted_embedder)}
        found["adapted"]["aligner_costs_only_with_set"] = tuned
        variants["costs only, with --set"] = (with_set, tuned["f1"])
        # control: the same settings with the embedded encoder (do they suit the adapted one only?)
        found["embedded"]["aligner_with_set"] = {
            **overrides,
            **f1_of(embedded_tasks, dataclasses.replace(base, **overrides), base_embedder),
        }
    if args.test:
        chosen = max(variants, key=lambda name: variants[name][1])
        test_dir = Path("eval/unpc/data/test")
        found["test_part"] = {
            "rescaling": chosen,
            "embedded": f1_of(load_tasks(test_dir, base_embedder), base, base_embedder),
            "adapted": f1_of(load_tasks(test_dir, adapted_embedder), variants[chosen][0], adapted_embedder),
        }
    options = [f"--{k} {v}" for k, v in vars(args).items() if not isinstance(v, (bool, Path, list))]
    options += ["--set " + " ".join(args.set)] if args.set else []
    result = {
        "command": "python benchmarks/adapt_encoder.py " + " ".join(options + ["--test"] * args.test),
        "training": {
            "documents": len(half_a),
            "pairs": len(train),
            "seconds": None if args.reuse else round(train_seconds, 1),
        },
        "held_out": {"documents": len(half_b), "pairs": len(held_out), "draws": args.draws},
        "cosine_scale": round(scale, 3),
        **found,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
