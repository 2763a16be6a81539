"""A UN-layout PDF renderer for test fixtures (reportlab), after the measured real layouts.

Two layouts, chosen by name (``render(doc, path, layout="geneva")``):

``newyork``
    A New York Word-made UN document (US Letter 612x792): page 1 masthead with the
    organisation name, the split symbol (a large first component and the rest in 10 pt),
    a thin rule, the organ name, the Distr./date/language/Original block, a thick rule;
    page 1 foot with ``09-56431 (E)    140809`` and the barcode text; later pages with
    the symbol in a running head that alternates sides over a rule, and a running foot
    with ``n/N`` and the job number swapping sides; 10-pt Times body, ragged right;
    Chinese in Droid Sans Fallback (Debian ``fonts-droid-fallback``) with Latin
    letters and digits in Times; footnotes under a line of underscores.
``geneva``
    A Geneva document (A4 595x842): 11-pt Times body in English, 12-pt AR PL UMing
    (a Ming/Song serif, Debian ``fonts-arphic-uming``) in Chinese with Latin letters and
    digits set in Times in the same line; lines justified: English by widening the word
    spaces (``Tw``), Chinese by widening the gaps between all characters (``Tc``), so the
    gaps between two Chinese characters are not spaces; wider margins; ``GE.31-12345(C)``
    job number at the foot of page 1; running head with the symbol over a rule,
    centred page number at the foot; footnotes under a short rule.

Both: footnotes at the foot of the page where their mark is cited (raised small marks
glued to the previous character), continued on the next page when they do not fit;
paragraphs that cross page breaks; tables with horizontal rules only (thin on top,
thick under the head row, thin at the bottom), the head row repeated on continuation
pages.

Documents come from a **layout description** written apart from the pipeline: the
``SourceDoc`` of tests/devcorpus.py (per entry: kind, style, text per language,
tables). Each layout has a **style table** mapping the entry kinds and styles to
drawing styles (headings bold and sized by level, chapter numerals hanging in the
margin, numbered paragraphs with the number at the column edge and the text after a
tab stop, indented sub-paragraphs, bullets, preambular paragraphs with the first words
in italics in English, operative paragraphs with the verb in italics, signature blocks
indented, summaries in a box, table titles bold, table notes small under the table,
the annex on a new page). Nothing here imports ``pipeline``: the PDFs are ground truth
that does not lean on the code they test.

``python -m tests.un_pdf`` redraws ``raw/CTOC_COP_WG.2_2009_1/{zh,en}.pdf`` (New York
layout) from that document's layout description ``layout.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from . import devcorpus
from .devcorpus import SourceDoc

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "raw" / "CTOC_COP_WG.2_2009_1"
BUNDLED_SYMBOL = "CTOC/COP/WG.2/2009/1"

CJK_FONT_PATHS = [
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf"),
]
SONG_FONT_PATHS = [Path("/usr/share/fonts/truetype/arphic/uming.ttc")]
SUPER_TO_ASCII = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
SUPERS = "⁰¹²³⁴⁵⁶⁷⁸⁹"

# The New York layout's measures (kept as module names: tests draw with them).
W, H = 612.0, 792.0
LEFT, RIGHT = 123.4, 491.0
BODY, LEADING, PARA_GAP = 10.0, 12.0, 6.0
NOTE_SIZE, NOTE_LEADING = 8.5, 10.0
BOTTOM = 720.0  # lowest baseline of body or footnote text

rl_config.useA85 = 0  # binary streams: smaller fixtures


def cjk_font_path() -> Path | None:
    return next((p for p in CJK_FONT_PATHS if p.is_file()), None)


def song_font_path() -> Path | None:
    return next((p for p in SONG_FONT_PATHS if p.is_file()), None)


_cmaps: dict[str, set[int]] = {}


def _register(face: str) -> None:
    if face in _cmaps:
        return
    if face == "CJK":
        path = cjk_font_path()
        if path is None:
            raise RuntimeError("no CJK font: install the Debian package fonts-droid-fallback (make install does)")
        font = TTFont("CJK", str(path))
    else:
        path = song_font_path()
        if path is None:
            raise RuntimeError("no Ming/Song font: install the Debian package fonts-arphic-uming (make install does)")
        font = TTFont("Song", str(path), subfontIndex=0)
    pdfmetrics.registerFont(font)
    _cmaps[face] = set(font.face.charToGlyph)


# ---------------------------------------------------------------------------- layouts and styles


@dataclass(frozen=True)
class Style:
    """How one kind of paragraph is drawn; x offsets from the column's left edge."""

    face: str = "normal"  # normal, bold, italic
    size: float = 0.0  # points over (under) the layout's body size
    before: float = 0.0  # extra space above
    after: float | None = None  # space below (None: the layout's paragraph gap)
    label_x: float = 0.0  # where a leading label ("1.", "(a)", "I.", "•") is drawn
    text_x: float = 0.0  # the tab stop where the text after the label starts (no label: first-line indent)
    cont_x: float = 0.0  # where continuation lines start
    right: float = 0.0  # right indent
    labelled: bool = False  # split a leading label off and set the text at the tab stop
    italic_lead: str = ""  # English: "participle" (preambular) or "verb" (operative) in italics
    box: bool = False  # drawn in a box (summaries)
    new_page: bool = False  # starts a new page (annexes)
    keep: bool = False  # kept on the page of the next paragraph (headings, titles)
    note: bool = False  # footnote-size text


