"""Language-independent anchors in text: UN document symbols and numbers.

They survive translation unchanged (A/64/123 is A/64/123 in every version), so the
aligner scores their agreement; English month names count as their numbers
because Chinese dates are written in digits (1 October 2009 = 2009年10月1日).
"""
from __future__ import annotations

import re
import unicodedata

# A UN symbol: an uppercase series, then '/'-separated parts (A/64/123,
# E/CN.7/2009/CRP.6, CTOC/COP/2006/8/Rev.1). 'decision 4/3' starts with a digit: no symbol.
SYMBOL = re.compile(r"(?<![\w/])[A-Z]{1,8}(?:\.\d+)?(?:/[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)+")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_MONTH_WORD = re.compile(r"\b(" + "|".join(MONTHS) + r")\b", re.IGNORECASE)


def find_symbols(text: str) -> list[str]:
    """Document symbols in order of first appearance, without duplicates."""
    seen: dict[str, None] = {}
    for m in SYMBOL.finditer(unicodedata.normalize("NFKC", text)):
        seen.setdefault(m.group(0))
    return list(seen)


def find_numbers(text: str) -> list[str]:
    """Numbers outside symbols (with month names as numbers), as a sorted multiset."""
    text = SYMBOL.sub(" ", unicodedata.normalize("NFKC", text))
    text = _MONTH_WORD.sub(lambda m: f" {MONTHS[m.group(1).lower()]} ", text)
    return sorted(n.replace(",", "") for n in NUMBER.findall(text))


def agreement(a: list[str], b: list[str]) -> float | None:
    """Multiset Dice overlap of two anchor lists in [0, 1]; None if both are empty."""
    if not a and not b:
        return None
    rest = list(b)
    common = 0
    for x in a:
        if x in rest:
            rest.remove(x)
            common += 1
    return 2 * common / (len(a) + len(b))
