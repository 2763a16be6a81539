"""Typed records that flow between stages; tables are their column-wise form."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    """Consecutive non-blank lines of one language version, as ingested."""

    lang: str
    block_id: int
    lines: tuple[str, ...]
    char_start: int
    char_end: int
    page: int | None = None
    # Layout facts from PDF/DOCX readers (all unset for text inputs, where the
    # segmenter reads the structure from the lines themselves):
    page_end: int | None = None  # last page the block runs onto
    bbox: tuple[float, float, float, float] | None = None  # [x0, top, x1, bottom] on `page`, PDF points
    kind: str | None = None  # structure hint: meta, heading, paragraph, footnote, table_row
    label: str | None = None  # footnote / table-note mark of a footnote block ('1', 'a', '*')
    cells: tuple[str, ...] = ()  # cells of a table_row block
    refs: tuple[str, ...] = ()  # note marks the block's text carries, in order
    group: int | None = None  # blocks printed with no paragraph gap between them (a list) share a group


@dataclass
class Segment:
    """A structural unit: a heading, a paragraph, an agenda item, a table row, ..."""

    lang: str
    position: int
    kind: str
    text: str
    char_start: int
    char_end: int
    item: str | None = None
    label: str | None = None
    page: int | None = None
    path: str | None = None
    symbols: list[str] = field(default_factory=list)
    footnote_ids: list[str] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)
    alignable: bool = True
    page_end: int | None = None
    bbox: list[float] | None = None

    @property
    def seg_id(self) -> str:
        return f"{self.lang}-{self.position:04d}"


@dataclass(frozen=True)
class Sentence:
    lang: str
    seg_id: str
    n: int
    text: str
    tokens: tuple[str, ...]

    @property
    def sent_id(self) -> str:
        return f"{self.seg_id}.{self.n}"