TAB = 28.35  # 1 cm

_COMMON = {
    "body": Style(),
    "bold": Style("bold"),
    "italic": Style("italic"),
    "title": Style("bold", size=2, before=4, after=10, keep=True),
    "sponsors": Style(),
    "session": Style(after=8),
    "h1": Style("bold", size=2, before=6, after=8, labelled=True, label_x=-TAB, text_x=0, cont_x=0, keep=True),
    "h2": Style("bold", before=2, after=6, labelled=True, label_x=-TAB, text_x=0, cont_x=0, keep=True),
    "h3": Style("bold", after=6, labelled=True, label_x=0, text_x=TAB, cont_x=TAB, keep=True),
    "numbered": Style(labelled=True, label_x=0, text_x=TAB, cont_x=0),
    "sub": Style(labelled=True, label_x=TAB, text_x=2 * TAB, cont_x=TAB),
    "subsub": Style(labelled=True, label_x=2 * TAB, text_x=3 * TAB, cont_x=2 * TAB),
    "bullet": Style(labelled=True, label_x=TAB, text_x=TAB + 14, cont_x=TAB + 14),
    "agenda": Style(labelled=True, label_x=0, text_x=TAB, cont_x=TAB, after=0),
    "agenda_sub": Style(labelled=True, label_x=TAB, text_x=2 * TAB, cont_x=2 * TAB, after=0),
    "preamble": Style(text_x=TAB, italic_lead="participle"),
    "operative": Style(labelled=True, label_x=TAB, text_x=2 * TAB, cont_x=0, italic_lead="verb"),
    "summary": Style(text_x=TAB, box=True),
    "docref": Style(text_x=TAB, cont_x=TAB),
    "signature": Style(text_x=0.5 * (RIGHT - LEFT), cont_x=0.5 * (RIGHT - LEFT), after=8),
    "table_title": Style("bold", keep=True),
    "table_note": Style(size=-1.5, text_x=0, cont_x=0, note=True),
    "annex": Style("bold", size=2, after=8, new_page=True, keep=True),
}


@dataclass(frozen=True)
class Layout:
    name: str
    width: float
    height: float
    left: float
    right: float
    body: dict  # lang -> body size
    leading: float  # x size
    para_gap: float
    note_size: dict  # lang -> footnote size
    note_leading: float  # x note size
    bottom: float  # lowest baseline of body or footnote text
    cjk_face: str  # registered CJK font
    justify: bool  # justify lines (Tw for English, Tc for Chinese)
    max_char_space: float  # Tc cap, x size (beyond it a line stays ragged)
    styles: dict
    first_top: float  # top of body text on page 1 (under the masthead)
    next_top: float  # top of body text on later pages


NEWYORK = Layout(
    "newyork",
    W,
    H,
    LEFT,
    RIGHT,
    {"zh": 10.0, "en": 10.0},
    1.2,
    PARA_GAP,
    {"zh": NOTE_SIZE, "en": NOTE_SIZE},
    10.0 / NOTE_SIZE,
    BOTTOM,
    "CJK",
    False,
    0.0,
    _COMMON,
    222.0,
    76.0,
)

_GENEVA_STYLES = {
    **_COMMON,
    "h1": replace(_COMMON["h1"], size=1, label_x=-34.0),
    "h2": replace(_COMMON["h2"], label_x=-34.0),
    "title": replace(_COMMON["title"], size=3),
    "signature": Style(text_x=200.0, cont_x=200.0, after=10),
    "numbered": Style(labelled=True, label_x=0, text_x=34.0, cont_x=0),
    "sub": Style(labelled=True, label_x=34.0, text_x=68.0, cont_x=34.0),
    "subsub": Style(labelled=True, label_x=68.0, text_x=96.0, cont_x=68.0),
    "bullet": Style(labelled=True, label_x=34.0, text_x=50.0, cont_x=50.0),
    "operative": Style(labelled=True, label_x=34.0, text_x=68.0, cont_x=0, italic_lead="verb"),
    "preamble": Style(text_x=34.0, italic_lead="participle"),
    "summary": Style(text_x=0, box=True),
}

