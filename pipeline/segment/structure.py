"""Reading-order structure: each unit's kind, agenda item and structural path.

:class:`Structure` walks the units of one language version in reading order and
keeps the numbered frame they sit in: a part (Summary, Annex), a chapter (I.), a
section (A.), a numbered heading (an agenda item's "1."), the last numbered
paragraph, the last lettered sub-paragraph. The document type (doctype.py) says how
to read what is not numbered: before the operative part of a resolution an
unnumbered paragraph is preambular; only agendas give units an agenda item.

Numbers are evidence, shapes are fallbacks: a numbered unit that continues the
paragraph numbering is a paragraph even when it is short and has no full stop; a
numbered unit that restarts at 1 after a paragraph ending with a colon opens a
quoted list (the agenda a report adopted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..anchors import find_symbols
from .markers import Marker, strip_marker, to_roman, zh_numeral_value

SENTENCE_END = tuple(".。;；:：!?！？")
_TRAILING = "⁰¹²³⁴⁵⁶⁷⁸⁹”’\"')）》」』]】 "
# A finite verb makes a short English line a sentence, not a heading
# ("No documentation is expected under this item").
_EN_FINITE = re.compile(r"\b(?:is|are|was|were|will|shall|has|have|had|may|should|would|can|could|must|does|did)\b")
_SUMMARY = re.compile(r"^(?:summary|摘要|概要|内容提要)$", re.I)
_ANNEX = re.compile(
    r"^(?:annex(?:es)?|appendix|enclosure)\b(?:\s+([IVXL]+|\d+))?|^附[件录](?:([一二三四五六七八九十]+))?"
    r"|的附[件录](?:([一二三四五六七八九十]+))?$",
    re.I,
)
_ANNOTATIONS = re.compile(r"^(?:annotations|说明)$", re.I)
_SIGNED = re.compile(r"^[(（](?:signed|签名)[)）]|[(（]签名[)）]$", re.I)
_REPORT_TITLE = re.compile(r"^report of\b|的报告$", re.I)
# "Cuba: draft resolution", "古巴：决议草案" (a footnote mark may follow the colon)
_SPONSORS = re.compile(
    r"[:：]\*?\s*(?:revised\s+)?draft (?:resolution|decision)\s*$|[：:]\*?\s*(?:订正)?(?:决议|决定)草案$", re.I
)
_AGENDA_WORD = re.compile(r"\bagenda\b|议程", re.I)
_ENDS_NOT_HEADING = SENTENCE_END + (",", "，")  # "The General Assembly," opens a preamble
_CLAUSE_END = (".", "。", ",", "，", ";", "；")
# The closing line of a resolution: "71st plenary meeting / 15 December 2031".
_PLENARY = re.compile(r"^\d+(?:st|nd|rd|th) plenary meeting\b|^第\s*\d+\s*次全体会议", re.I)
_ROMAN_SUBS = (
    "i",
    "ii",
    "iii",
    "iv",
    "v",
    "vi",
    "vii",
    "viii",
    "ix",
    "x",
    "xi",
    "xii",
    "xiii",
    "xiv",
    "xv",
    "xvi",
    "xvii",
    "xviii",
    "xix",
    "xx",
)


def ends_sentence(text: str, ends: tuple[str, ...] = SENTENCE_END) -> bool:
    """Does the text end like a sentence (note marks and closing quotes aside)?"""
    return text.rstrip(_TRAILING).endswith(ends)


@dataclass
class UnitView:
    """What the classifier needs of one unit."""

    text: str
    marker: Marker
    single_line: bool  # a whole block of one line (text inputs): the shape of a heading
    hint: str | None  # Block.kind from a PDF/Word reader, None for text inputs
    in_list_block: bool  # its block (or printed group) holds several numbered units


@dataclass
class Assigned:
    kind: str
    item: str | None = None
    path: str | None = None


def _join_path(parts: list[str]) -> str | None:
    out = ""
    for p in parts:
        out += p if (p.startswith("(") or not out) else "." + p
    return out or None


@dataclass
class _Frame:
    part: str | None = None  # 'Summary', 'Annex', 'Annex.II'
    soft_part: bool = False  # Summary ends at the first chapter or numbered paragraph
    chapter: str | None = None
    section: str | None = None
    heading: str | None = None  # numbered heading '1', with its lettered sub-heading '1(a)'
    heading_no: int | None = None

    def path(self) -> str | None:
        return _join_path([p for p in (self.part, self.chapter, self.section, self.heading) if p])


@dataclass
class Structure:
    lang: str
    doc_type: str
    max_heading: int
    documentation: set[str]
    frame: _Frame = field(default_factory=_Frame)
    zone: str = "front"  # front -> agenda (agenda list) -> body
    para_no: int | None = None  # last numbered paragraph
    para_path: str | None = None
    para_frame: str | None = None  # frame path the last numbered paragraph sits in
    para_ends_colon: bool = False
    letter: str | None = None  # last lettered sub-paragraph label and path
    letter_path: str | None = None
    quoted: dict | None = None  # an open quoted list: intro path, next number, kind
    preambles: int = 0
    operative: bool = False
    in_documentation: bool = False
    item: str | None = None  # agenda documents only
    parent_item: str | None = None
    last_kind: str | None = None
    last_para_text: str = ""
    after_colon: bool = False  # the unit before ends with a colon: what follows is its list

    # ------------------------------------------------------------------ shapes
    def heading_shape(self, u: UnitView) -> bool:
        text = u.text
        if u.hint is not None:  # the reader saw size and weight; a heading still never ends a clause
            return u.hint == "heading" and not text.rstrip(_TRAILING).endswith(_CLAUSE_END)
        if not u.single_line or len(text) > self.max_heading or ends_sentence(text, _ENDS_NOT_HEADING):
            return False
        return not (self.lang != "zh" and _EN_FINITE.search(strip_marker(text)))

    def numbered_heading_shape(self, u: UnitView) -> bool:
        """A numbered line without a final stop reads as a heading at any length ("3. Coordination
        among technical assistance providers regarding ..."); the numbering decides the rest."""
        if u.hint is not None:
            return u.hint == "heading"
        return u.single_line and not ends_sentence(u.text)

    def _anchor(self) -> str | None:
        """What a sub-paragraph hangs under: the last numbered paragraph of this frame, else the frame."""
        if self.para_path is not None and self.para_frame == self.frame.path():
            return self.para_path
        return self.frame.path()

    # ------------------------------------------------------------------ front matter
    def _front(self, u: UnitView) -> Assigned | None:
        """Kind of a front-matter unit, or None when the body starts here."""
        text = u.text.strip()
        if u.hint == "meta":
            return Assigned("meta")
        if u.marker.type == "footnote":  # a note on a masthead or sponsors line ("* On behalf of ...")
            return Assigned("footnote", None, f"fn{u.marker.label}")
        if _SPONSORS.search(text):
            return Assigned("sponsors")
        if u.marker.type != "text" or u.in_list_block:
            return None
        if _SUMMARY.match(text) or _ANNOTATIONS.match(text) or _ANNEX.search(text):
            return None
        if ends_sentence(text) or (
            self.doc_type in ("resolution", "decision", "draft_resolution") and text.endswith((",", "，"))
        ):
            return None
        return Assigned("meta")

    # ------------------------------------------------------------------ body
    def classify(self, u: UnitView) -> Assigned:
        if self.zone == "front":
            got = self._front(u)
            if got is not None:
                self.last_kind = got.kind
                return got
            self.zone = "agenda" if (self.doc_type == "agenda" and u.marker.type == "numbered") else "body"
        got = self._classify_body(u)
        self.last_kind = got.kind
        self.after_colon = u.text.rstrip(_TRAILING).endswith((":", "："))
        return got

    def _classify_body(self, u: UnitView) -> Assigned:
        m = u.marker
        if m.type in ("table_row", "table_rule"):
            return Assigned(m.type, self.item, self.frame.path())
        if m.type == "footnote":
            return Assigned("footnote", None, f"fn{m.label}")
        if self.zone == "agenda":
            if m.type in ("numbered", "lettered"):
                return self._agenda_entry(m)
            self.zone = "body"
            self.item = self.parent_item = None
        if self.quoted is not None:
            got = self._quoted_entry(u)
            if got is not None:
                return got
        if m.type == "chapter" and self._next_section_letter(m.label):
            m = Marker("section", m.label)  # section I after section H, not chapter I
        if m.type == "chapter" and not (ends_sentence(u.text) and len(u.text) > self.max_heading):
            return self._open_heading(u, "chapter")
        if m.type == "section" and not (ends_sentence(u.text) and len(u.text) > self.max_heading):
            return self._open_heading(u, "section", m.label)
        if m.type == "numbered":
            return self._numbered(u)
        if m.type == "lettered" and m.label in _ROMAN_SUBS and self._is_roman(m.label):
            m = Marker("roman", m.label)
        if m.type == "lettered":
            return self._lettered(u, m)
        if m.type == "roman":
            base = self.letter_path or self._anchor()
            return Assigned("list_item", self.item, _join_path([base or "", f"({m.label})"]))
        if m.type == "bullet":
            return Assigned("list_item", self.item, self._anchor())
        return self._unnumbered(u)

    def _is_roman(self, label: str) -> bool:
        """(i), (v), (x) are letters when they continue a lettered list: (h) (i), (u) (v);
        after a sub-paragraph ending with a colon, (i) opens its sub-list."""
        if label not in ("i", "v", "x"):
            return True
        if label == "i" and self.after_colon and self.last_kind == "list_item":
            return True
        return not (self.letter and ord(self.letter[-1]) + 1 == ord(label) and len(self.letter) == 1)

    def _agenda_entry(self, m: Marker) -> Assigned:
        if m.type == "numbered":
            self.parent_item = self.item = m.label
        elif self.parent_item:
            self.item = f"{self.parent_item}({m.label})"
        return Assigned("agenda_item", self.item, self.item)

    def _quoted_entry(self, u: UnitView) -> Assigned | None:
        q, m = self.quoted, u.marker
        collides = self.para_no is not None and m.type == "numbered" and int(m.label) == self.para_no + 1
        if collides and not u.in_list_block and len(strip_marker(u.text)) > 2 * self.max_heading:
            self.quoted = None  # a sentence-length paragraph continuing the numbering ends the quote
            return None
        if m.type == "numbered" and int(m.label) == q["next"]:
            q["next"] += 1
            q["entry"] = m.label
            return Assigned(q["kind"], m.label if q["kind"] == "agenda_item" else None, f"{q['intro']}.{m.label}")
        if m.type == "lettered" and q.get("entry"):
            item = f"{q['entry']}({m.label})"
            return Assigned(q["kind"], item if q["kind"] == "agenda_item" else None, f"{q['intro']}.{item}")
        self.quoted = None
        return None

    def _next_section_letter(self, label: str) -> bool:
        section = self.frame.section
        return len(label) == 1 and section is not None and ord(label) == ord(section) + 1

    def _open_heading(self, u: UnitView, level: str, label: str | None = None) -> Assigned:
        f = self.frame
        if f.soft_part:
            f.part, f.soft_part = None, False
        if level == "chapter":
            f.chapter, f.section = u.marker.label, None
        else:
            f.section = label or u.marker.label
        f.heading, f.heading_no = None, None
        self.letter = self.letter_path = None
        self.in_documentation = strip_marker(u.text).casefold() in self.documentation
        return Assigned("heading", self.item, f.path())

    def _numbered(self, u: UnitView) -> Assigned:
        n = int(u.marker.label)
        f = self.frame
        if f.soft_part:
            f.part, f.soft_part = None, False
        continues = self.para_no is not None and n == self.para_no + 1
        if self.para_no is not None and n == 1 and not continues and self.para_ends_colon:
            intro = self.para_path or self.frame.path() or ""
            kind = "agenda_item" if _AGENDA_WORD.search(self.last_para_text) else "list_item"
            self.quoted = {"intro": intro, "next": 2, "kind": kind, "entry": "1"}
            return Assigned(kind, "1" if kind == "agenda_item" else None, f"{intro}.1")
        if self._resolution_body():
            return self._paragraph(u, n, "operative", f"OP{n}")
        if self.doc_type == "agenda" and self.numbered_heading_shape(u):  # item headings: no final stop
            self.parent_item = self.item = u.marker.label
            return self._numbered_heading(n)
        if not continues and self.numbered_heading_shape(u) and (n == 1 or n == (f.heading_no or 0) + 1):
            return self._numbered_heading(n)
        if continues and self.heading_shape(u):  # "2. Finance" after paragraph 1: short, nominal
            return self._numbered_heading(n)
        return self._paragraph(u, n, "paragraph", _join_path([f.path() or "", str(n)]))

    def _numbered_heading(self, n: int) -> Assigned:
        f = self.frame
        f.heading, f.heading_no = str(n), n
        self.letter = self.letter_path = None
        self.in_documentation = False
        return Assigned("heading", self.item, f.path())

    def _paragraph(self, u: UnitView, n: int, kind: str, path: str) -> Assigned:
        if kind == "operative":
            self.operative = True
        self.para_no, self.para_path, self.para_frame = n, path, self.frame.path()
        self.para_ends_colon = u.text.rstrip(_TRAILING).endswith((":", "："))
        self.last_para_text = u.text
        self.letter = self.letter_path = None
        self.in_documentation = self.in_documentation and self.para_ends_colon  # "had before it the following:"
        return Assigned(kind, self.item, path)

    def _lettered(self, u: UnitView, m: Marker) -> Assigned:
        if self.doc_type == "agenda" and self.parent_item and not self.after_colon and self.numbered_heading_shape(u):
            self.item = f"{self.parent_item}({m.label})"
            f = self.frame
            f.heading = f"{self.parent_item}({m.label})"
            self.in_documentation = False
            return Assigned("heading", self.item, f.path())
        base = self._anchor() or ""
        path = _join_path([base, f"({m.label})"])
        self.letter, self.letter_path = m.label, path
        return Assigned("list_item", self.item, path)

    def _unnumbered(self, u: UnitView) -> Assigned:
        text = u.text.strip()
        name = strip_marker(text)
        f = self.frame
        if _PLENARY.match(text):
            return Assigned("meta")
        if self.numbered_heading_shape(u) and (_SUMMARY.match(name) or _ANNEX.search(name) or _ANNOTATIONS.match(name)):
            return self._part(name)
        if _SIGNED.search(text) or (self.last_kind == "signature" and self.heading_shape(u) and len(text) <= 40):
            return Assigned("signature", self.item, f.path())
        if self.in_documentation and find_symbols(text):
            return Assigned("doc_ref", self.item, f.path())
        if self.heading_shape(u):
            if self.doc_type == "note" and self.para_no is None and f.path() is None and _REPORT_TITLE.search(name):
                return Assigned("title")  # the title of the report a note transmits
            self.in_documentation = name.casefold() in self.documentation
            return Assigned("heading", self.item, f.path())
        self.in_documentation = False
        if f.part == "Summary":
            return Assigned("summary", None, "Summary")
        if self._resolution_body() and not self.operative:
            if text.rstrip(_TRAILING).endswith((".", "。")):  # preambular paragraphs never end a sentence
                self.operative = True
                return Assigned("operative", self.item, "OP1")  # the one unnumbered operative paragraph
            self.preambles += 1
            return Assigned("preamble", self.item, f"PP{self.preambles}")
        return Assigned("paragraph", self.item, f.path())

    def _part(self, name: str) -> Assigned:
        """A heading that opens a part: Summary, an annex, an agenda's annotations."""
        self.in_documentation = False
        if _SUMMARY.match(name):
            self.frame = _Frame(part="Summary", soft_part=True)
            return Assigned("heading", None, "Summary")
        self.item = self.parent_item = None
        if m := _ANNEX.search(name):
            self._reset_numbering()
            number = next((g for g in m.groups() if g), None)
            part = "Annex" if number is None else f"Annex.{_annex_number(number)}"
            self.frame = _Frame(part=part)
            return Assigned("heading", None, part)
        self.frame = _Frame()  # annotations
        return Assigned("heading", None, None)

    def _resolution_body(self) -> bool:
        """Preambular/operative reading applies to a resolution or decision, not to its annexes."""
        return self.doc_type in ("resolution", "decision", "draft_resolution") and self.frame.part is None

    def _reset_numbering(self) -> None:
        self.para_no = self.para_path = self.para_frame = None
        self.letter = self.letter_path = None
        self.quoted = None
        self.in_documentation = False


def _annex_number(number: str) -> str:
    if number.isdigit():
        return to_roman(int(number))
    value = zh_numeral_value(number)
    return to_roman(value) if value else number.upper()
