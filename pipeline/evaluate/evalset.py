"""A reproducible sentence-alignment evaluation set built from real UN sentence pairs.

Source: the UN Parallel Corpus v1.0 development pairs (``../shared/unpc-dev``), where
line n of the .zh and .en files is a gold translation pair and the .ids file names
each line's document and its position there. We group lines by document, in
document order, then, per document, join random neighbouring sentences on one side
(giving 2-1, 1-2, 3-1, 1-3 gold beads) and drop a few sentences on one side (1-0 /
0-1 beads), and concatenate documents into long texts. Documents are split between
a ``dev`` part (for tuning parameters) and a ``test`` part (for reporting), so the
reported F1 is not tuned on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .ladder import format_bead


@dataclass(frozen=True)
class EvalSetParams:
    seed: int = 2026
    dev_share: float = 0.34  # share of documents used for tuning
    join_2: float = 0.05  # chance, per sentence and side, of merging it with the next
    join_3: float = 0.015  # ... with the next two
    drop: float = 0.02  # chance, per pair and side, of dropping that side's sentence
    task_sizes: tuple[int, ...] = (150, 400, 1200)  # gold pairs per task, cycled until used up
    max_pairs: int | None = None  # use only the first documents (in shuffled order) up to this many pairs

    @classmethod
    def from_params(cls, section: dict) -> "EvalSetParams":
        """From configs/params.yaml's ``evaluation`` section."""
        return cls(
            seed=section["seed"],
            dev_share=section["dev_share"],
            join_2=section["join_2"],
            join_3=section["join_3"],
            drop=section["drop"],
            task_sizes=tuple(section["task_sizes"]),
            max_pairs=section.get("max_pairs"),
        )


def read_unpc(folder: Path) -> dict[str, list[tuple[str, str]]]:
    """Pairs grouped by source document, each document's lines in document order.

    The files interleave documents and, within a document, do not keep its order
    (in 467 of the 556 documents some line comes before an earlier one), so lines are
    sorted by their English ``paragraph:sentence`` position from the .ids file (the
    Chinese positions give the same order); lines without one keep file order.
    """
    folder = Path(folder)
    paths = {ext: folder / f"UNv1.0.devset.dev.{ext}" for ext in ("zh", "en", "ids")}
    for path in paths.values():
        if not path.is_file():
            raise InputError(path, "UNPC file not found")
    lines = {ext: path.read_text(encoding="utf-8").split("\n") for ext, path in paths.items()}
    n = len(lines["ids"]) - (lines["ids"][-1] == "")
    positioned: dict[str, list[tuple[tuple[int, ...], int]]] = {}
    for i in range(n):
        doc, *fields = lines["ids"][i].split(" ")
        positioned.setdefault(doc, []).append((_position(fields, "en"), i))
    return {
        doc: [(lines["zh"][i].strip(), lines["en"][i].strip()) for _, i in sorted(rows)]
        for doc, rows in positioned.items()
    }


def _position(fields: list[str], lang: str) -> tuple[int, ...]:
    """(paragraph, sentence) of ``lang:paragraph:sentence`` in an .ids line; () if absent."""
    for field in fields:
        name, _, rest = field.partition(":")
        if name == lang:
            try:
                return tuple(int(x) for x in rest.split(":"))
            except ValueError:
                return ()
    return ()


def _perturb(
    pairs: list[tuple[str, str]], rng: random.Random, p: EvalSetParams
) -> tuple[list[str], list[str], list[tuple[list[int], list[int]]]]:
    """One document's sentences and gold beads after joins and drops (local indices)."""
    zh, en, beads = [], [], []
    i = 0
    while i < len(pairs):
        roll = rng.random()
        size = 3 if roll < p.join_3 * 2 else 2 if roll < (p.join_3 + p.join_2) * 2 else 1
        size = min(size, len(pairs) - i)
        group = pairs[i : i + size]
        joined_side = "zh" if rng.random() < 0.5 else "en"
        if size > 1:  # one side keeps its sentences, the other gets them joined into one
            if joined_side == "zh":
                zh_parts, en_parts = ["".join(z for z, _ in group)], [e for _, e in group]
            else:
                zh_parts, en_parts = [z for z, _ in group], [" ".join(e for _, e in group)]
            beads.append((list(range(len(zh), len(zh) + len(zh_parts))), list(range(len(en), len(en) + len(en_parts)))))
            zh += zh_parts
            en += en_parts
        else:
            z, e = group[0]
            drop = rng.random()
            if drop < p.drop:
                beads.append(([len(zh)], []))
                zh.append(z)
            elif drop < 2 * p.drop:
                beads.append(([], [len(en)]))
                en.append(e)
            else:
                beads.append(([len(zh)], [len(en)]))
                zh.append(z)
                en.append(e)
        i += size
    return zh, en, beads