GENEVA = Layout(
    "geneva",
    595.28,
    841.89,
    99.2,
    524.4,
    {"zh": 12.0, "en": 11.0},
    1.25,
    8.0,
    {"zh": 9.5, "en": 9.0},
    1.2,
    780.0,
    "Song",
    True,
    0.2,
    _GENEVA_STYLES,
    246.0,
    86.0,
)

LAYOUTS = {"newyork": NEWYORK, "geneva": GENEVA}


def _layout(layout) -> Layout:
    return layout if isinstance(layout, Layout) else LAYOUTS[layout]


# ---------------------------------------------------------------------------- document model


@dataclass
class Item:
    """One unit: printed lines (hard breaks between them), wrapped to the column."""

    text: str | list[str]
    style: str = "body"  # a name in the layout's style table
    indent: float = 0.0  # extra left indent (all lines)


@dataclass
class Table:
    head: list[str]
    rows: list[list[str]]
    widths: list[float]  # points, or shares of the text width when they sum to about 1


@dataclass
class PageBreak:
    pass


@dataclass
class Doc:
    lang: str
    symbol: str
    organ: list[str]
    distr: list[str]  # Distr.: General / date / [language] / Original: ...
    job: str  # e.g. 09-56431
    date_code: str = "140809"
    blocks: list = field(default_factory=list)  # lists of Items (one group each), Tables, PageBreaks
    notes: dict[str, str] = field(default_factory=dict)  # mark ('1') -> footnote text
    max_note_lines: int = 14  # footnote lines per page before they continue on the next page
    session: list[list[str]] = field(default_factory=list)  # units under the thick rule (hard lines)


# ---------------------------------------------------------------------------- text measuring and breaking


def _wide(ch: str) -> bool:
    return ord(ch) > 0x2E7F and ch not in "“”‘’"


FACES = {
    "normal": "Times-Roman",
    "bold": "Times-Bold",
    "italic": "Times-Italic",
    "title": "Times-Bold",
    "body": "Times-Roman",
}


def _font(ch: str, face: str, cjk: str) -> str:
    if ch == "•":
        return "Symbol"  # Times has no bullet glyph (Word uses Symbol too)
    if _wide(ch):
        if face in ("bold", "title"):  # Chinese headings: the other typeface (as SimHei beside SimSun)
            cjk = BOLD_CJK[cjk]
        _register(cjk)
        if ord(ch) in _cmaps[cjk]:
            return cjk
    return FACES.get(face, "Times-Roman")


BOLD_CJK = {"CJK": "Song", "Song": "CJK"}


def _pieces(text: str, faces, size: float, cjk: str = "CJK"):
    """(text, font, size, rise) runs; superscript digits become small raised digits.
    ``faces`` is one face for all characters or one per character."""
    out = []
    for i, ch in enumerate(text):
        face = faces if isinstance(faces, str) else faces[i]
        if ch in SUPERS:
            key = (_font("1", face, cjk), round(size * 0.65, 2), 1.0)
            ch = ch.translate(SUPER_TO_ASCII)
        else:
            key = (_font(ch, face, cjk), size, 0.0)
        if out and tuple(out[-1][1:]) == key:
            out[-1][0] += ch
        else:
            out.append([ch, *key])
    return out


def width(text: str, style: str = "body", size: float = BODY, cjk: str = "CJK") -> float:
    return sum(pdfmetrics.stringWidth(t, f, s) for t, f, s, _ in _pieces(text, style, size, cjk))


def _tokens(text: str) -> list[str]:
    """Break opportunities: after spaces, after a hyphen in a word, around CJK characters."""
    tokens, cur = [], ""
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < len(text) else ""
        cur += ch
        if ch == " " and nxt != " ":
            tokens.append(cur)
            cur = ""
        elif ch == "-" and cur[:-1].strip() and cur[-2:-1].isalpha() and nxt.isalpha():
            tokens.append(cur)
            cur = ""
        elif _wide(ch) and nxt and nxt not in "，。、；：！？）》”’" or (nxt and _wide(nxt) and ch not in "（《“‘"):
            tokens.append(cur)
            cur = ""
    if cur:
        tokens.append(cur)
    return tokens


def wrap(
    text: str, avail: float, style: str = "body", size: float = BODY, cjk: str = "CJK", first: float | None = None
) -> list[str]:
    """Lines (each keeps its trailing space, as Word's PDFs do); ``first``: the first line's width."""
    lines, cur = [], ""
    for tok in _tokens(text):
        room = first if (first is not None and not lines) else avail
        if cur and width((cur + tok).rstrip(), style, size, cjk) > room:
            lines.append(cur)
            cur = tok
        else:
            cur += tok
    if cur.strip():
        lines.append(cur)
    return lines


