"""Word reader (python-docx): body paragraphs, list numbering, footnotes, tables -> units.

* Paragraphs in body order, tables where they stand. Tabs and line breaks read as
  spaces, no-break spaces as spaces (as the UN PDFs print them).
* List numbering (``w:numPr``, direct or from the paragraph style) is rendered the
  way Word prints it ("1.", "(a)", "II."), from ``numbering.xml``; bullets print as
  "•".
* Footnotes come from the footnotes part; each reference in the text becomes a
  superscript mark (¹, as the PDF reader gives it) and the footnote follows the
  paragraph that cites it, like the PDF reader places footnotes after the paragraph
  open at a page's end. Superscript runs (table-note letters) become superscript
  characters too.
* Headings come from the paragraph style (``Heading n``, the UN styles ``H1``,
  ``_ H_1``, ``Title``...): Word says what a heading is, so no guessing.

Headers and footers (page furniture) are not read; the masthead of a UN Word file
lives in the first-page header, so there is no masthead metadata here.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..errors import InputError
from .extracted import Extracted, LayoutUnit
from .pdfpage import SUPER

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADING_STYLE = re.compile(r"(?i)^(heading\s*\d|title|_?\s*h\s*_?\s*[\d_/ ]|_?\s*h\s*_?ch|h\d|hch)")


def _super(text: str) -> str:
    return "".join(SUPER.get(ch, ch) for ch in text)


def _roman(n: int) -> str:
    out = ""
    for value, letters in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out += letters
            n -= value
    return out


def _format(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26) * (1 + (n - 1) // 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26) * (1 + (n - 1) // 26)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    return str(n)


class _Numbering:
    """Word list numbering: numId/ilvl -> printed label, with counters."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}
        self.num_to_abstract: dict[str, str] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for abstract in root.iter(f"{_W}abstractNum"):
            aid = abstract.get(f"{_W}abstractNumId")
            levels = {}
            for lvl in abstract.iter(f"{_W}lvl"):
                ilvl = int(lvl.get(f"{_W}ilvl", "0"))
                start = lvl.find(f"{_W}start")
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                levels[ilvl] = (
                    int(start.get(f"{_W}val")) if start is not None else 1,
                    fmt.get(f"{_W}val") if fmt is not None else "decimal",
                    text.get(f"{_W}val") if text is not None else "",
                )
            self.levels[aid] = levels
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.num_to_abstract[num.get(f"{_W}numId")] = ref.get(f"{_W}val")

    def label(self, num_id: str, ilvl: int) -> str | None:
        aid = self.num_to_abstract.get(num_id)
        levels = self.levels.get(aid or "")
        if not levels or ilvl not in levels:
            return None
        counters = self.counters.setdefault(aid, [0] * 10)
        start, fmt, text = levels[ilvl]
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else start
        for deeper in range(ilvl + 1, 10):
            counters[deeper] = 0
        if fmt == "bullet":
            return "•"
        if fmt == "none":
            return text or None

        def value(m):
            level = int(m.group(1)) - 1
            lstart, lfmt, _ = levels.get(level, (1, "decimal", ""))
            return _format(counters[level] or lstart, lfmt)

        return re.sub(r"%(\d)", value, text)


def _num_pr(paragraph):
    p_pr = paragraph._p.pPr
    num_pr = p_pr.numPr if p_pr is not None else None
    style = paragraph.style
    while num_pr is None and style is not None:
        s_pr = style.element.pPr
        num_pr = s_pr.numPr if s_pr is not None else None
        style = style.base_style
    if num_pr is None or num_pr.numId is None:
        return None
    ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
    return str(num_pr.numId.val), int(ilvl)


def _footnotes(document) -> dict[str, str]:
    """footnote id -> text, from the footnotes part."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    notes = {}
    for rel in document.part.rels.values():
        if rel.reltype != RT.FOOTNOTES:
            continue
        from lxml import etree

        root = etree.fromstring(rel.target_part.blob)
        for note in root.iter(f"{_W}footnote"):
            if note.get(f"{_W}type") not in (None, "normal"):
                continue  # separators
            notes[note.get(f"{_W}id")] = _clean(_runs_text(note, {}, [])[0])
    return notes


def _runs_text(element, note_numbers: dict[str, int], refs: list[tuple[str, str]]) -> tuple[str, list]:
    """Text of a paragraph-like element; footnote references become superscript numbers."""
    out = []
    for node in element.iter():
        tag = node.tag
        if tag == f"{_W}t":
            text = node.text or ""
            r_pr = node.getparent().find(f"{_W}rPr")
            va = r_pr.find(f"{_W}vertAlign") if r_pr is not None else None
            if va is not None and va.get(f"{_W}val") == "superscript" and text.strip():
                refs.append(("mark", text.strip()))
                text = _super(text)
            out.append(text)
        elif tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
            out.append(" ")
        elif tag == f"{_W}footnoteReference":
            fid = node.get(f"{_W}id")
            number = note_numbers.setdefault(fid, len(note_numbers) + 1)
            refs.append(("note", fid))
            out.append(_super(str(number)))
        elif tag == f"{_W}footnoteRef":  # the number inside the footnote itself
            pass
    return "".join(out), refs


def _clean(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def read_docx(path: Path, lang: str, params: dict | None = None) -> Extracted:
    try:
        import docx
    except ImportError as err:  # pragma: no cover - a dependency
        raise InputError(path, f"reading Word files needs python-docx ({err})") from None
    path = Path(path)
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as err:
        raise InputError(path, f"not a readable Word .docx file ({type(err).__name__}: {str(err)[:80]})") from None
    except Exception as err:
        raise InputError(path, f"not a readable Word .docx file ({type(err).__name__}: {str(err)[:80]})") from None
    numbering = _Numbering(document)
    notes = _footnotes(document)
    note_numbers: dict[str, int] = {}
    units: list[LayoutUnit] = []
    group = 0
    prev_list = None
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    body = document.element.body
    for child in body.iterchildren():
        if child.tag == f"{_W}p":
            paragraph = Paragraph(child, document)
            refs: list = []
            text, refs = _runs_text(child, note_numbers, refs)
            text = _clean(text)
            num = _num_pr(paragraph)
            if num is not None and text:
                label = numbering.label(*num)
                if label:
                    text = f"{label} {text}"
            if not text:
                continue
            style = paragraph.style.name if paragraph.style is not None else ""
            kind = "heading" if HEADING_STYLE.match(style.strip()) else "paragraph"
            in_list = num is not None
            if not (in_list and prev_list):
                group += 1
            prev_list = in_list
            marks = tuple(str(note_numbers[v]) if k == "note" else v for k, v in refs)
            units.append(LayoutUnit(kind, text, group, refs=marks))
            for k, fid in refs:
                if k == "note" and fid in notes:
                    group += 1
                    units.append(
                        LayoutUnit(
                            "footnote",
                            f"{_super(str(note_numbers[fid]))} {notes[fid]}",
                            group,
                            label=str(note_numbers[fid]),
                        )
                    )
        elif child.tag == f"{_W}tbl":
            group += 1
            prev_list = None
            table = Table(child, document)
            for row in table.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue  # a merged cell appears once per grid column
                    seen.add(id(cell._tc))
                    cells.append(_clean(" ".join(_runs_text(p._p, note_numbers, [])[0] for p in cell.paragraphs)))
                if any(cells):
                    text = "|" + "|".join(f" {c} " if c else " " for c in cells) + "|"
                    units.append(LayoutUnit("table_row", text, group, cells=tuple(cells)))
    if not units:
        raise InputError(path, "empty Word document (no text in its body)")
    return Extracted.from_units(units, lang)
