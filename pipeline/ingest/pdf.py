"""PDF reader: UN layouts -> units (paragraphs, headings, footnotes, table rows, masthead).

Pipeline (the measured facts behind each step are in the project's LAYOUT notes):

1. **Open and check** (:func:`open_checked`): not a PDF, truncated or corrupt,
   encrypted, no pages, no text layer (a scan: needs OCR), garbled text ((cid:n),
   U+FFFD, private-use glyphs above ``max_garbled_share``) -> ``InputError``.
2. **Pages** (pdfpage.py): characters -> lines and runs, note marks, rules.
3. **Page furniture**, dropped and counted: running heads and feet (the symbol,
   short title, ``n/N``, ``Page n`` and bare page numbers, job numbers, barcodes;
   anything in the head/foot bands that recurs on ``repeat_min_share`` of the pages
   with digits masked), footnote separators (a run of underscores or a short rule),
   repeated table head rows.
4. **Masthead** (page 1, above the thick rule): the split symbol rebuilt from its
   characters, the organisation name dropped, the organ name and the
   Distr./date/language/Original block kept as ``meta`` units and parsed into
   metadata; the job number is read from the first page's foot.
5. **Footnotes**: lines below the separator; a line starting with a note mark starts
   a footnote, other lines continue the last one (also across pages).
6. **Tables**: runs of horizontal rules with tabular lines between them; columns from
   the gaps of the x-projection, rows from vertical gaps and rules, wrapped cells
   joined; head rows (above the thick rule) that repeat a table's head are dropped.
7. **Paragraphs**: lines -> units across lines, page breaks and the footnotes in
   between (a unit continues unless a paragraph gap, a style change, a marker or a
   first-line indent after a line that ended early, or a sentence end on a short
   line says otherwise); lines are joined without a space between CJK characters,
   after a line-final hyphen or dash, and with a space otherwise (or when the line
   ends in a space glyph). A unit alone between paragraph gaps, on one line (or in a
   larger size), without sentence-final punctuation, is a heading.

Every tolerance is a named parameter in ``DEFAULTS`` (overridable in
``configs/params.yaml`` ``ingest.pdf``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import InputError
from ..langs import is_cjk
from .extracted import Extracted, LayoutUnit
from .parallel import map_in_order, n_workers
from .pdfpage import UNSUPER, Line, PageData, Rule, read_page


@dataclass(frozen=True)
class PdfSettings:
    """Every tolerance of the PDF reader, with its default (params.yaml: ingest.pdf;
    lengths in PDF points unless said otherwise)."""

    # characters -> lines
    line_overlap: float = 0.5  # a char joins a line when they overlap by this share of the smaller height
    word_gap: float = 0.2  # gap (x char size) without a space glyph, over the line's letter spacing, that means a space
    tracking_quantile: float = 0.5  # a line's letter spacing: this quantile of its gaps between characters
    cell_gap: float = 1.0  # gap (x char size) that separates runs (table cells, masthead blocks)
    superscript_ratio: float = 0.75  # chars smaller than this x the line's size ...
    superscript_raise: float = 0.3  # ... whose bottom is this far above the baseline are note marks
    rule_max_thickness: float = 2.0  # filled rects thinner than this are rules
    rule_join_gap: float = 2.0  # rule pieces this close on one y are one rule
    # page furniture
    header_band: float = 0.09  # share of the page height from the top where running heads live
    footer_band: float = 0.925  # ... and from where running feet start
    job_band: float = 0.85  # job numbers and barcodes are looked for below this share of the page
    repeat_min_share: float = 0.5  # band text (digits masked) on this share of the pages is furniture
    # masthead (page 1)
    masthead_rule_min_thickness: float = 1.0  # the thick rule that closes the masthead
    masthead_max_top: float = 0.4  # ... is found above this share of the page height
    masthead_right: float = 0.6  # masthead runs right of this share of the width: symbol, Distr. block
    # footnotes
    separator_min_underscores: int = 5  # a line of at least this many underscores is a separator
    separator_max_width: float = 0.4  # a rule shorter than this share of the page width may be one
    footnote_size_ratio: float = 0.95  # ... when the lines below it are smaller than this x body size
    # tables
    table_min_width: float = 0.3  # rules narrower than this share of the page width are not table rules
    table_max_plain_lines: int = 0  # at most this many paragraph-wide or bold lines between two rules of a table
    row_gap: float = 0.45  # vertical gap (x size) between lines that starts a new table row
    # paragraphs
    paragraph_gap: float = 0.3  # extra space (x size) over the usual line pitch that ends a paragraph
    max_line_pitch: float = 1.6  # baseline-to-baseline distances (x size) above this are not the line pitch
    size_tolerance: float = 0.6  # sizes closer than this are the same style
    indent_tolerance: float = 4.0  # x offsets smaller than this are the same indent
    heading_max_lines: int = 3  # larger-than-body or bold headings may wrap onto this many lines
    heading_font_min_share: float = 0.9  # CJK chars in a font other than the body's (a Hei heading font): bold
    # bad inputs
    max_garbled_share: float = 0.02  # (cid:n), U+FFFD, private-use chars above this share -> error
    min_chars_per_page: int = 5  # fewer non-space chars per page on average: no text layer
    # speed
    parallel_min_pages: int = 16  # documents with at least this many pages are read page-parallel


DEFAULTS = asdict(PdfSettings())

ORGANISATIONS = re.compile(
    r"^(?:United Nations|UNITED NATIONS|UNITED|NATIONS|Nations Unies|联合国|"
    r"Организация Объединенных Наций|Naciones Unidas|الأمم المتحدة)$"
)
JOB = re.compile(r"^(?:(?:GE|V|N)\.)?\d{2}-\d{5}\s?(?:\([A-Z]\))?(?:\s+\d{6}){0,2}$")
JOB_FIND = re.compile(r"(?:(?:GE|V|N)\.)?\d{2}-\d{5}\s?(?:\([A-Z]\))?")
BARCODE = re.compile(r"^\*\d{7}\*$")
DATE_CODE = re.compile(r"^\d{6}(?:\s+\d{6})?$")
PAGE_NO = re.compile(r"^(?:\d{1,4}|\d{1,4}\s*/\s*\d{1,4}|(?:Page|Página|Страница|第)\s*\d{1,4}(?:页)?|/\.\.\.)$")
UNDERSCORES = re.compile(r"^_+$")
LEADER = re.compile(r"(?:\s*\.){4,}\s*(?:\d{1,4}|[ivxlc]{1,6})?\s*$")  # table-of-contents dot leader + page
SENTENCE_END = tuple(".。!?！？:：;；")
MARKER_START = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[章节条款]|[一二三四五六七八九十]+、|"
    r"（[一二三四五六七八九十a-z\d]{1,3}）|\d{1,3}\.\s|\(?[a-z]{1,3}\)\s|\(?[ivx]{1,5}\)\s|[IVXLC]{1,6}\.\s|[A-Z]\.\s|"
    r"[-–•·▪]\s|\d{1,3}\)\s|[\u00b9\u00b2\u00b3\u2070-\u209f\u1d2c-\u1dbf]+\s|\*+\s)"
)
NOTE_START = re.compile(r"^(\*{1,3}|\d{1,3}/)\s")
NO_SPACE_AFTER = "-‐‑–—/"
MONTHS = {
    m: i
    for i, m in enumerate(
        "january february march april may june july august september october november december".split(),
        1,
    )
}
LANGUAGE_NAMES = {
    "Arabic",
    "Chinese",
    "English",
    "French",
    "Russian",
    "Spanish",
    "Français",
    "Español",
    "Anglais",
    "Inglés",
    "Русский",
    "Английский",
}


# ---------------------------------------------------------------------------- open and check


def open_checked(path: Path, p: dict):
    """pdfplumber.PDF for ``path``, or InputError saying why it cannot be read."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    data_head = Path(path).read_bytes()[:1024]
    if not data_head.lstrip().startswith(b"%PDF-"):
        raise InputError(path, "not a PDF file (no %PDF- header); is it another format renamed?")
    with open(path, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - 2048))
        tail = f.read()
    if b"%%EOF" not in tail:
        raise InputError(path, "truncated or corrupt PDF (no %%EOF end marker); download it again")
    try:
        pdf = pdfplumber.open(path)
        pages = pdf.pages
    except (PDFPasswordIncorrect, PDFEncryptionError) as err:
        raise InputError(
            path, f"encrypted PDF that needs a password ({type(err).__name__}); save an unprotected copy"
        ) from None
    except Exception as err:  # pdfminer raises many kinds for broken files
        if type(err).__name__.startswith("PDFPassword") or "password" in str(err).lower():
            raise InputError(path, "encrypted PDF that needs a password; save an unprotected copy") from None
        kind = "corrupt PDF" if isinstance(err, (PDFSyntaxError, PSException)) else "unreadable PDF"
        raise InputError(path, f"{kind} ({type(err).__name__}: {str(err)[:80]})") from None
    if not pages:
        pdf.close()
        raise InputError(path, "PDF has no pages")
    return pdf