LABEL = re.compile(
    r"^((?:[-–]\s)?(?:\d{1,3}\.|\(?[a-z]{1,4}\)|[IVXLC]{1,6}\.|[A-Z]\.|（[a-z\d]{1,4}）|[㈠-㈩]|"
    r"[一二三四五六七八九十]+、|[•·▪–-]))( ?)(?=\S)"
)


def split_label(text: str) -> tuple[str, str]:
    """(label with its following space, rest) or ("", text)."""
    m = LABEL.match(text)
    if not m:
        return "", text
    return m.group(0), text[m.end() :]


PARTICIPLE_WORDS = {
    "with",
    "also",
    "further",
    "in",
    "mind",
    "appreciation",
    "concern",
    "deep",
    "deeply",
    "grave",
    "satisfaction",
    "regret",
    "that",
    "the",
    "all",
    "by",
    "of",
    "its",
    "resolution",
    "alarm",
    "interest",
    "serious",
    "great",
    "particular",
    "furthermore",
    "moreover",
}


def _italic_lead(text: str, how: str) -> int:
    """How many leading characters of ``text`` are set in italics."""
    m = re.match(r"\S+", text)
    if not m:
        return 0
    end = m.end()
    if how == "participle":
        for w in re.finditer(r" (\S+)", text[end:]):
            if w.group(1).rstrip(",") not in PARTICIPLE_WORDS or w.group(1) in ("the", "its", "of", "by", "that"):
                break
            end += len(w.group(0))
    return len(text[:end].rstrip(",;:"))


# ---------------------------------------------------------------------------- drawing


