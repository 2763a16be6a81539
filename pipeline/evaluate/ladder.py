"""The ladder format of Vecalign and Bertalign, and strict precision/recall/F1.

One bead per line, source indices then target indices: ``[0]:[0]``, ``[1]:[1, 2]``,
``[3]:[]``; an optional third field holds a score (``[0]:[0]:0.97``). A test bead
counts as right only if exactly equal to a gold bead; omissions count as beads.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ..align.banded import Link
from ..errors import InputError

_LINE = re.compile(r"^\[([\d,\s]*)\]:\[([\d,\s]*)\](?::\s*(\S+))?\s*$")


def format_bead(src, tgt, score: float | None = None) -> str:
    line = f"[{', '.join(map(str, src))}]:[{', '.join(map(str, tgt))}]"
    return line if score is None else f"{line}:{score:.4f}"


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split(",") if x.strip())


def read_ladder(path: Path) -> list[Link]:
    beads = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        m = _LINE.match(line.strip())
        if not m:
            raise InputError(path, f"line {n} is not a ladder bead like [0]:[1, 2]: {line[:60]!r}")
        beads.append((_ints(m.group(1)), _ints(m.group(2))))
    return beads


def link_type(bead: Link) -> str:
    return f"{len(bead[0])}-{len(bead[1])}"


def score(test: list[Link], gold: list[Link]) -> dict:
    """Strict P/R/F1 over beads, overall and by gold/test bead type."""
    t, g = Counter(test), Counter(gold)
    hit = sum((t & g).values())
    out = _prf(hit, sum(t.values()), sum(g.values()))
    by_type = {}
    for kind in sorted({link_type(b) for b in list(t) + list(g)}):
        tk = Counter({b: c for b, c in t.items() if link_type(b) == kind})
        gk = Counter({b: c for b, c in g.items() if link_type(b) == kind})
        by_type[kind] = {
            **_prf(sum((tk & gk).values()), sum(tk.values()), sum(gk.values())),
            "gold": sum(gk.values()),
            "test": sum(tk.values()),
        }
    out["by_type"] = by_type
    return out


def _prf(hit: int, n_test: int, n_gold: int) -> dict:
    p = hit / n_test if n_test else 1.0
    r = hit / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 5), "recall": round(r, 5), "f1": round(f, 5)}


def _tag(name: str, bead: Link) -> tuple:
    return tuple((name, i) for i in bead[0]), tuple((name, j) for j in bead[1])


def evaluate_dirs(test_dir: Path, gold_dir: Path) -> dict:
    """Score every gold ladder against the test ladder of the same name (micro-averaged)."""
    gold_files = sorted(p for p in Path(gold_dir).iterdir() if p.is_file())
    if not gold_files:
        raise InputError(gold_dir, "no gold ladder files")
    all_test, all_gold, per_file = [], [], {}
    for gold_path in gold_files:
        test_path = Path(test_dir) / gold_path.name
        if not test_path.is_file():
            raise InputError(test_path, f"missing: no test ladder for gold file {gold_path.name}")
        test, gold = read_ladder(test_path), read_ladder(gold_path)
        per_file[gold_path.name] = score(test, gold)["f1"]
        all_test += [_tag(gold_path.name, b) for b in test]  # beads of different files never collide
        all_gold += [_tag(gold_path.name, b) for b in gold]
    result = score(all_test, all_gold)
    result["files"] = per_file
    return result