def check_pages(path: Path, pages: list[PageData], p: dict, warnings: list[str]) -> None:
    n_chars = sum(pg.n_chars for pg in pages)
    if n_chars < p["min_chars_per_page"] * len(pages):
        scanned = sum(1 for pg in pages if pg.n_images)
        what = "scanned pages (images)" if scanned else "no text"
        raise InputError(
            path, f"no text layer ({n_chars} characters on {len(pages)} pages, {what}); it needs OCR first"
        )
    bad = sum(pg.bad_chars for pg in pages)
    if bad > p["max_garbled_share"] * n_chars:
        raise InputError(
            path,
            f"garbled text layer: {bad} of {n_chars} characters are (cid:n) codes, U+FFFD or "
            f"private-use glyphs ({bad / n_chars:.0%}, maximum {p['max_garbled_share']:.0%}); "
            "the fonts lack a Unicode map: re-export the PDF or OCR it",
        )
    if bad:
        warnings.append(f"{bad} unmapped characters ((cid:n), U+FFFD or private-use) kept as they are")
    if any(pg.full_page_image for pg in pages):
        warnings.append("scanned pages with an OCR text layer: expect recognition errors")


# ---------------------------------------------------------------------------- reading


def _read_range(args) -> list:
    return read_page_range(*args)