class _Renderer:
    def __init__(self, doc: Doc, path: Path, layout: Layout, n_pages: int):
        self.L = layout
        _register(layout.cjk_face)
        self.doc = doc
        self.body = layout.body[doc.lang] if doc.lang in layout.body else layout.body["en"]
        self.lead = round(self.body * layout.leading, 2)
        self.note_size = layout.note_size.get(doc.lang, layout.note_size["en"])
        self.note_lead = round(self.note_size * layout.note_leading, 2)
        self.c = Canvas(str(path), pagesize=(layout.width, layout.height), invariant=1, pageCompression=1)
        self.c.setTitle(doc.symbol)
        self.page = 1
        self.n_pages = n_pages
        self.y = 0.0  # top of the next body line
        self.notes_here: list[tuple[str, str | None]] = []  # (line text, mark or None) on this page
        self.carry: list[tuple[str, str | None]] = []

    # pdfplumber's top = H - baseline - size (approximately); we place by baseline
    def _text(
        self,
        x: float,
        top: float,
        text: str,
        face="normal",
        size: float = BODY,
        char_space: float = 0.0,
        word_space: float = 0.0,
    ) -> float:
        base = self.L.height - top - size * 0.8
        for t, f, s, rise in _pieces(text, face, size, self.L.cjk_face):
            self.c.setFont(f, s)
            kw = {}
            if char_space:
                kw["charSpace"] = char_space
            if word_space and f.startswith("Times"):
                kw["wordSpace"] = word_space
            self.c.drawString(x, base + rise * (1 if s < size else 0), t, **kw)
            x += pdfmetrics.stringWidth(t, f, s) + char_space * len(t)
            if word_space and f.startswith("Times"):
                x += word_space * t.count(" ")
        return x

    def _rule(self, x0: float, x1: float, top: float, thick: float, pieces: int = 1) -> None:
        step = (x1 - x0) / pieces
        for i in range(pieces):
            self.c.rect(
                x0 + i * step,
                self.L.height - top - thick,
                step + (0.2 if i < pieces - 1 else 0),
                thick,
                stroke=0,
                fill=1,
            )

    # -------------------------------------------------------------- page furniture
    def masthead(self) -> None:
        getattr(self, f"_masthead_{self.L.name}")()
        self.session()

    def _organisation(self) -> tuple[str, list[str]]:
        """The organisation's name (the organ entry's first line when it is one) and the organ lines."""
        organ = list(self.doc.organ)
        if organ and organ[0].strip() in ("United Nations", "联合国") and len(organ) > 1:
            return organ[0].strip(), organ[1:]
        return ("联合国" if self.doc.lang == "zh" else "United Nations"), organ

    def _masthead_newyork(self) -> None:
        d = self.doc
        org, organ = self._organisation()
        self._text(LEFT, 46.8, org, "normal", 14)
        first, rest = re.match(r"([^/]+)(.*)", d.symbol).groups()
        w_rest = width(rest, "normal", 10)
        self._text(552 - w_rest, 48.7, rest, "normal", 10)
        self._text(552 - w_rest - width(first, "normal", 20) - 0.5, 40.8, first, "normal", 20)
        self._rule(60, 552.6, 64.8, 0.48, pieces=13)
        top = 72.0
        for line in organ:
            self._text(LEFT, top, line, "bold", 12)
            top += 15
        for i, line in enumerate(d.distr):
            self._text(397.0, 78.9 + 12 * i, line, "normal", 10)
        self._rule(59, 552, 208.9, 1.44)
        self._text(65.4, 739.6, f"{d.job} ({'C' if d.lang == 'zh' else 'E'})    {d.date_code}", "normal", 10)
        self.c.setFont("Courier", 12)
        self.c.drawString(65.4, H - 750.1 - 10, f"*{d.job.replace('-', '')}*")
        self.y = self.L.first_top

    def _masthead_geneva(self) -> None:
        d, L = self.doc, self.L
        org, organ = self._organisation()
        self._text(56.7, 52.0, org, "bold", 16)
        first, rest = re.match(r"([^/]+)(.*)", d.symbol).groups()
        w_rest = width(rest, "normal", 11)
        self._text(538.6 - w_rest, 55.0, rest, "normal", 11)
        self._text(538.6 - w_rest - width(first, "bold", 18), 49.0, first, "bold", 18)
        self._rule(56.7, 538.6, 76.0, 0.6)
        top = 86.0
        for line in organ:
            self._text(56.7, top, line, "bold", 13)
            top += 16.5
        for i, line in enumerate(d.distr):
            self._text(402.0, 92.0 + 13.5 * i, line, "normal", 10)
        self._rule(56.7, 538.6, 226.0, 1.6)
        self._text(56.7, 786.0, f"GE.{d.job}({'C' if d.lang == 'zh' else 'E'})", "normal", 8)
        self._text(150.0, 786.0, d.date_code, "normal", 8)
        self.c.setFont("Courier", 11)
        self.c.drawString(400.0, L.height - 786.0 - 9, f"*{d.job.replace('-', '')}*")
        self.y = L.first_top

    def session(self) -> None:
        """Units under the thick rule (session, agenda item, meeting): left, one gap between units."""
        if not self.doc.session:
            return
        for unit in self.doc.session:
            self.hard_lines(unit, "session")

    def running(self) -> None:
        getattr(self, f"_running_{self.L.name}")(self.n_pages)

    def _running_newyork(self, n_pages: int) -> None:
        d = self.doc
        even = self.page % 2 == 0
        sym_w = width(d.symbol, "bold", 8.5)
        self._text(60 if even else 552 - sym_w, 52.4, d.symbol, "bold", 8.5)
        self._rule(59.3, 552.1, 64.8, 0.24)
        num = f"{self.page}/{n_pages}"
        job_w = width(d.job, "normal", 7)
        if even:
            self._text(60, 748.4, num, "bold", 8.5)
            self._text(552 - job_w, 748.6, d.job, "normal", 7)
        else:
            self._text(60, 748.6, d.job, "normal", 7)
            self._text(552 - width(num, "bold", 8.5), 748.4, num, "bold", 8.5)

    def _running_geneva(self, n_pages: int) -> None:
        d, L = self.doc, self.L
        even = self.page % 2 == 0
        self._text(56.7 if even else 538.6 - width(d.symbol, "normal", 10), 44.0, d.symbol, "normal", 10)
        self._rule(56.7, 538.6, 58.0, 0.4)
        num = str(self.page)
        self._text((L.width - width(num, "normal", 10)) / 2, 800.0, num, "normal", 10)

    # -------------------------------------------------------------- footnotes
    def _note_lines(self, mark: str) -> list[tuple[str, str | None]]:
        lines = wrap(self.doc.notes[mark], self.L.right - self.L.left, "normal", self.note_size, self.L.cjk_face)
        return [(ln, mark if i == 0 else None) for i, ln in enumerate(lines)]

    def _notes_height(self, n: int) -> float:
        return 0.0 if n == 0 else 14.0 + n * self.note_lead

    def flush_notes(self) -> None:
        """Draw this page's footnotes (up to the per-page cap; the rest carries over)."""
        lines = self.carry + self.notes_here
        cap = self.doc.max_note_lines
        here, self.carry = lines[:cap], lines[cap:]
        self.notes_here = []
        if not here:
            return
        L = self.L
        top = L.bottom - len(here) * self.note_lead - 4
        if L.name == "newyork":
            self._text(99.6, top - 10, "_" * 18, "bold", 8)
        else:
            self._rule(L.left, L.left + 144.0, top - 5, 0.5)
        for i, (text, mark) in enumerate(here):
            t = top + i * self.note_lead
            if mark is not None:
                self._text(
                    L.left - 6.4 - width(mark, "normal", self.note_size * 0.65),
                    t + 1.5,
                    mark,
                    "normal",
                    round(self.note_size * 0.65, 2),
                )
            self._line(L.left, t, text, "normal", self.note_size, L.right - L.left, last=True)

    def _body_limit(self, extra_notes: int = 0) -> float:
        n = min(len(self.carry) + len(self.notes_here) + extra_notes, self.doc.max_note_lines)
        return self.L.bottom - self._notes_height(n)

    def new_page(self) -> None:
        self.flush_notes()
        self.c.showPage()
        self.page += 1
        self.y = self.L.next_top
        self.running()

    # -------------------------------------------------------------- body
    def _line(self, x: float, top: float, text: str, faces, size: float, avail: float, last: bool) -> None:
        """One printed line; justified to ``avail`` unless it ends a paragraph (or would look stretched)."""
        cs = ws = 0.0
        if self.L.justify and not last:
            ink = text.rstrip(" ")
            slack = avail - width(ink, faces if isinstance(faces, str) else faces[: len(ink)], size, self.L.cjk_face)
            if slack > 0:
                if self.doc.lang == "zh":
                    n = len(ink) - 1
                    if n > 0 and slack / n <= self.L.max_char_space * size:
                        cs = round(slack / n, 3)
                else:
                    n = ink.count(" ")
                    if n > 0 and slack / n <= 0.6 * size:
                        ws = round(slack / n, 3)
        self._text(x, top, text, faces, size, cs, ws)

    def _size(self, st: Style) -> float:
        return (self.note_size if st.note else self.body) + st.size

    def place(
        self,
        x: float,
        text: str,
        faces,
        size: float,
        leading: float,
        avail: float,
        last: bool,
        label: tuple | None = None,
    ) -> None:
        marks = [m.translate(SUPER_TO_ASCII) for m in re.findall(f"[{SUPERS}]+", text)]
        new_notes = [nl for m in marks if m in self.doc.notes for nl in self._note_lines(m)]
        if self.y + size > self._body_limit(len(new_notes)):
            self.new_page()
        if label is not None:  # (x, text, face): a paragraph's label, on the page of its first line
            self._text(label[0], self.y, label[1], label[2], size)
        self._line(x, self.y, text, faces, size, avail, last)
        self.notes_here += new_notes
        self.y += leading

    def paragraph(self, text: str, st: Style, extra_indent: float = 0.0) -> None:
        """One printed paragraph in a style: label at its stop, text at the tab, wrapped, justified."""
        L = self.L
        size = self._size(st)
        leading = round(size * L.leading, 2) if size > self.body + 0.5 else (self.note_lead if st.note else self.lead)
        label, rest = split_label(text) if st.labelled else ("", text)
        col = L.right - L.left - st.right
        x0 = L.left + extra_indent
        face = "bold" if st.face == "bold" else ("italic" if st.face == "italic" else "normal")
        faces = [face] * len(rest)
        if st.italic_lead and self.doc.lang == "en" and face == "normal":
            for i in range(_italic_lead(rest, st.italic_lead)):
                faces[i] = "italic"
        if label:
            label_w = width(label.rstrip(), face, size, L.cjk_face)
            text_x = max(st.text_x, st.label_x + label_w + 4.0)
        elif st.labelled:
            text_x = max(st.label_x, 0.0)
        else:
            text_x = st.text_x
        cont_x = text_x if (st.labelled and not label) else st.cont_x
        first_avail = col - text_x - extra_indent
        avail = col - cont_x - extra_indent
        lines = wrap(rest, avail, faces[0] if faces else face, size, L.cjk_face, first=first_avail) or [""]
        if st.keep:  # keep a heading with two lines of what follows
            need = len(lines) * leading + 3 * self.lead
            if self.y + need > self._body_limit():
                self.new_page()
        pos = 0
        for k, line in enumerate(lines):
            fx = faces[pos : pos + len(line)] if faces else face
            pos += len(line)
            last = k == len(lines) - 1
            if k == 0:
                self.place(
                    x0 + text_x,
                    line,
                    fx,
                    size,
                    leading,
                    first_avail,
                    last,
                    (x0 + st.label_x, label, face) if label else None,
                )
            else:
                self.place(x0 + cont_x, line, fx, size, leading, avail, last)

    def hard_lines(self, texts: list[str], style: str) -> None:
        st = self.L.styles[style]
        texts = list(texts)
        for k, hard in enumerate(texts):
            if k + 1 < len(texts) and not (_wide(hard.rstrip()[-1:]) and _wide(texts[k + 1].lstrip()[:1])):
                hard = hard.rstrip() + " "  # a hard line break that reads as a space keeps its space glyph
            self.paragraph(hard, replace(st, after=0))
        self.y += self.L.para_gap if st.after is None else st.after

    def items(self, group: list[Item]) -> None:
        st = None
        for item in group:
            st = self.L.styles.get(item.style, self.L.styles["body"])
            if st.new_page and self.y > self.L.next_top + 1:
                self.new_page()
            self.y += st.before
            texts = item.text if isinstance(item.text, list) else [item.text]
            top = self.y
            for k, hard in enumerate(texts):
                if k + 1 < len(texts) and not (_wide(hard.rstrip()[-1:]) and _wide(texts[k + 1].lstrip()[:1])):
                    hard = hard.rstrip() + " "
                self.paragraph(hard, st, item.indent)
            if st.box:
                self.box(top)
            if item is not group[-1]:  # items of one group (an agenda list): their own spacing
                self.y += self.L.para_gap if st.after is None else st.after
        if st is not None:  # a group ends with at least the paragraph gap
            self.y += max(self.L.para_gap, st.after or 0.0)

    def box(self, top: float) -> None:
        L = self.L
        if self.y < top:  # ran onto a new page: no box
            return
        self.c.setLineWidth(0.5)
        self.c.rect(L.left - 6, L.height - self.y + 2, L.right - L.left + 12, self.y - top + 4, stroke=1, fill=0)

    def table(self, t: Table) -> None:
        L = self.L
        col = L.right - L.left
        widths = [w_ * col for w_ in t.widths] if sum(t.widths) <= 1.01 else list(t.widths)
        xs = [L.left]
        for w_ in widths[:-1]:
            xs.append(xs[-1] + w_)
        size = self.body - (1.0 if L.name == "newyork" else 2.0)
        lead = round(size * 1.2, 2)
        pad = (
            11.0 if L.name == "newyork" else 12.0
        )  # cell margins (Word: 0.08 in a side): the gap before the next column

        def cell_lines(cells, style):
            return [wrap(c, w_ - pad, style, size, L.cjk_face) if c else [] for c, w_ in zip(cells, widths)]

        def row_height(lines):
            return max((len(x) for x in lines), default=1) * lead + 6

        def draw_row(lines, style):
            for x, cl in zip(xs, lines):
                for i, ln in enumerate(cl):
                    self._text(x, self.y + i * lead, ln, style, size)
            self.y += row_height(lines)

        def head():
            self._rule(L.left, L.right, self.y - 3, 0.48, pieces=len(widths))
            self.y += 2
            draw_row(cell_lines(t.head, "italic"), "italic")
            self._rule(L.left, L.right, self.y - 4, 1.44, pieces=len(widths))
            self.y += 2

        head_lines = cell_lines(t.head, "italic")
        if self.y + row_height(head_lines) + 2 * lead + 10 > self._body_limit():
            self.new_page()
        head()
        for row in t.rows:
            lines = cell_lines(row, "normal")
            if self.y + row_height(lines) + 4 > self._body_limit():
                self._rule(L.left, L.right, self.y - 3, 0.48, pieces=len(widths))
                self.new_page()
                head()
            draw_row(lines, "normal")
        self._rule(L.left, L.right, self.y - 3, 0.48, pieces=len(widths))
        self.y += L.para_gap + 4


