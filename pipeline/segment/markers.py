"""What a unit's first line starts with: its structural marker, in either language.

UN documents number their parts the same way in every language, only written
differently: chapters ``I.`` / ``一、``, sections ``A.``, paragraphs ``1.``,
sub-paragraphs ``(a)`` / ``（a）``, sub-sub-paragraphs ``(i)`` / ``㈠``. A marker is
read into a language-independent :class:`Marker` (its type and its label written the
English way), so both versions of a document give comparable structural paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..langs import CJK_RANGES

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUPER_TO_ASCII = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")

_ZH_NUMERALS = "〇一二三四五六七八九十"
_PARENTHESISED = "㈠㈡㈢㈣㈤㈥㈦㈧㈨㈩"  # (i) ... (x) in UN Chinese

TABLE_RULE = re.compile(r"^\|[\s\-:|]+\|?$")
TABLE_ROW = re.compile(r"^\|.*\|$")
FOOTNOTE = re.compile(rf"^([{SUPERSCRIPT_DIGITS}]+|\*+)\s*\S")
FOOTNOTE_MARK = re.compile(rf"(?<=\S)([{SUPERSCRIPT_DIGITS}]+)")
CHAPTER = re.compile(r"^([IVXL]+)\.\s+\S|^([" + _ZH_NUMERALS + r"]+)[、.．]\s*\S")  # I. / 一、 / 一.
SECTION = re.compile(r"^([A-Z])\.\s+\S")
NUMBERED = re.compile(rf"^(\d{{1,3}})\.(?:\s+\S|(?=[{CJK_RANGES}“《（]))")
LETTERED = re.compile(r"^(?:[-–•]\s*)?[(（]([a-z]{1,2}|[ivx]{1,5})[)）]\s*\S")
SUBROMAN = re.compile(r"^([" + _PARENTHESISED + r"])\s*\S")
BULLET = re.compile(rf"^[-–•·▪◦]\s+\S|^[•·▪◦]\s*[{CJK_RANGES}]")


@dataclass(frozen=True)
class Marker:
    """``type``: chapter, section, numbered, lettered, roman (a sub-sub-paragraph (i)),
    bullet, footnote, table_row, table_rule or text; ``label``: as English prints it
    ('IV', 'B', '12', 'a', 'ii', '1'), None for bullets and text."""

    type: str
    label: str | None = None

    @property
    def numbered(self) -> bool:
        return self.type in ("chapter", "section", "numbered", "lettered", "roman")


def to_roman(value: int) -> str:
    out = ""
    for n, s in ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while value >= n:
            out, value = out + s, value - n
    return out


def zh_numeral_value(text: str) -> int | None:
    """一 -> 1, 十二 -> 12, 二十三 -> 23 (chapter numbers)."""
    digits = {c: i for i, c in enumerate("〇一二三四五六七八九")}
    total, current = 0, 0
    for c in text:
        if c in digits:
            current = digits[c]
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        else:
            return None
    return total + current


def marker_of(line: str) -> Marker:
    """The marker a line starts with (type 'text' when none)."""
    s = line.strip()
    if TABLE_RULE.match(s):
        return Marker("table_rule")
    if TABLE_ROW.match(s):
        return Marker("table_row")
    if m := FOOTNOTE.match(s):
        mark = m.group(1)
        return Marker("footnote", mark.translate(SUPER_TO_ASCII) if not mark.startswith("*") else mark)
    if m := CHAPTER.match(s):
        if m.group(1):
            return Marker("chapter", m.group(1))
        value = zh_numeral_value(m.group(2))
        if value:
            return Marker("chapter", to_roman(value))
    if m := SECTION.match(s):
        return Marker("section", m.group(1))
    if m := NUMBERED.match(s):
        return Marker("numbered", str(int(m.group(1))))
    if m := LETTERED.match(s):
        return Marker("lettered", m.group(1))
    if m := SUBROMAN.match(s):
        return Marker("roman", to_roman(_PARENTHESISED.index(m.group(1)) + 1).lower())
    if BULLET.match(s):
        return Marker("bullet")
    return Marker("text")


def printed_label(marker: Marker) -> str | None:
    """The segment's ``label`` column: the marker as a reader cites it ('2.', '(a)', 'IV.')."""
    if marker.label is None:
        return None
    if marker.type in ("lettered", "roman"):
        return f"({marker.label})"
    if marker.type == "footnote":
        return marker.label
    return f"{marker.label}."


_PREFIX = re.compile(
    r"^(?:[IVXL]+\.\s+|[" + _ZH_NUMERALS + r"]+[、.．]\s*|[A-Z]\.\s+"
    rf"|\d{{1,3}}\.(?:\s+|(?=[{CJK_RANGES}“《（]))|\*+\s*"
    r"|(?:[-–•]\s*)?[(（][a-z]{1,5}[)）]\s*|[" + _PARENTHESISED + r"]\s*|[-–•·▪◦]\s*"
    rf"|[{SUPERSCRIPT_DIGITS}]+\s*)"
)


def strip_marker(text: str) -> str:
    """The text after its marker: '3. Adoption of the report' -> 'Adoption of the report'."""
    return _PREFIX.sub("", text.strip(), count=1).strip()
