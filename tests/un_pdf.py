"""A UN-layout PDF renderer for test fixtures (reportlab), after the measured real layouts.

It imitates a New York Word-made UN document (US Letter): page 1 masthead with the
organisation name, the split symbol (a large first component and the rest in
10 pt), a thin rule, the organ name, the Distr./date/language/Original block, a
thick rule; page 1 foot with the job number and the barcode text; later pages with
the symbol in a running head that alternates sides over a rule, and a running foot
with ``n/N`` and the job number swapping sides; footnotes at the page bottom after
an underscore separator, with raised small marks glued to the previous character,
continued on the next page when they do not fit; paragraphs that cross page
breaks; tables with horizontal rules only (thin on top, thick under the head row,
thin at the bottom), the head row repeated on continuation pages.

Chinese text is set in Droid Sans Fallback (Debian ``fonts-droid-fallback``,
installed by ``make``), embedded as a subset, with Times for Latin characters.
Because we know what we drew, the PDFs have exact ground truth.

``python -m tests.un_pdf`` re-renders ``raw/CTOC_COP_WG.2_2009_1/{zh,en}.pdf`` from
the document's text files.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

CJK_FONT_PATHS = [Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
                  Path("/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf")]
SUPER_TO_ASCII = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
SUPERS = "⁰¹²³⁴⁵⁶⁷⁸⁹"

W, H = 612.0, 792.0
LEFT, RIGHT = 123.4, 491.0
BODY, LEADING, PARA_GAP = 10.0, 12.0, 6.0
NOTE_SIZE, NOTE_LEADING = 8.5, 10.0
BOTTOM = 720.0  # lowest baseline of body or footnote text
_cjk_cmap: set[int] | None = None


def cjk_font_path() -> Path | None:
    return next((p for p in CJK_FONT_PATHS if p.is_file()), None)


rl_config.useA85 = 0  # binary streams: smaller fixtures


def _register() -> None:
    global _cjk_cmap
    if _cjk_cmap is None:
        path = cjk_font_path()
        if path is None:
            raise RuntimeError("no CJK font: install the Debian package fonts-droid-fallback (make install does)")
        font = TTFont("CJK", str(path))
        pdfmetrics.registerFont(font)
        _cjk_cmap = set(font.face.charToGlyph)


# ---------------------------------------------------------------------------- document model

@dataclass
class Item:
    """One unit: printed lines (hard breaks between them), wrapped to the column."""

    text: str | list[str]
    style: str = "body"  # body, bold, title, italic
    indent: float = 0.0


@dataclass
class Table:
    head: list[str]
    rows: list[list[str]]
    widths: list[float]


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


# ---------------------------------------------------------------------------- text measuring and breaking

def _wide(ch: str) -> bool:
    return ord(ch) > 0x2e7f and ch not in "“”‘’"


def _font(ch: str, style: str) -> str:
    if _wide(ch) and _cjk_cmap is not None and ord(ch) in _cjk_cmap:
        return "CJK"
    return {"bold": "Times-Bold", "title": "Times-Bold", "italic": "Times-Italic"}.get(style, "Times-Roman")


def _pieces(text: str, style: str, size: float):
    """(text, font, size, rise) runs; superscript digits become small raised digits."""
    out = []
    for ch in text:
        if ch in SUPERS:
            key = (_font("1", style), size * 0.65, 1.0)
            ch = ch.translate(SUPER_TO_ASCII)
        else:
            key = (_font(ch, style), size, 0.0)
        if out and tuple(out[-1][1:]) == key:
            out[-1][0] += ch
        else:
            out.append([ch, *key])
    return out


def width(text: str, style: str = "body", size: float = BODY) -> float:
    return sum(pdfmetrics.stringWidth(t, f, s) for t, f, s, _ in _pieces(text, style, size))


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


def wrap(text: str, avail: float, style: str = "body", size: float = BODY) -> list[str]:
    """Lines (each keeps its trailing space, as Word's PDFs do)."""
    lines, cur = [], ""
    for tok in _tokens(text):
        if cur and width((cur + tok).rstrip(), style, size) > avail:
            lines.append(cur)
            cur = tok
        else:
            cur += tok
    if cur.strip():
        lines.append(cur)
    return lines


# ---------------------------------------------------------------------------- drawing

class _Renderer:
    def __init__(self, doc: Doc, path: Path):
        _register()
        self.doc = doc
        self.c = Canvas(str(path), pagesize=(W, H), invariant=1, pageCompression=1)
        self.c.setTitle(doc.symbol)
        self.page = 1
        self.y = 0.0  # top of the next body line
        self.notes_here: list[tuple[str, str | None]] = []  # (line text, mark or None) on this page
        self.carry: list[tuple[str, str | None]] = []

    # pdfplumber's top = H - baseline - size (approximately); we place by baseline
    def _text(self, x: float, top: float, text: str, style: str = "body", size: float = BODY) -> None:
        base = H - top - size * 0.8
        for t, f, s, rise in _pieces(text, style, size):
            self.c.setFont(f, s)
            self.c.drawString(x, base + rise * (1 if s < size else 0), t)
            x += pdfmetrics.stringWidth(t, f, s)

    def _rule(self, x0: float, x1: float, top: float, thick: float, pieces: int = 1) -> None:
        step = (x1 - x0) / pieces
        for i in range(pieces):
            self.c.rect(x0 + i * step, H - top - thick, step + (0.2 if i < pieces - 1 else 0), thick,
                        stroke=0, fill=1)

    def masthead(self) -> None:
        d = self.doc
        org = "联合国" if d.lang == "zh" else "United Nations"
        self._text(LEFT, 46.8, org, "body", 14)
        first, rest = re.match(r"([^/]+)(.*)", d.symbol).groups()
        w_rest = width(rest, "body", 10)
        self._text(552 - w_rest, 48.7, rest, "body", 10)
        self._text(552 - w_rest - width(first, "body", 20) - 0.5, 40.8, first, "body", 20)
        self._rule(60, 552.6, 64.8, 0.48, pieces=13)
        top = 72.0
        for line in d.organ:
            self._text(LEFT, top, line, "bold", 12)
            top += 15
        for i, line in enumerate(d.distr):
            self._text(397.0, 78.9 + 12 * i, line, "body", 10)
        self._rule(59, 552, 208.9, 1.44)
        self._text(65.4, 739.6, f"{d.job} ({'C' if d.lang == 'zh' else 'E'})    {d.date_code}", "body", 10)
        self.c.setFont("Courier", 12)
        self.c.drawString(65.4, H - 750.1 - 10, f"*{d.job.replace('-', '')}*")
        self.y = 222.0

    def running(self, n_pages: int) -> None:
        d = self.doc
        even = self.page % 2 == 0
        sym_w = width(d.symbol, "bold", 8.5)
        self._text(60 if even else 552 - sym_w, 52.4, d.symbol, "bold", 8.5)
        self._rule(59.3, 552.1, 64.8, 0.24)
        num = f"{self.page}/{n_pages}"
        job_w = width(d.job, "body", 7)
        if even:
            self._text(60, 748.4, num, "bold", 8.5)
            self._text(552 - job_w, 748.6, d.job, "body", 7)
        else:
            self._text(60, 748.6, d.job, "body", 7)
            self._text(552 - width(num, "bold", 8.5), 748.4, num, "bold", 8.5)

    # -------------------------------------------------------------- footnotes
    def _note_lines(self, mark: str) -> list[tuple[str, str | None]]:
        lines = wrap(self.doc.notes[mark], RIGHT - LEFT, "body", NOTE_SIZE)
        return [(ln, mark if i == 0 else None) for i, ln in enumerate(lines)]

    def _notes_height(self, n: int) -> float:
        return 0.0 if n == 0 else 14.0 + n * NOTE_LEADING

    def flush_notes(self) -> None:
        """Draw this page's footnotes (up to the per-page cap; the rest carries over)."""
        lines = self.carry + self.notes_here
        cap = self.doc.max_note_lines
        here, self.carry = lines[:cap], lines[cap:]
        self.notes_here = []
        if not here:
            return
        top = BOTTOM - len(here) * NOTE_LEADING - 4
        self._text(99.6, top - 10, "_" * 18, "bold", 8)
        for i, (text, mark) in enumerate(here):
            t = top + i * NOTE_LEADING
            if mark is not None:
                self._text(117.0, t + 1.5, mark, "body", 5.5)
            self._text(LEFT, t, text, "body", NOTE_SIZE)

    def _body_limit(self, extra_notes: int = 0) -> float:
        n = min(len(self.carry) + len(self.notes_here) + extra_notes, self.doc.max_note_lines)
        return BOTTOM - self._notes_height(n)

    def new_page(self) -> None:
        self.flush_notes()
        self.c.showPage()
        self.page += 1
        self.y = 76.0

    # -------------------------------------------------------------- body
    def place_line(self, x: float, text: str, style: str, size: float = BODY, leading: float = LEADING) -> None:
        marks = [m.translate(SUPER_TO_ASCII) for m in re.findall(f"[{SUPERS}]+", text)]
        new_notes = [nl for m in marks if m in self.doc.notes for nl in self._note_lines(m)]
        if self.y + size > self._body_limit(len(new_notes)):
            self.new_page()
        self._text(x, self.y, text, style, size)
        self.notes_here += new_notes
        self.y += leading

    def items(self, group: list[Item]) -> None:
        for item in group:
            texts = item.text if isinstance(item.text, list) else [item.text]
            size = 12.0 if item.style == "title" else BODY
            for k, hard in enumerate(texts):
                if k + 1 < len(texts) and not (_wide(hard.rstrip()[-1:]) and _wide(texts[k + 1].lstrip()[:1])):
                    hard = hard.rstrip() + " "  # a hard line break that reads as a space keeps its space glyph
                for line in wrap(hard, RIGHT - LEFT - item.indent, item.style, size):
                    self.place_line(LEFT + item.indent, line, item.style, size, LEADING if size <= BODY else 15)
        self.y += PARA_GAP

    def table(self, t: Table) -> None:
        xs = [LEFT]
        for w_ in t.widths[:-1]:
            xs.append(xs[-1] + w_)
        size, lead = 9.0, 11.0

        def cell_lines(cells, style):
            return [wrap(c, w_ - 8, style, size) if c else [] for c, w_ in zip(cells, t.widths)]

        def row_height(lines):
            return max((len(x) for x in lines), default=1) * lead + 6

        def draw_row(lines, style):
            for x, cl in zip(xs, lines):
                for i, ln in enumerate(cl):
                    self._text(x, self.y + i * lead, ln, style, size)
            self.y += row_height(lines)

        def head():
            self._rule(LEFT, RIGHT, self.y - 3, 0.48, pieces=len(t.widths))
            self.y += 2
            draw_row(cell_lines(t.head, "italic"), "italic")
            self._rule(LEFT, RIGHT, self.y - 4, 1.44, pieces=len(t.widths))
            self.y += 2

        head_lines = cell_lines(t.head, "italic")
        if self.y + row_height(head_lines) + 2 * lead + 10 > self._body_limit():
            self.new_page()
        head()
        for row in t.rows:
            lines = cell_lines(row, "body")
            if self.y + row_height(lines) + 4 > self._body_limit():
                self._rule(LEFT, RIGHT, self.y - 3, 0.48, pieces=len(t.widths))
                self.new_page()
                head()
            draw_row(lines, "body")
        self._rule(LEFT, RIGHT, self.y - 3, 0.48, pieces=len(t.widths))
        self.y += PARA_GAP + 4


def render(doc: Doc, path: Path) -> Path:
    """Draw ``doc`` to ``path``; twice, so that the running foot knows the page count."""
    path = Path(path)
    n_pages = _draw(doc, path, 99)
    if n_pages != 99:
        _draw(doc, path, n_pages)
    return path


def _draw(doc: Doc, path: Path, n_pages: int) -> int:
    r = _Renderer(doc, path)
    r.masthead()
    real_new_page = r.new_page

    def new_page():
        real_new_page()
        r.running(n_pages)

    r.new_page = new_page
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


# ---------------------------------------------------------------------------- the bundled document

def doc_from_text(text: str, lang: str, symbol: str, job: str = "09-56431") -> Doc:
    """A render model of a text version: its blocks, as the segmenter sees them."""
    from pipeline.ingest import text_to_blocks
    from pipeline.params import load_params
    from pipeline.segment.units import segment_version, split_block

    params = load_params(Path(__file__).resolve().parents[1] / "configs" / "params.yaml")["segment"]
    blocks = text_to_blocks(text, lang)
    segments = segment_version(blocks, lang, params)
    by_start = {s.char_start: s for s in segments}
    doc = Doc(lang, symbol, [], [], job)
    table_rows: list[list[str]] = []
    masthead_done = 0
    for block in blocks:
        units = split_block(block)
        kinds = [by_start[u.char_start].kind for u in units]
        if kinds[0] in ("table_row", "table_rule"):
            rows = [by_start[u.char_start].cells for u, k in zip(units, kinds) if k == "table_row"]
            table_rows += rows
            widths = [130.0, 55.0, RIGHT - LEFT - 185.0]
            doc.blocks.append(Table(rows[0], rows[1:], widths))
            continue
        if kinds[0] == "meta" and masthead_done < 2:
            lines = [ln.strip() for ln in block.lines]
            (doc.organ if masthead_done == 0 else doc.distr).extend(lines)
            masthead_done += 1
            continue
        if kinds[0] == "footnote":
            seg = by_start[units[0].char_start]
            doc.notes[seg.label] = seg.text.lstrip(SUPERS).strip()
            doc.blocks.append(PageBreak())
            continue
        if kinds[0] == "heading" and by_start[units[0].char_start].item == "2" and units[0].lines[0][:1].isdigit():
            doc.blocks.append(PageBreak())  # keep item 2 and its footnote on one page, as the original
        group = []
        for u, k in zip(units, kinds):
            style = {"title": "title", "heading": "bold", "table_title": "bold"}.get(k, "body")
            indent = 18.0 if u.lines[0].startswith((" ", "\t")) else 0.0
            texts = [ln.strip() for ln in u.lines] if k in ("meta", "title") else [u.text]
            group.append(Item(texts, style, indent))
        doc.blocks.append(group)
    return doc


def render_bundled(root: Path | None = None) -> list[Path]:
    root = root or Path(__file__).resolve().parents[1]
    folder = root / "raw" / "CTOC_COP_WG.2_2009_1"
    out = []
    for lang in ("zh", "en"):
        text = (folder / f"{lang}.txt").read_text(encoding="utf-8")
        doc = doc_from_text(text, lang, "CTOC/COP/WG.2/2009/1")
        out.append(render(doc, folder / f"{lang}.pdf"))
    return out


if __name__ == "__main__":
    for p in render_bundled():
        print(p, p.stat().st_size, "bytes")