def render(doc, path: Path, layout="newyork", lang: str | None = None) -> Path:
    """Draw ``doc`` (a :class:`Doc`, or a ``SourceDoc`` with ``lang``) to ``path`` in a layout;
    twice, so that the running foot knows the page count."""
    lay = _layout(layout)
    if isinstance(doc, SourceDoc):
        if lang is None:
            raise ValueError("a SourceDoc needs lang=")
        doc = doc_from_source(doc, lang)
    path = Path(path)
    n_pages = _draw(doc, path, lay, 99)
    if n_pages != 99:
        _draw(doc, path, lay, n_pages)
    return path


def _draw(doc: Doc, path: Path, layout: Layout, n_pages: int) -> int:
    r = _Renderer(doc, path, layout, n_pages)
    r.masthead()
    for block in doc.blocks:
        if isinstance(block, PageBreak):
            r.new_page()
        elif isinstance(block, Table):
            r.table(block)
        else:
            r.items(block)
    while r.carry or r.notes_here:
        if not r.notes_here and r.carry and len(r.carry) <= doc.max_note_lines:
            break
        r.new_page()
    r.flush_notes()
    r.c.showPage()
    r.c.save()
    return r.page


# ---------------------------------------------------------------------------- layout descriptions -> Doc

ROMAN = re.compile(r"^[IVXLC]{1,6}\.\s")
CHAPTER_ZH = re.compile(r"^[一二三四五六七八九十]+、")
SECTION = re.compile(r"^[A-Z]\.\s")
ANNEX = re.compile(r"^(?:Annex|附件)(?:\s|$)")
NOTE_MARK = re.compile(f"^([{SUPERS}]+|\\*+|[a-z])\\s*")


