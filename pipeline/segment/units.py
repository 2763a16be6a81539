"""Blocks -> structural units (segments) of one language version of a UN document.

1. Units. :func:`split_block` cuts a text block into line groups by what each line
   starts with (markers.py: a chapter or section number, a paragraph number, a letter
   in brackets, a bullet, a table pipe, a footnote mark). Blocks from PDF and Word
   readers already are one unit each and carry a structure hint (``Block.kind``) and a
   ``group`` (units printed without a paragraph gap, e.g. a list):
   :func:`hinted_units` keeps them as they are.
2. Type. The front matter's lines say what the document is (doctype.py).
3. Structure. structure.py walks the units in reading order and gives each its kind,
   agenda item (agendas only) and structural path.
4. Post-passes: the title, table titles and notes, footnote links.
Thresholds come from ``params['segment']``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..anchors import find_symbols
from ..langs import join_lines
from ..records import Block, Segment
from . import doctype
from .markers import FOOTNOTE_MARK, SUPER_TO_ASCII, SUPERSCRIPT_DIGITS, Marker, marker_of, printed_label
from .structure import Structure, UnitView, ends_sentence

__all__ = ["SUPERSCRIPT_DIGITS", "segment_version", "split_block", "hinted_units"]

# A byline under the title: who presents the document ("Note by the Secretariat",
# "Report of the Advisory Committee on Administrative and Budgetary Questions").
_ENDS_FRONT = (".", "。", ";", "；", ":", "：", "!", "?", "！", "？", ",", "，")
_BYLINE = re.compile(r"^(?:note|report) (?:by|of) the\b|的(?:说明|报告)$", re.I)
_TABLE_NOTE = re.compile(r"^(?:sources?|notes?|资料来源|来源|注)\s*[:：]|^[a-z*]\s+\S|^[ᵃᵇᶜᵈᵉ*]", re.I)


@dataclass(frozen=True)
class SegmentSettings:
    """params.yaml ``segment``."""

    # A one-line block up to this many characters (per language), without sentence-final
    # punctuation, is a heading.
    max_heading_chars: dict[str, int] = field(
        default_factory=lambda: {"zh": 40, "en": 120, "default": 120}, metadata={"open": True}
    )
    # Headings that open a list of documents: the blocks after them are doc_ref units.
    documentation_headings: list[str] = field(default_factory=lambda: ["Documentation", "文件", "Documents"])


@dataclass
class _LineGroup:
    """A group of lines that forms one segment, before it has a kind."""

    lines: list[str]
    marker: Marker
    block: Block
    char_start: int
    char_end: int
    whole_block: bool = False
    hint: str | None = None  # Block.kind of a PDF/Word unit; None for text inputs

    @property
    def text(self) -> str:
        return join_lines(self.lines)


def split_block(block: Block) -> list[_LineGroup]:
    """A block's lines grouped into units: each marked line starts a new unit."""
    units: list[_LineGroup] = []
    offset = block.char_start
    for line in block.lines:
        marker = marker_of(line)
        line_start = offset + (len(line) - len(line.lstrip()))
        line_end = offset + len(line.rstrip())
        if units and marker.type == "text" and units[-1].marker.type not in ("table_row", "table_rule"):
            units[-1].lines.append(line)
            units[-1].char_end = line_end
        else:
            units.append(_LineGroup([line], marker, block, line_start, line_end))
        offset += len(line) + 1
    if len(units) == 1:
        units[0].whole_block = True
    return units


def hinted_units(blocks: list[Block]) -> list[_LineGroup]:
    """One unit per block of a group of PDF/Word blocks (see the module docstring)."""
    units = []
    for block in blocks:
        if block.kind == "footnote":
            marker = Marker("footnote", block.label or marker_of(block.lines[0]).label)
        elif block.kind == "table_row":
            marker = Marker("table_row")
        else:
            marker = marker_of(block.lines[0]) if block.lines else Marker("text")
            if marker.type in ("table_row", "table_rule", "footnote"):
                marker = Marker("text")  # the reader said what it is: a pipe or a superscript is just text here
        units.append(
            _LineGroup(
                list(block.lines),
                marker,
                block,
                block.char_start,
                block.char_end,
                whole_block=len(blocks) == 1,
                hint=block.kind,
            )
        )
    return units


def _cells(text: str) -> list[str]:
    return [cell.strip() for cell in text.strip().strip("|").split("|")]


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
        while (
            j < len(blocks)
            and blocks[j].kind is not None
            and block.group is not None
            and blocks[j].group == block.group
        ):
            j += 1
        yield hinted_units(blocks[i:j])
        i = j


