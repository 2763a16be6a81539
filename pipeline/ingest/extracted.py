"""What a reader returns: :class:`Extracted` (normalised text, blocks, metadata).

Two kinds of reader share this contract:

* **Line readers** (plain text) return the text; :meth:`Extracted.from_text` cuts it
  into blocks of lines exactly as before (``text_to_blocks``), with no hints, and the
  segmenter reads the structure from what each line starts with.
* **Layout readers** (PDF, Word) know the structure from the layout, so they yield
  :class:`LayoutUnit` objects (one per paragraph, heading, footnote, table row, masthead
  block), each with its kind hint, pages, bounding box, note marks and, for table
  rows, cells. :meth:`Extracted.from_units` lays them out as text (one line per unit,
  a blank line between groups) so that every block keeps character offsets into
  ``Extracted.text`` and "nothing lost" can be checked the same way for every format.

``furniture`` holds what a layout reader deliberately dropped (running heads and
feet, page and job numbers, barcode, masthead symbol, footnote separator rules,
repeated table heads), so that characters read = characters kept + furniture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..records import Block

# Structure hints a layout reader may give (Block.kind).
HINTS = ("meta", "heading", "paragraph", "footnote", "table_row")


@dataclass
class LayoutUnit:
    """One structural unit found by a layout reader, before it gets offsets."""

    kind: str
    text: str
    group: int
    page: int | None = None
    page_end: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    label: str | None = None
    cells: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()

    def __post_init__(self):
        if self.kind not in HINTS:
            raise ValueError(f"unknown unit kind {self.kind!r}")


@dataclass
class Extracted:
    """A reader's result for one language version."""

    text: str
    blocks: list[Block]
    metadata: dict = field(default_factory=dict)
    furniture: list[str] = field(default_factory=list)
    n_pages: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def n_furniture_chars(self) -> int:
        return sum(1 for part in self.furniture for ch in part if not ch.isspace())

    @classmethod
    def from_text(cls, text: str, lang: str) -> "Extracted":
        return cls(text, text_to_blocks(text, lang))

    @classmethod
    def from_units(cls, units: list[LayoutUnit], lang: str, **kwargs) -> "Extracted":
        """Lay units out as text: one line each, units of one group on consecutive lines."""
        parts: list[str] = []
        blocks: list[Block] = []
        offset = 0
        previous_group = None
        for unit in units:
            text = " ".join(unit.text.split("\n")).strip()
            if not text:
                continue
            if blocks:
                sep = "\n" if unit.group == previous_group else "\n\n"
                parts.append(sep)
                offset += len(sep)
            previous_group = unit.group
            blocks.append(
                Block(
                    lang,
                    len(blocks),
                    (text,),
                    offset,
                    offset + len(text),
                    unit.page,
                    page_end=unit.page_end,
                    bbox=unit.bbox,
                    kind=unit.kind,
                    label=unit.label,
                    cells=tuple(unit.cells),
                    refs=tuple(unit.refs),
                    group=unit.group,
                )
            )
            parts.append(text)
            offset += len(text)
        return cls("".join(parts) + "\n", blocks, **kwargs)


def text_to_blocks(text: str, lang: str) -> list[Block]:
    """Blocks = runs of non-blank lines, with their character offsets in ``text``."""
    blocks: list[Block] = []
    lines: list[str] = []
    start = offset = 0
    for raw_line in text.split("\n"):
        if raw_line.strip():
            if not lines:
                start = offset
            lines.append(raw_line)
            end = offset + len(raw_line)
        elif lines:
            blocks.append(Block(lang, len(blocks), tuple(lines), start, end))
            lines = []
        offset += len(raw_line) + 1
    if lines:
        blocks.append(Block(lang, len(blocks), tuple(lines), start, end))
    return blocks