def read_pages_parallel(path: Path, n_pages: int, p: dict) -> list:
    """PageData of every page of one PDF, page ranges read in parallel."""
    workers = n_workers(p, n_pages)
    chunk = -(-n_pages // workers)
    ranges = [(str(path), a, min(a + chunk, n_pages), p) for a in range(0, n_pages, chunk)]
    return [page for part in map_in_order(_read_range, ranges, workers) for page in part]


def read_pdf(path: Path, lang: str, params: dict | None = None) -> Extracted:
    p = {**DEFAULTS, **(params or {})}
    path = Path(path)
    warnings: list[str] = []
    pdf = open_checked(path, p)
    try:
        n = len(pdf.pages)
        if n >= p["parallel_min_pages"] and p.get("workers", 0) != 1:
            pdf.close()
            pages = read_pages_parallel(path, n, p)
        else:
            pages = []
            for i, page in enumerate(pdf.pages):
                pages.append(_read_page_checked(path, page, i + 1, p))
                page.close()
    finally:
        pdf.close()
    check_pages(path, pages, p, warnings)
    return assemble(pages, lang, p, warnings)


def _read_page_checked(path: Path, page, number: int, p: dict) -> PageData:
    try:
        return read_page(page, number, p)
    except InputError:
        raise
    except Exception as err:
        raise InputError(
            path, f"corrupt PDF: page {number} cannot be read ({type(err).__name__}: {str(err)[:80]})"
        ) from None


def read_page_range(path: str, first: int, last: int, p: dict) -> list[PageData]:
    """Pages first..last-1 (0-based) of ``path``; the unit of work of the page-parallel pool."""
    import pdfplumber

    out = []
    with pdfplumber.open(path) as pdf:
        for i in range(first, last):
            page = pdf.pages[i]
            out.append(_read_page_checked(Path(path), page, i + 1, p))
            page.close()
    return out


# ---------------------------------------------------------------------------- assembly


@dataclass
class _Table:
    page: int
    top: float
    bottom: float
    rows: list[tuple[list[str], list[Line]]]  # (cells, lines)
    head: int  # number of head rows


@dataclass
class _Open:
    """A unit being built from lines."""

    kind: str
    lines: list[Line] = field(default_factory=list)
    text: str = ""
    label: str | None = None
    group: int = 0


def assemble(pages: list[PageData], lang: str, p: dict, warnings: list[str]) -> Extracted:
    doc = _Document(pages, lang, p, warnings)
    return doc.run()


def _mask(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip())


def join_text(a: str, b: str, a_trailing_space: bool = False) -> str:
    """Join a printed line to the text before it (see the module docstring)."""
    if not a:
        return b
    if not b:
        return a
    if a_trailing_space:
        return a + " " + b
    last, first = a[-1], b[0]
    if last in NO_SPACE_AFTER and len(a) >= 2 and not a[-2].isspace():
        return a + b
    if _wide(last) or _wide(first):
        return a + b
    return a + " " + b


def _wide(ch: str) -> bool:
    """CJK ideographs and full-width punctuation: no space around a line break."""
    return is_cjk(ch) or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or ch in "“”‘’…—·"


class _Document:
    def __init__(self, pages: list[PageData], lang: str, p: dict, warnings: list[str]):
        self.pages, self.lang, self.p, self.warnings = pages, lang, p, warnings
        self.furniture: list[str] = []
        self.metadata: dict = {}
        for page in pages:
            self.furniture.extend(page.dropped)
        sizes = Counter()
        for page in pages:
            for line in page.lines:
                sizes[line.size] += line.n_chars
        self.body_size = sizes.most_common(1)[0][0] if sizes else 10.0
        # Chinese headings are set in another typeface (SimHei beside SimSun), not in a "Bold" font
        cjk_fonts = Counter()
        for page in pages:
            for line in page.lines:
                cjk_fonts.update(line.cjk_fonts)
        if cjk_fonts:
            body_font = cjk_fonts.most_common(1)[0][0]
            for page in pages:
                for line in page.lines:
                    other = sum(n for f, n in line.cjk_fonts.items() if f != body_font)
                    if line.n_letters and other:
                        line.bold = line.n_bold + other >= p["heading_font_min_share"] * line.n_letters
        self.units: list[LayoutUnit] = []
        self.group = 0

    # ------------------------------------------------------------ furniture
    def _band_lines(self):
        p = self.p
        for page in self.pages:
            for line in page.lines:
                if line.bottom <= p["header_band"] * page.height or line.top >= p["footer_band"] * page.height:
                    yield page, line

    def find_furniture(self) -> None:
        """Mark running heads/feet, page and job numbers, barcodes (line.furniture)."""
        p = self.p
        seen: dict[str, set[int]] = {}
        for page, line in self._band_lines():
            if getattr(line, "masthead", False):
                continue
            for run in line.runs:
                seen.setdefault(_mask(run.raw), set()).add(page.number)
        n = len(self.pages)
        repeated = {t for t, pgs in seen.items() if n >= 2 and len(pgs) >= max(2, p["repeat_min_share"] * n)}
        symbol = (self.metadata.get("printed_symbol") or "").replace(" ", "")
        self.furniture_lines: set[int] = set()
        for page in self.pages:
            for line in page.lines:
                if getattr(line, "masthead", False):
                    continue
                in_band = line.bottom <= p["header_band"] * page.height or line.top >= p["footer_band"] * page.height
                low = line.top >= p["job_band"] * page.height
                if not (in_band or low):
                    continue
                ok = True
                has_job = any(JOB.match(r.raw.strip()) for r in line.runs)
                for run in line.runs:
                    raw = run.raw.strip()
                    if has_job and DATE_CODE.match(raw):
                        continue  # the ddmmyy code(s) after a job number
                    if line.barcode or BARCODE.match(raw) or (low and JOB.match(raw)):
                        if JOB.match(raw) and page.number == 1 and "job_number" not in self.metadata and low:
                            self.metadata["job_number"] = JOB_FIND.search(raw).group(0).strip()
                        continue
                    if in_band and (
                        PAGE_NO.match(raw) or _mask(raw) in repeated or (symbol and raw.replace(" ", "") == symbol)
                    ):
                        continue
                    if in_band and JOB.match(raw):
                        continue
                    ok = False
                    break
                if ok:
                    self.furniture_lines.add(id(line))
        if "job_number" not in self.metadata:
            for line in self.pages[0].lines:
                if id(line) in self.furniture_lines:
                    m = JOB_FIND.search(line.raw)
                    if m:
                        self.metadata["job_number"] = m.group(0).strip()
                        break

    # ------------------------------------------------------------ masthead
    def masthead(self) -> tuple[float, list[LayoutUnit]]:
        """Parse page 1's masthead; returns (its bottom, meta units)."""
        p, page = self.p, self.pages[0]
        thick = [
            r
            for r in page.rules
            if r.thickness >= p["masthead_rule_min_thickness"]
            and r.width >= 0.5 * page.width
            and r.top <= p["masthead_max_top"] * page.height
        ]
        if not thick:
            return 0.0, []
        bottom = thick[0].top
        thin = [r for r in page.rules if r.top < bottom - 1 and r.width >= 0.5 * page.width]
        split = thin[0].top if thin else None
        right_x = p["masthead_right"] * page.width
        left, right = [], []
        symbol_parts = []
        for line in page.lines:
            if line.bottom > bottom + 1:
                continue
            line.masthead = True
            for run in line.runs:
                upper = split is not None and line.top < split or split is None and line.bottom < 0.1 * page.height
                if upper or ORGANISATIONS.match(run.raw.strip()):
                    if run.x0 >= right_x:
                        symbol_parts.append((line.top, run.x0, run.raw.strip()))
                    self.furniture.append(run.raw)
                    continue
                (right if run.x0 >= right_x else left).append((line.top, run, line))
        if symbol_parts:
            symbol = "".join(t for _, _, t in sorted(symbol_parts, key=lambda s: s[1]))
            symbol = re.sub(r"^([A-Z])\1(?=/)", r"\1", symbol).rstrip("*")  # "AA/..." fake bold; "*" note
            self.metadata["printed_symbol"] = symbol
        units = []
        for side in (left, right):
            if not side:
                continue
            side.sort(key=lambda s: (s[0], s[1].x0))
            text, space = "", False
            for _, run, _ in side:
                text, space = join_text(text, run.raw, space), run.space_after
            lines = [ln for _, _, ln in side]
            units.append(self._unit("meta", text, lines, group=self._next_group()))
        self._parse_distr([run.raw for _, run, _ in right])
        return bottom, units

    def _parse_distr(self, lines: list[str]) -> None:
        meta = self.metadata
        for i, line in enumerate(lines):
            s = line.strip()
            m = re.match(r"^Distr\.?\s*:?\s*(\w+)?", s)
            if m:
                value = m.group(1) or (lines[i + 1].strip() if i + 1 < len(lines) else None)
                meta["distribution"] = value.capitalize() if value else None
                continue
            m = re.match(r"^Original\s*:\s*(.+)$", s)
            if m:
                meta["original_language"] = m.group(1).strip()
                continue
            if s in LANGUAGE_NAMES:
                meta["language_line"] = s
                continue
            m = re.match(r"^(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})$", s)
            if m and m.group(2).lower() in MONTHS and "date" not in meta:
                meta["date"] = f"{m.group(3)}-{MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
            elif re.search(r"\d{4}", s) and "date" not in meta and not re.search(r"/", s):
                meta["date"] = s

    # ------------------------------------------------------------ helpers
    def _next_group(self) -> int:
        self.group += 1
        return self.group

    def _unit(
        self, kind: str, text: str, lines: list[Line], group: int, label: str | None = None, cells: tuple[str, ...] = ()
    ) -> LayoutUnit:
        first = lines[0]
        on_first = [ln for ln in lines if ln.page == first.page]
        bbox = (
            round(min(ln.x0 for ln in on_first), 2),
            round(min(ln.top for ln in on_first), 2),
            round(max(ln.x1 for ln in on_first), 2),
            round(max(ln.bottom for ln in on_first), 2),
        )
        refs = () if kind == "meta" else tuple(r for ln in lines for r in ln.refs)
        return LayoutUnit(kind, text, group, first.page, lines[-1].page, bbox, label, cells, refs)

    # ------------------------------------------------------------ footnote zones and tables
    def split_page(self, page: PageData, masthead_bottom: float):
        """(body lines, footnote lines, tables) of one page, furniture removed."""
        p = self.p
        lines = [ln for ln in page.lines if id(ln) not in self.furniture_lines and not getattr(ln, "masthead", False)]
        for ln in page.lines:
            if id(ln) in self.furniture_lines:
                self.furniture.append(ln.raw)
        # footnote separator: underscores as text, or a short rule with smaller lines below
        sep = None
        for ln in lines:
            if (
                UNDERSCORES.match(ln.raw.replace(" ", ""))
                and len(ln.raw.replace(" ", "")) >= p["separator_min_underscores"]
            ):
                sep = ln.bottom
                self.furniture.append(ln.raw)
                lines = [x for x in lines if x is not ln]
                break
        if sep is None:
            for r in page.rules:
                if r.width <= p["separator_max_width"] * page.width and r.top > masthead_bottom + 1 and r.width >= 20:
                    below = [ln for ln in lines if ln.top > r.top]
                    above = [ln for ln in lines if ln.bottom < r.top and ln.top > masthead_bottom]
                    if (
                        below
                        and above
                        and all(ln.size < p["footnote_size_ratio"] * self.body_size for ln in below)
                        and (below[0].lead is not None or NOTE_START.match(below[0].text))
                    ):
                        sep = r.top
                        break
        for ln in lines:
            m = LEADER.search(ln.text)
            if m and m.start() > 0:
                self.furniture.append(ln.text[m.start() :])
                ln.text = ln.text[: m.start()].rstrip()
                ln.raw = LEADER.sub("", ln.raw).rstrip()
                ln.runs = [r for r in ln.runs if not LEADER.fullmatch(" " + r.raw)] or ln.runs[:1]
        notes = [ln for ln in lines if sep is not None and ln.top >= sep]
        body = [ln for ln in lines if sep is None or ln.top < sep]
        tables = self._tables(page, body, masthead_bottom)
        in_table = {id(ln) for t in tables for _, rl in t.rows for ln in rl}
        for t in tables:
            for ln in getattr(t, "dropped", []):
                in_table.add(id(ln))
        body = [ln for ln in body if id(ln) not in in_table]
        return body, notes, tables

    def _tables(self, page: PageData, body: list[Line], masthead_bottom: float) -> list[_Table]:
        p = self.p
        rules = [
            r
            for r in page.rules
            if r.width >= p["table_min_width"] * page.width
            and r.top > masthead_bottom + 1
            and r.top > p["header_band"] * page.height
            and r.top < p["footer_band"] * page.height
        ]
        rules.sort(key=lambda r: r.top)
        if len(rules) < 2:
            return []
        clusters: list[list[Rule]] = []
        for r in rules:
            if clusters:
                last = clusters[-1][-1]
                between = [ln for ln in body if last.top < ln.top and ln.bottom < r.top + 1]
                # a paragraph line is one wide run, a heading one bold run; table lines are cells
                plain = [ln for ln in between if len(ln.runs) < 2 and (ln.x1 - ln.x0 > 0.6 * r.width or ln.bold)]
                if len(plain) <= p["table_max_plain_lines"]:
                    clusters[-1].append(r)
                    continue
            clusters.append([r])
        tables = []
        for cl in clusters:
            if len(cl) < 2:
                continue
            top, bottom = cl[0].top, cl[-1].top
            lines = [ln for ln in body if top < ln.top and ln.bottom < bottom + 1]
            if cl[-1].thickness >= p["masthead_rule_min_thickness"]:
                # ends on a head rule: no closing rule on this page, rows run on below it
                prev_bottom = bottom
                for ln in (x for x in body if x.top > bottom):
                    wide = (len(ln.runs) <= 2 and ln.x1 - ln.x0 > 0.6 * cl[-1].width) or (len(ln.runs) < 2 and ln.bold)
                    gap = ln.top - prev_bottom
                    if wide or gap > 3 * ln.size or (prev_bottom == bottom and gap > ln.size):
                        break
                    lines.append(ln)
                    prev_bottom = ln.bottom
            if not lines:
                continue
            tables.append(self._table(page, cl, lines))
        return tables

    def _table(self, page: PageData, rules: list[Rule], lines: list[Line]) -> _Table:
        p = self.p
        # columns: gaps in the x-projection of the runs
        spans = sorted((r.x0, r.x1) for ln in lines for r in ln.runs)
        cols: list[list[float]] = []
        for x0, x1 in spans:
            if cols and x0 <= cols[-1][1] + 1.0:
                cols[-1][1] = max(cols[-1][1], x1)
            else:
                cols.append([x0, x1])
        starts = [c[0] for c in cols]
        thick = [
            r
            for r in rules[1:]
            if r.thickness >= p["masthead_rule_min_thickness"] and any(ln.top > r.top for ln in lines)
        ]
        head_bottom = thick[0].top if thick else None
        rows: list[tuple[list[list[tuple[str, bool]]], list[Line]]] = []
        prev = None
        for ln in lines:
            rule_between = prev is not None and any(prev.bottom < r.top < ln.top for r in rules)
            new = prev is None or rule_between or ln.top - prev.bottom > p["row_gap"] * ln.size
            if new:
                rows.append(([[] for _ in starts], []))
            cells, rl = rows[-1]
            for run in ln.runs:
                k = max(i for i, s in enumerate(starts) if s <= run.x0 + 0.5) if run.x0 + 0.5 >= starts[0] else 0
                cells[k].append((run.text, run.space_after))
            rl.append(ln)
            prev = ln
        out = []
        n_head = 0
        for cells, rl in rows:
            texts = []
            for parts in cells:
                t, space = "", False
                for s, sp in parts:
                    t, space = join_text(t, s, space), sp
                texts.append(t)
            out.append((texts, rl))
            if head_bottom is not None and rl[-1].bottom < head_bottom:
                n_head += 1
        return _Table(page.number, rules[0].top, rules[-1].top, out, n_head)

    # ------------------------------------------------------------ the main walk
    def run(self) -> Extracted:
        masthead_bottom, meta_units = self.masthead()
        self.find_furniture()
        self.units.extend(meta_units)
        lines_all = [ln for pg in self.pages for ln in pg.lines]
        lefts = Counter(round(ln.x0) for ln in lines_all if abs(ln.size - self.body_size) < 0.6 and len(ln.runs) == 1)
        self.col_left = lefts.most_common(1)[0][0] if lefts else 72.0
        rights = sorted(ln.x1 for ln in lines_all if abs(ln.size - self.body_size) < 0.6 and len(ln.runs) == 1)
        self.col_right = rights[int(0.9 * (len(rights) - 1))] if rights else 540.0
        pitches = Counter()
        for pg in self.pages:
            for a, b in zip(pg.lines, pg.lines[1:]):
                if abs(a.size - b.size) < 0.6:
                    pitches[(a.size, round(b.bottom - a.bottom, 0))] += 1
        # the usual line pitch of each size: the commonest pitch that is not a paragraph gap (short
        # paragraphs make the paragraph pitch commonest when every line pair is counted)
        self.pitch = {}
        for (size, pitch), count in pitches.most_common():
            if 0.8 * size < pitch <= self.p["max_line_pitch"] * size and size not in self.pitch:
                self.pitch[size] = pitch

        cur: _Open | None = None
        prev: Line | None = None
        pending: list[LayoutUnit] = []  # footnotes waiting for the paragraph open at their page's end
        note: _Open | None = None
        last_head: list[str] | None = None

        def close():
            nonlocal cur
            if cur is not None:
                self._emit(cur)
                cur = None
            if pending:
                self.units.extend(pending)
                pending.clear()

        for page in self.pages:
            body, notes, tables = self.split_page(page, masthead_bottom if page.number == 1 else 0.0)
            items = [(ln.top, 0, ln) for ln in body] + [(t.top, 1, t) for t in tables]
            items.sort(key=lambda it: (it[0], it[1]))
            for _, is_table, item in items:
                if is_table:
                    close()
                    prev = None
                    group = self._next_group()
                    rows = item.rows
                    head = [cells for cells, _ in rows[: item.head]]
                    if item.head and head == last_head:
                        for cells, rl in rows[: item.head]:
                            self.furniture.extend(ln.raw for ln in rl)
                        rows = rows[item.head :]
                    elif item.head:
                        last_head = head
                    for cells, rl in rows:
                        filled = [c for c in cells if c]
                        if rl[0].lead is not None and len(filled) == 1:  # a table note inside the rules
                            self.units.append(
                                self._unit("footnote", filled[0], rl, self._next_group(), label=rl[0].lead)
                            )
                            continue
                        text = "|" + "|".join(f" {c} " if c else " " for c in cells) + "|"
                        self.units.append(self._unit("table_row", text, rl, group, cells=tuple(cells)))
                    continue
                ln = item
                start_note = ln.lead is not None and ln.size < self.p["footnote_size_ratio"] * self.body_size
                if start_note:  # a table note or a note in the body
                    close()
                    cur = _Open("footnote", [ln], ln.text, label=ln.lead, group=self._next_group())
                    prev = ln
                    continue
                decision = self._decide(cur, prev, ln)
                if decision == "continue":
                    cur.lines.append(ln)
                    cur.text = join_text(cur.text, ln.text, prev.trailing_space)
                else:
                    group = cur.group if (decision == "unit" and cur is not None) else self._next_group()
                    close()
                    cur = _Open("paragraph", [ln], ln.text, group=group)
                prev = ln
            # this page's footnotes
            for ln in notes:
                label = ln.lead
                m = NOTE_START.match(ln.text) if label is None else None
                if m:
                    label = m.group(1).rstrip("/")
                if label is not None or note is None:
                    note = _Open("footnote", [ln], ln.text, label=label, group=0)
                    pending.append(note)  # placeholder, finalised below
                else:
                    note.lines.append(ln)
                    note.text = join_text(note.text, ln.text, note.lines[-2].trailing_space)
        close()
        self._mark_headings()
        return Extracted.from_units(
            self.units,
            self.lang,
            metadata=self.metadata,
            furniture=self.furniture,
            n_pages=len(self.pages),
            warnings=self.warnings,
        )

    def _emit(self, cur: _Open) -> None:
        self.units.append(cur)

    def _decide(self, cur: _Open | None, a: Line | None, b: Line) -> str:
        """'continue' the open unit, start a new 'unit' in its group, or a new 'group'."""
        decision = self._decide_in_page(cur, a, b)
        if decision == "unit" and a is not None and a.page != b.page:
            return "group"  # no gap can be seen across a page break: a new unit starts a new group
        return decision

    def _decide_in_page(self, cur: _Open | None, a: Line | None, b: Line) -> str:
        p = self.p
        if cur is None or a is None:
            return "group"
        same_page = a.page == b.page
        tol = p["size_tolerance"]
        if same_page:
            expected = self.pitch.get(a.size, 1.2 * a.size)
            if b.bottom - a.bottom > expected + p["paragraph_gap"] * a.size:
                return "group"
            if b.top < a.top:  # back up the page: another column
                return "group"
        if cur.kind == "footnote":  # a table note's next line
            return "continue" if same_page and b.size <= a.size + tol and not MARKER_START.match(b.text) else "group"
        short = a.x1 + b.first_word + 0.25 * b.size < self.col_right - 1.0
        ends = a.text.rstrip("”’\"')）》」』 ¹²³⁴⁵⁶⁷⁸⁹⁰").endswith(SENTENCE_END)
        strong_end = a.text.rstrip("”’\"')）》」』 ¹²³⁴⁵⁶⁷⁸⁹⁰").endswith(tuple(".。!?！？:："))
        if abs(a.size - b.size) > tol:
            return "group" if not same_page else "unit"
        restyled = a.bold != b.bold or a.italic != b.italic
        outdented = abs(b.x0 - self.col_left) > p["indent_tolerance"] and abs(b.x0 - a.x0) > p["indent_tolerance"]
        if strong_end and not same_page and (restyled or outdented) and not b.text[:1].islower():
            return "unit"
        if short and (a.bold != b.bold or a.italic != b.italic) and not b.text[:1].islower():
            return "unit"
        indented = b.x0 > self.col_left + p["indent_tolerance"]
        if MARKER_START.match(b.text) and (short or (strong_end and not same_page) or (ends and indented)):
            return "unit"  # "…questions:" / "…;" then an indented "(a) …": a list item after a full line
        first = cur.lines[0]
        itol = p["indent_tolerance"]
        hanging = abs(b.x0 - first.body_x0) <= itol and first.body_x0 > first.x0 + itol
        if b.x0 > a.x0 + itol and not hanging and (short or ends):
            return "unit"
        if short and ends and not same_page:
            return "group"
        if (
            short
            and ends
            and b.x0 <= self.col_left + itol
            and a.x1 < self.col_right - 0.15 * (self.col_right - self.col_left)
        ):
            return "unit"
        return "continue"

    def _mark_headings(self) -> None:
        """Finalise open units: a unit alone in its group, short and unpunctuated, is a heading."""
        by_group = Counter(u.group for u in self.units)
        members: dict[int, list] = {}
        for u in self.units:
            members.setdefault(u.group, []).append(u)
        out = []
        for u in self.units:
            if isinstance(u, LayoutUnit):
                out.append(u)
                continue
            kind = u.kind
            text = " ".join(u.text.split())
            if kind == "paragraph":
                size = max(ln.size for ln in u.lines)
                n_lines = len({(ln.page, round(ln.top)) for ln in u.lines})
                bigger = size > self.body_size + self.p["size_tolerance"]
                alone = by_group[u.group] == 1
                bold = all(ln.bold for ln in u.lines)
                # a bold line among plain ones: a heading printed without a gap after the line above
                distinct = (
                    bold
                    and not alone
                    and all(
                        not all(ln.bold for ln in o.lines)
                        for o in members[u.group]
                        if o is not u and not isinstance(o, LayoutUnit)
                    )
                )
                unpunctuated = not text.rstrip("”’\"')）》」』 ").endswith(SENTENCE_END)
                if (
                    (alone or distinct)
                    and unpunctuated
                    and (
                        n_lines == 1
                        and (alone or bold)
                        or ((bigger or bold) and n_lines <= self.p["heading_max_lines"])
                    )
                ):
                    kind = "heading"
                    if distinct:
                        u.group = self._next_group()
            if kind == "footnote" and u.group == 0:
                u.group = self._next_group()
            label = u.label
            if label is not None:
                label = "".join(UNSUPER.get(ch, ch) for ch in label)
            out.append(self._unit(kind, text, u.lines, u.group, label=label))
        self.units = out
