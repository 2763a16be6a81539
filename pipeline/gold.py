"""Comparing aligned pairs with a gold unit alignment (gold-units.tsv)."""
from __future__ import annotations

import csv
import re
from pathlib import Path

from .segment.units import SUPERSCRIPT_DIGITS

_NOISE = re.compile(rf"\s+|^-|[{SUPERSCRIPT_DIGITS}]")


def normalize(text: str) -> str:
    """Whitespace, a leading list dash and footnote markers do not count."""
    return _NOISE.sub("", (text or "").strip())


def read_gold(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def match(gold: list[dict], pairs: list[dict]) -> dict:
    """Which gold units came out as a pair with the same zh/en text, kind and item."""
    by_text = {(normalize(p["zh_text"]), normalize(p["en_text"])): p for p in pairs}
    found, wrong_kind = [], []
    for unit in gold:
        pair = by_text.get((normalize(unit["zh"]), normalize(unit["en"])))
        if pair is None:
            continue
        if pair["kind"] == unit["kind"] and (pair["item"] or "") == unit["item"]:
            found.append(unit["unit"])
        else:
            wrong_kind.append(unit["unit"])
    gold_keys = {(normalize(u["zh"]), normalize(u["en"])) for u in gold}
    extra = [p["pair_id"] for p in pairs if (normalize(p["zh_text"]), normalize(p["en_text"])) not in gold_keys]
    return {"gold_units": len(gold), "matched": len(found), "wrong_kind_or_item": wrong_kind,
            "pairs_not_in_gold": extra}
