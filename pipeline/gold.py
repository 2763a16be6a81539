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


def _item(value) -> str:
    return value if isinstance(value, str) else ""  # null items arrive as None or NaN


def unit_key(zh: str, en: str, kind: str, item, path=None) -> tuple:
    key = (normalize(zh), normalize(en), kind, _item(item))
    return key if path is None else (*key, _item(path))


def match(gold: list[dict], pairs: list[dict]) -> dict:
    """Gold units found as a pair with the same zh/en text, kind and item, and path where
    the gold has a path column (each pair used once)."""
    with_path = bool(gold) and "path" in gold[0]
    unused: dict[tuple, list[str]] = {}
    for p in pairs:
        path = (p.get("path") or "") if with_path else None
        unused.setdefault(unit_key(p["zh_text"], p["en_text"], p["kind"], p["item"], path), []).append(p["pair_id"])
    missing = []
    for unit in gold:
        hits = unused.get(
            unit_key(unit["zh"], unit["en"], unit["kind"], unit["item"], unit["path"] if with_path else None)
        )
        if hits:
            hits.pop(0)
        else:
            missing.append(unit["unit"])
    extra = sorted(pid for ids in unused.values() for pid in ids)
    return {
        "gold_units": len(gold),
        "matched": len(gold) - len(missing),
        "missing_units": missing,
        "pairs_not_in_gold": extra,
    }
