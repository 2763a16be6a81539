"""Grid-search sentence-aligner parameters on the DEV part of the evaluation set.

Uses cached embeddings (run `dvc repro eval` or `bitext eval-unpc` first), so each
setting costs only alignment time. Never tune on the test part: the reported F1
comes from it. ``--variants N`` adds N more perturbations (other seeds) of the same
dev documents, so a setting is judged on more joins and omissions than one draw has.

    python benchmarks/tune_aligner.py eval/unpc/data/dev --variants 24 --grid skip_cost=0.095,0.1,0.105
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
from pathlib import Path

from pipeline.align.overlaps import Side
from pipeline.align.sentence_aligner import SentenceAlignParams, align_sides
from pipeline.embed.model import Embedder
from pipeline.evaluate import evalset
from pipeline.evaluate.ladder import read_ladder, score
from pipeline.params import load_params
from pipeline.stages.align_sentences import read_sentences


def load_tasks(split_dir: Path, embedder) -> list[tuple[Side, Side, list]]:
    tasks = []
    for gold in sorted((split_dir / "gold").iterdir()):
        src, tgt = read_sentences(split_dir / "zh" / gold.name), read_sentences(split_dir / "en" / gold.name)
        tasks.append((*Side.pair(src, tgt, embedder), read_ladder(gold)))
    return tasks


def dev_variants(n: int, embedder, params: dict) -> list[tuple[Side, Side, list]]:
    """Tasks from the dev documents only, perturbed again with seeds seed+1 .. seed+n."""
    ep = evalset.EvalSetParams.from_params(params["evaluation"])
    docs = evalset.read_unpc(Path("raw/unpc-dev"))
    tasks = []
    for draw in evalset.redraw(docs, "dev", ep, n):
        for zh, en, ladder in draw:
            gold = [(tuple(a), tuple(b)) for a, b in ladder]
            tasks.append((*Side.pair(zh, en, embedder), gold))
    return tasks


def f1_of(tasks, p: SentenceAlignParams, encode=None) -> dict:
    test, gold = [], []
    for t, (a, b, g) in enumerate(tasks):
        test += [(t, bd.src, bd.tgt) for bd in align_sides(a, b, p, encode)]
        gold += [(t, s, x) for s, x in g]
    result = score([((t,) + s, x) for t, s, x in test], [((t,) + s, x) for t, s, x in gold])
    return {"f1": result["f1"], "precision": result["precision"], "recall": result["recall"]}


def parse_setting(default, text: str):
    if isinstance(default, bool):
        return text.lower() in ("1", "true", "yes")
    return type(default)(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("split_dir", type=Path, help="e.g. eval/unpc/data/dev")
    parser.add_argument("--grid", nargs="*", default=[], help="name=v1,v2,... (SentenceAlignParams fields)")
    parser.add_argument("--variants", type=int, default=0, help="extra perturbations of the dev documents")
    parser.add_argument("--params", type=Path, default=Path("configs/params.yaml"))
    args = parser.parse_args()
    params = load_params(args.params)
    base = SentenceAlignParams.from_params(params["sentence_align"])
    embedder = Embedder(params["embedding"], progress=False)
    tasks = load_tasks(args.split_dir, embedder) + dev_variants(args.variants, embedder, params)
    names = [g.split("=")[0] for g in args.grid]
    values = [
        [parse_setting(getattr(base, n), v) for v in g.split("=")[1].split(",")] for n, g in zip(names, args.grid)
    ]
    for combo in itertools.product(*values) if values else [()]:
        p = dataclasses.replace(base, **dict(zip(names, combo)))
        print(json.dumps({**dict(zip(names, combo)), **f1_of(tasks, p, embedder)}), flush=True)


if __name__ == "__main__":
    main()