def _front_texts(groups: list[list[_LineGroup]], limit: int = 16) -> list[str]:
    """Texts of the leading units up to the first numbered or sentence-like one."""
    texts = []
    for unit in (u for g in groups for u in g):
        if unit.marker.type == "footnote":
            continue
        if len(texts) >= limit or (
            unit.hint != "meta" and (unit.marker.type != "text" or ends_sentence(unit.text, _ENDS_FRONT))
        ):
            break  # the body starts: a number, a sentence, a preamble's "The General Assembly,"
        texts.append(unit.text)
    return texts


def segment_version(blocks: list[Block], lang: str, params: dict) -> list[Segment]:
    """All segments of one language version, in reading order."""
    groups = list(_unit_groups(blocks))
    limits = params["max_heading_chars"]
    structure = Structure(
        lang=lang,
        doc_type=doctype.detect(_front_texts(groups)),
        max_heading=limits.get(lang, limits["default"]),
        documentation={h.casefold() for h in params["documentation_headings"]},
    )
    segments: list[Segment] = []
    one_line: list[bool] = []
    refs: list[tuple[str, ...]] = []
    for block_units in groups:
        in_list = len(block_units) >= 2 and all(u.marker.type in ("numbered", "lettered") for u in block_units)
        for unit in block_units:
            single = unit.whole_block and len(unit.lines) == 1
            got = structure.classify(UnitView(unit.text, unit.marker, single, unit.hint, in_list))
            text, block = unit.text, unit.block
            if got.kind == "table_row":
                cells = list(block.cells) if unit.hint == "table_row" else _cells(text)
            else:
                cells = []
            segments.append(
                Segment(
                    lang=lang,
                    position=len(segments),
                    kind=got.kind,
                    text=text,
                    char_start=unit.char_start,
                    char_end=unit.char_end,
                    item=got.item,
                    path=got.path,
                    label=unit.block.label
                    if unit.hint == "footnote" and unit.block.label
                    else printed_label(unit.marker),
                    page=block.page,
                    symbols=find_symbols(text),
                    cells=cells,
                    alignable=got.kind != "table_rule",
                    page_end=block.page_end,
                    bbox=list(block.bbox) if block.bbox is not None else None,
                )
            )
            one_line.append(len(unit.lines) <= 2 or unit.hint is not None)  # a title may print on two lines
            refs.append(block.refs if unit.hint is not None else ())
    _mark_title(segments, one_line)
    _mark_tables(segments)
    _link_footnotes(segments, refs)
    return segments


def _mark_title(segments: list[Segment], one_line: list[bool]) -> None:
    """The front matter's last unit, when it is at most two lines, is the document's title."""
    metas = []
    for seg in segments:
        if seg.kind not in ("meta", "sponsors", "footnote"):
            break
        if seg.kind == "meta":
            metas.append(seg)
    else:
        return  # all front matter: nothing follows a title
    if len(metas) >= 2 and one_line[metas[-1].position]:
        metas[-1].kind = "title"
        # a byline under the title ("Note by the Secretariat") is the title's second line
        if (
            len(metas) >= 4
            and _BYLINE.search(metas[-1].text.strip())
            and one_line[metas[-2].position]
            and not metas[-2].text.startswith("Distr")
        ):
            metas[-2].kind = "title"


def _mark_tables(segments: list[Segment]) -> None:
    """A heading right before a table's first row is that table's title; a source line or
    note right after its last row is a table note."""
    rows = [s for s in segments if s.kind == "table_row"]
    for prev, seg in zip(segments, segments[1:]):
        if seg.kind == "table_row" and (
            prev.kind == "heading" or (prev.kind == "paragraph" and not ends_sentence(prev.text))
        ):
            prev.kind = "table_title"
            prev.path = seg.path
        if (
            prev.kind in ("table_row", "table_rule", "table_note")
            and seg.kind in ("paragraph", "list_item", "heading")
            and _TABLE_NOTE.match(seg.text.strip())
        ):
            seg.kind = "table_note"
            seg.path = next((r.path for r in reversed(rows) if r.position < seg.position), seg.path)


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
            number = mark.translate(SUPER_TO_ASCII)
            candidates = [f for f in footnotes if f.label == number]
            if not candidates:
                continue
            after = [f for f in candidates if f.position > seg.position]
            body = (after or candidates)[0]
            if body.seg_id not in seg.footnote_ids:
                seg.footnote_ids.append(body.seg_id)
                if not any(body.seg_id in s.footnote_ids for s in segments if s is not seg):
                    body.item = seg.item
