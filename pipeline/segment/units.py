"""Blocks -> structural units (segments) of a UN document.

Two passes. :func:`split_block` cuts a block into line groups by what each line
starts with (a number, a letter in brackets, a bullet, a table pipe, a footnote
marker). Blocks from PDF and Word readers already are one unit each and carry a
structure hint (``Block.kind``: footnote, table_row with cells, heading, meta,
paragraph) and a ``group`` (units printed without a paragraph gap, e.g. a list);
:func:`hinted_units` turns such a group into units and the hint wins over what the
text looks like. :class:`_Structure` then walks the units in reading order with a small
state machine (front matter -> agenda list -> annotations -> annex) that assigns
each unit its kind and agenda item. Thresholds come from ``params['segment']``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..langs import join_lines
from ..records import Block, Segment
from ..anchors import find_symbols

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPER_TO_ASCII = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")

TABLE_RULE = re.compile(r"^\|[\s\-:|]+\|?$")
TABLE_ROW = re.compile(r"^\|.*\|$")
NUMBERED = re.compile(r"^(\d{1,2})\.\s+\S")
LETTERED = re.compile(r"^(?:[-–•]\s*)?\(([a-z]{1,2})\)\s*\S")
BULLET = re.compile(r"^[-–•·]\s+\S")
FOOTNOTE = re.compile(rf"^([{SUPERSCRIPT_DIGITS}]+)\s*\S")
FOOTNOTE_MARK = re.compile(rf"(?<=\S)([{SUPERSCRIPT_DIGITS}]+)")
SENTENCE_END = tuple(".。;；:：!?！？")
_TRAILING = f"{SUPERSCRIPT_DIGITS}”’\"')）》」』 "


def _ends_sentence(text: str, ends: tuple[str, ...] = SENTENCE_END) -> bool:
    """Does the text end like a sentence (footnote markers and closing quotes aside)?"""
    return text.rstrip(_TRAILING).endswith(ends)


@dataclass
class _Unit:
    """A group of lines that forms one segment, before it has a kind."""

    lines: list[str]
    start: str  # what the first line starts with: numbered, lettered, bullet, table_row, table_rule, footnote, text
    block: Block
    char_start: int
    char_end: int
    whole_block: bool = False
    hint: str | None = None  # Block.kind of a PDF/Word unit; None for text inputs

    @property
    def text(self) -> str:
        return join_lines(self.lines)


def _line_start(line: str) -> str:
    s = line.strip()
    for name, pattern in (("table_rule", TABLE_RULE), ("table_row", TABLE_ROW), ("footnote", FOOTNOTE),
                          ("numbered", NUMBERED), ("lettered", LETTERED), ("bullet", BULLET)):
        if pattern.match(s):
            return name
    return "text"


def split_block(block: Block) -> list[_Unit]:
    """A block's lines grouped into units: each marked line starts a new unit."""
    units: list[_Unit] = []
    offset = block.char_start
    for line in block.lines:
        start = _line_start(line)
        line_start = offset + (len(line) - len(line.lstrip()))
        line_end = offset + len(line.rstrip())
        if units and start == "text" and units[-1].start not in ("table_row", "table_rule"):
            units[-1].lines.append(line)
            units[-1].char_end = line_end
        else:
            units.append(_Unit([line], start, block, line_start, line_end))
        offset += len(line) + 1
    if len(units) == 1:
        units[0].whole_block = True
    return units


def hinted_units(blocks: list[Block]) -> list[_Unit]:
    """One unit per block of a group of PDF/Word blocks (see the module docstring)."""
    units = []
    for block in blocks:
        if block.kind in ("footnote", "table_row"):
            start = block.kind
        else:
            start = _line_start(block.lines[0]) if block.lines else "text"
            if start in ("table_row", "table_rule", "footnote"):
                start = "text"  # the reader said what it is: a pipe or a superscript is just text here
        units.append(_Unit(list(block.lines), start, block, block.char_start, block.char_end,
                           whole_block=len(blocks) == 1, hint=block.kind))
    return units


def _label(unit: _Unit) -> str | None:
    if unit.hint == "footnote" and unit.block.label:
        return unit.block.label
    s = unit.lines[0].strip()
    if m := NUMBERED.match(s):
        return f"{m.group(1)}."
    if m := LETTERED.match(s):
        return f"({m.group(1)})"
    if m := FOOTNOTE.match(s):
        return m.group(1).translate(_SUPER_TO_ASCII)
    return None


def _cells(text: str) -> list[str]:
    return [cell.strip() for cell in text.strip().strip("|").split("|")]