def entry_style(kind: str, style: str | None, text: str, lang: str) -> str:
    """The drawing style of an entry (the style table's key) from its kind, style and label."""
    if style and style in NEWYORK.styles:
        return style
    if kind == "heading":
        if ANNEX.match(text):
            return "annex"
        if ROMAN.match(text) or CHAPTER_ZH.match(text):
            return "h1"
        if SECTION.match(text):
            return "h2"
        return "h3"
    if kind in ("paragraph", "list_item", "operative", "agenda_item", "summary"):
        label, _ = split_label(text)
        core = label.strip().lstrip("-– ").strip()
        if kind == "operative":
            return "operative"
        if kind == "summary":
            return "summary"
        if kind == "agenda_item":
            return "agenda" if re.match(r"^\d", core) else "agenda_sub"
        if not core:
            return "body"
        if re.match(r"^\d{1,3}\.$", core):
            return "numbered"
        if re.match(r"^\(?[ivx]{1,4}\)$|^[㈠-㈩]$", core):
            return "subsub"
        if core in "•·▪–-":
            return "bullet"
        return "sub"
    return {
        "title": "title",
        "sponsors": "sponsors",
        "preamble": "preamble",
        "doc_ref": "docref",
        "signature": "signature",
        "table_title": "table_title",
        "table_note": "table_note",
        "meta": "session",
    }.get(kind, "body")