def split_documents(docs: dict, p: EvalSetParams, rng: random.Random) -> dict[str, list[str]]:
    """Document names of the dev and test parts (seeded shuffle, then cut)."""
    names = sorted(docs)
    rng.shuffle(names)
    if p.max_pairs:  # a quick, smaller set (e.g. for tests of the pipeline itself)
        kept, total = [], 0
        for name in names:
            if total >= p.max_pairs:
                break
            kept.append(name)
            total += len(docs[name])
        names = kept
    n_dev = round(len(names) * p.dev_share)
    return {"dev": names[:n_dev], "test": names[n_dev:]}


def make_tasks(
    docs: dict, doc_names: list[str], rng: random.Random, p: EvalSetParams
) -> list[tuple[list[str], list[str], list[tuple[list[int], list[int]]]]]:
    """Perturbed documents concatenated into tasks of p.task_sizes: (zh, en, gold ladder)."""
    groups, current = [], []
    for name in doc_names:  # fill tasks up to the sizes in turn
        current.append(name)
        if sum(len(docs[d]) for d in current) >= p.task_sizes[len(groups) % len(p.task_sizes)]:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    tasks = []
    for task_docs in groups:
        zh_all, en_all, ladder = [], [], []
        for name in task_docs:
            zh, en, beads = _perturb(docs[name], rng, p)
            ladder += [([len(zh_all) + i for i in a], [len(en_all) + j for j in b]) for a, b in beads]
            zh_all += zh
            en_all += en
        tasks.append((zh_all, en_all, ladder))
    return tasks


def redraw(docs: dict, part: str, p: EvalSetParams, draws: int) -> list:
    """The documents of one part ("dev" or "test") joined and dropped again with seeds
    p.seed+1 .. p.seed+draws (the built set is the draw of p.seed): one task list per draw."""
    names = split_documents(docs, p, random.Random(p.seed))[part]
    return [make_tasks(docs, names, random.Random(p.seed + draw), p) for draw in range(1, draws + 1)]


def build(unpc_dir: Path, out_dir: Path, p: EvalSetParams = EvalSetParams()) -> dict:
    """Write <out>/<split>/{zh,en,gold}/<task> files; returns a summary."""
    docs = read_unpc(unpc_dir)
    rng = random.Random(p.seed)
    summary = {}
    for split, doc_names in split_documents(docs, p, rng).items():
        counts = {"tasks": 0, "zh_sentences": 0, "en_sentences": 0, "gold_beads": 0, "links": {}}
        for t, (zh_all, en_all, ladder) in enumerate(make_tasks(docs, doc_names, rng, p)):
            task = f"task{t:02d}"
            for sub, text in (
                ("zh", "\n".join(zh_all) + "\n"),
                ("en", "\n".join(en_all) + "\n"),
                ("gold", "\n".join(format_bead(a, b) for a, b in ladder) + "\n"),
            ):
                path = Path(out_dir) / split / sub / task
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            counts["tasks"] += 1
            counts["zh_sentences"] += len(zh_all)
            counts["en_sentences"] += len(en_all)
            counts["gold_beads"] += len(ladder)
            for a, b in ladder:
                key = f"{len(a)}-{len(b)}"
                counts["links"][key] = counts["links"].get(key, 0) + 1
        counts["links"] = dict(sorted(counts["links"].items()))
        summary[split] = counts
    return summary