class _Structure:
    """Reading-order state machine that gives each unit its kind and agenda item."""

    def __init__(self, lang: str, params: dict):
        self.lang = lang
        limits = params["max_heading_chars"]
        self.max_heading = limits.get(lang, limits["default"])
        self.documentation = {h.casefold() for h in params["documentation_headings"]}
        self.annex = {h.casefold() for h in params["annex_headings"]}
        self.zone = "front"  # front -> agenda -> body -> annex
        self.item: str | None = None  # current agenda item, e.g. '1(a)'
        self.parent: str | None = None  # current numbered item, e.g. '1'
        self.in_documentation = False

    def _is_heading_like(self, unit: _Unit) -> bool:
        if unit.hint is not None:
            return unit.hint == "heading"  # the reader saw size, position and numbering
        text = unit.text
        return (unit.whole_block and len(unit.lines) == 1 and len(text) <= self.max_heading
                and not _ends_sentence(text))

    def _heading_text(self, unit: _Unit) -> str:
        return re.sub(r"^\d{1,2}\.\s+|^\([a-z]{1,2}\)\s*", "", unit.text).strip().casefold()

    def classify(self, unit: _Unit, block_units: list[_Unit]) -> tuple[str, str | None]:
        """(kind, item) of ``unit``; ``block_units`` are all units of its block."""
        if unit.start in ("table_rule", "table_row"):
            return unit.start, self.item
        if unit.start == "footnote":
            return "footnote", self.item
        if unit.hint == "meta" and self.zone == "front":
            return "meta", None
        is_list_block = len(block_units) >= 2 and all(u.start in ("numbered", "lettered") for u in block_units)

        if self.zone == "front":
            if is_list_block:
                self.zone = "agenda"
            elif unit.start in ("numbered", "lettered") or _ends_sentence(unit.text, (".", "。", "!", "?", "！", "？")):
                self.zone = "body"  # a document without an agenda list
            else:
                return "meta", None

        if self.zone == "agenda":
            if is_list_block:
                return "agenda_item", self._enter_item(unit)
            self.zone, self.item, self.parent = "body", None, None

        heading_like = self._is_heading_like(unit)
        if unit.start in ("numbered", "lettered") and unit.whole_block and (
                heading_like or not _ends_sentence(unit.text)):
            self.in_documentation = False
            if self.zone == "annex":
                return "heading", None
            return "heading", self._enter_item(unit)
        if unit.start in ("lettered", "bullet", "numbered") and not unit.whole_block:
            return "list_item", self.item
        if unit.start in ("lettered", "bullet"):
            return "list_item", self.item
        if self.in_documentation and find_symbols(unit.text):
            return "doc_ref", self.item
        if heading_like:
            name = self._heading_text(unit)
            self.in_documentation = name in self.documentation
            if name in self.annex:
                self.zone, self.item, self.parent = "annex", None, None
            return "heading", self.item
        self.in_documentation = False
        return "paragraph", self.item

    def _enter_item(self, unit: _Unit) -> str | None:
        label = _label(unit)
        if unit.start == "numbered":
            self.parent = self.item = label.rstrip(".")
        elif unit.start == "lettered" and self.parent:
            self.item = f"{self.parent}{label}"
        return self.item


def segment_version(blocks: list[Block], lang: str, params: dict) -> list[Segment]:
    """All segments of one language version, in reading order."""
    structure = _Structure(lang, params)
    segments: list[Segment] = []
    one_line: list[bool] = []
    refs: list[tuple[str, ...]] = []
    for block_units in _unit_groups(blocks):
        for unit in block_units:
            kind, item = structure.classify(unit, block_units)
            text, block = unit.text, unit.block
            if kind == "table_row":
                cells = list(block.cells) if unit.hint == "table_row" else _cells(text)
            else:
                cells = []
            segments.append(Segment(
                lang=lang, position=len(segments), kind=kind, text=text,
                char_start=unit.char_start, char_end=unit.char_end, item=item,
                label=_label(unit), page=block.page, symbols=find_symbols(text),
                cells=cells, alignable=kind != "table_rule", page_end=block.page_end,
                bbox=list(block.bbox) if block.bbox is not None else None,
            ))
            one_line.append(unit.whole_block and len(unit.lines) == 1)
            refs.append(block.refs if unit.hint is not None else ())
    _mark_title(segments, one_line)
    _mark_table_titles(segments)
    _link_footnotes(segments, refs)
    return segments


def _unit_groups(blocks: list[Block]):
    """Units per block (text inputs) or per group of consecutive hinted blocks (PDF/Word)."""
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind is None:
            yield split_block(block)
            i += 1
            continue
        j = i + 1
        while (j < len(blocks) and blocks[j].kind is not None and block.group is not None
               and blocks[j].group == block.group):
            j += 1
        yield hinted_units(blocks[i:j])
        i = j


def _mark_title(segments: list[Segment], one_line: list[bool]) -> None:
    """The front matter's last unit, when it is a single line, is the document's title."""
    front = [s for s in segments if s.kind == "meta"]
    if len(front) >= 2 and front[-1].position + 1 < len(segments) and one_line[front[-1].position]:
        front[-1].kind = "title"


def _mark_table_titles(segments: list[Segment]) -> None:
    """A heading right before a table's first row is that table's title."""
    for prev, seg in zip(segments, segments[1:]):
        if seg.kind == "table_row" and prev.kind == "heading":
            prev.kind = "table_title"


def _link_footnotes(segments: list[Segment], refs: list[tuple[str, ...]] | None = None) -> None:
    """Link each footnote marker (¹ glued to a word) to its footnote body.

    A marker refers to the next footnote with its number after the citing text
    (UN numbering restarts per document, so take the nearest); the footnote takes
    the agenda item of its first citation. PDF/Word blocks name their marks
    (``refs``: also letters and asterisks of table notes); text inputs are read
    for superscript digits.
    """
    footnotes = [s for s in segments if s.kind == "footnote"]
    for seg in segments:
        if seg.kind == "footnote":
            continue
        marks = refs[seg.position] if refs and refs[seg.position] else FOOTNOTE_MARK.findall(seg.text)
        for mark in marks:
            number = mark.translate(_SUPER_TO_ASCII)
            candidates = [f for f in footnotes if f.label == number]
            if not candidates:
                continue
            after = [f for f in candidates if f.position > seg.position]
            body = (after or candidates)[0]
            if body.seg_id not in seg.footnote_ids:
                seg.footnote_ids.append(body.seg_id)
                if not any(body.seg_id in s.footnote_ids for s in segments if s is not seg):
                    body.item = seg.item