def doc_from_source(src: SourceDoc, lang: str) -> Doc:
    """A render model of one version of a layout description (a dev-corpus source.yaml)."""
    doc = Doc(lang, src.symbol, [], [], src.job, src.date_code)
    group: list[Item] = []
    group_kind = None
    n_meta = 0
    body_started = False

    def flush():
        nonlocal group, group_kind
        if group:
            doc.blocks.append(group)
        group, group_kind = [], None

    for e in src.entries:
        v = e.versions[lang]
        if v.absent:
            continue
        if v.table is not None:
            flush()
            widths = e.widths or [1.0 / len(v.table.head)] * len(v.table.head)
            doc.blocks.append(Table(list(v.table.head), [list(r) for r in v.table.rows], list(widths)))
            continue
        if e.kind == "meta":
            style = e.style or ("organ" if n_meta == 0 else "distr" if n_meta == 1 else "session")
            n_meta += 1
            for lines in v.paragraphs:
                if style == "organ":
                    doc.organ.extend(lines)
                elif style == "distr":
                    doc.distr.extend(lines)
                elif not body_started:
                    doc.session.append(list(lines))
                else:  # a meta line inside the text (a resolution's meeting and date): in the flow
                    flush()
                    group, group_kind = [Item(list(lines) if len(lines) > 1 else lines[0], "session")], e.kind
            continue
        body_started = True
        if e.kind == "footnote":
            for lines in v.paragraphs:
                text = devcorpus.join(lines)
                m = NOTE_MARK.match(text)
                mark = m.group(1).translate(SUPER_TO_ASCII) if m else str(len(doc.notes) + 1)
                doc.notes[mark] = text[m.end() :] if m else text
            continue
        if e.style == "new_page":  # the description asks for a page break before this entry
            flush()
            doc.blocks.append(PageBreak())
        for lines in v.paragraphs:
            style = entry_style(e.kind, None if e.style == "new_page" else e.style, lines[0], lang)
            item = Item(list(lines) if len(lines) > 1 else lines[0], style)
            if e.kind == "agenda_item" and group_kind == "agenda_item":
                group.append(item)
                continue
            flush()
            group, group_kind = [item], e.kind
    flush()
    return doc


def load_layout(path: Path) -> SourceDoc:
    """A layout description in the source.yaml format, from any file (e.g. a raw/ document's layout.yaml)."""
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = [devcorpus._entry(u, f"{path} unit {n + 1}") for n, u in enumerate(data["units"])]
    return SourceDoc(
        path.parent.name,
        data["symbol"],
        data.get("doc_type", "note"),
        data.get("based_on", ""),
        str(data.get("job", "31-00000")),
        str(data.get("date_code", "010131")),
        list(data.get("hard_cases") or []),
        entries,
    )


def render_layout_file(layout_file: Path, out_dir: Path, layout="newyork") -> list[Path]:
    src = load_layout(layout_file)
    out_dir = Path(out_dir)
    return [render(doc_from_source(src, lang), out_dir / f"{lang}.pdf", layout) for lang in ("zh", "en")]


# ---------------------------------------------------------------------------- the bundled document


def render_bundled(root: Path | None = None, out_dir: Path | None = None, layout="newyork") -> list[Path]:
    """raw/CTOC_COP_WG.2_2009_1/{zh,en}.pdf from its layout.yaml (or into ``out_dir``)."""
    folder = (root or ROOT) / "raw" / "CTOC_COP_WG.2_2009_1"
    return render_layout_file(folder / "layout.yaml", out_dir or folder, layout)


if __name__ == "__main__":
    for p in render_bundled():
        print(p, p.stat().st_size, "bytes")
