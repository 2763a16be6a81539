"""PDF pages -> lines, rules and page facts (the per-page half of the PDF reader).

Everything here looks at one page at a time, so pages can be read in parallel
(parallel.py); pdf.py then works on the whole document. Lines are built from
pdfplumber's characters:

* characters are grouped into lines by **vertical overlap** (a raised 6.5-pt
  footnote reference overlaps its 10-pt line; two lines 12 pt apart do not), so a
  superscript's smaller ``top`` never splits a line;
* within a line, characters are ordered by x; a gap wider than ``word_gap`` x the
  size (with no space glyph) is a space, wider than ``cell_gap`` x the size starts a
  new *run* (a table cell, a right-hand masthead block, a footer item);
* characters smaller than ``superscript_ratio`` x the line's size and raised above
  its baseline are **note marks**: written as Unicode superscripts (1 -> ¹, a -> ᵃ)
  so that "2006,1" becomes "2006,¹", and recorded in the line's ``refs`` (or as the
  line's ``lead`` when the line starts with one: a footnote body);
* identical glyphs painted twice at the same place (fake bold) are dropped once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..langs import is_wide

SUPER = {
    **{str(d): s for d, s in zip(range(10), "⁰¹²³⁴⁵⁶⁷⁸⁹")},
    **dict(zip("abcdefghijklmnoprstuvwxyz", "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ")),
}
UNSUPER = {v: k for k, v in SUPER.items()}
BARCODE_FONT = re.compile(r"(?i)barcode|3\s*of\s*9|c39|code39")
LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}


def is_pua(ch: str) -> bool:
    return "\ue000" <= ch <= "\uf8ff"


@dataclass
class Run:
    x0: float
    x1: float
    text: str  # with superscript marks
    raw: str  # characters as printed (no superscript mapping)
    space_after: bool = False  # a space glyph ends the run


@dataclass
class Line:
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # dominant character size
    text: str
    raw: str
    runs: list[Run]
    bold: bool  # every letter bold
    italic: bool
    refs: list[str] = field(default_factory=list)  # note marks inside the line (ascii)
    lead: str | None = None  # note mark the line starts with (a footnote body's number)
    body_x0: float = 0.0  # x0 of the first word after a leading marker ("1.", "(a)", "¹")
    first_word: float = 0.0  # width of the first word (does it fit at the end of the previous line?)
    trailing_space: bool = False  # a space glyph ends the line
    barcode: bool = False  # set in a barcode font or in private-use glyphs
    n_chars: int = 0  # non-whitespace characters
    n_letters: int = 0  # letters (CJK characters included)
    n_bold: int = 0  # letters in a font named bold
    cjk_fonts: dict = field(default_factory=dict)  # font -> CJK characters set in it
    tracking: float = 0.0  # letter spacing of the line (justified CJK lines widen every gap)


@dataclass
class Rule:
    x0: float
    x1: float
    top: float
    thickness: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass
class PageData:
    number: int
    width: float
    height: float
    lines: list[Line]
    rules: list[Rule]
    n_chars: int  # non-whitespace characters read
    bad_chars: int  # (cid:n), U+FFFD, private use (outside barcode fonts)
    dropped: list[str]  # characters dropped here: duplicates, rotated text
    full_page_image: bool
    n_images: int


_MARKER = re.compile(r"^(?:\d{1,3}\.|\(?[a-z]{1,3}\)|[IVXLC]{1,6}\.|[A-Z]\.|[-–•·▪]|\d{1,3}\))$")


def _white(color) -> bool:
    if color is None:
        return False
    if isinstance(color, (int, float)):
        return color >= 0.99
    values = list(color)
    if len(values) == 4:  # CMYK
        return all(v <= 0.01 for v in values)
    return bool(values) and all(v >= 0.99 for v in values)


def page_rules(page, p: dict) -> list[Rule]:
    """Thin horizontal vector objects (lines, filled rects), abutting pieces merged."""
    pieces = []
    max_thick = p["rule_max_thickness"]
    for r in page.rects:
        h = r["bottom"] - r["top"]
        if (
            h <= max_thick
            and r["x1"] - r["x0"] >= 1.0
            and not (r.get("fill") and _white(r.get("non_stroking_color")) and not r.get("stroke"))
        ):
            pieces.append((round(r["top"], 1), r["x0"], r["x1"], max(h, r.get("linewidth") or 0)))
    for ln in page.lines:
        if abs(ln["bottom"] - ln["top"]) < 0.5 and ln["x1"] - ln["x0"] >= 1.0:
            pieces.append((round(ln["top"], 1), ln["x0"], ln["x1"], ln.get("linewidth") or 0.5))
    pieces.sort()
    rules: list[Rule] = []
    for top, x0, x1, thick in pieces:
        last = rules[-1] if rules else None
        if last and abs(last.top - top) <= 0.6 and x0 <= last.x1 + p["rule_join_gap"]:
            last.x1 = max(last.x1, x1)
            last.thickness = max(last.thickness, thick)
        else:
            rules.append(Rule(x0, x1, top, thick))
    return rules


def read_page(page, number: int, p: dict) -> PageData:
    """One pdfplumber page -> PageData (lines with runs and marks, rules, counts)."""
    chars = page.chars
    dropped: list[str] = []
    n_chars = bad = 0
    kept = []
    seen = set()
    for c in chars:
        text = c["text"]
        ws = text.isspace()
        if not ws:
            n_chars += len(text)
            if (
                text.startswith("(cid:")
                or "\ufffd" in text
                or (is_pua(text[0]) and not BARCODE_FONT.search(c["fontname"]))
            ):
                bad += 1
        if not c.get("upright", True):
            if not ws:
                dropped.append(text)
            continue
        key = (text, round(c["x0"]), round(c["top"]))
        if key in seen and not ws:
            dropped.append(text)  # the same glyph painted twice (fake bold)
            continue
        seen.add(key)
        kept.append(c)
    lines = _lines(kept, number, p)
    images = page.images
    full = any(
        (im["x1"] - im["x0"]) >= 0.9 * page.width and (im["bottom"] - im["top"]) >= 0.9 * page.height for im in images
    )
    return PageData(
        number,
        float(page.width),
        float(page.height),
        lines,
        page_rules(page, p),
        n_chars,
        bad,
        dropped,
        full,
        len(images),
    )


def _lines(chars: list[dict], number: int, p: dict) -> list[Line]:
    # group by vertical overlap with the line's full-size characters
    chars = sorted(chars, key=lambda c: (c["top"], c["x0"]))
    groups: list[list] = []  # [top, bottom, chars]
    overlap = p["line_overlap"]
    for c in chars:
        top, bottom = c["top"], c["bottom"]
        height = max(bottom - top, 0.1)
        placed = False
        for g in reversed(groups[-4:]):
            ov = min(bottom, g[1]) - max(top, g[0])
            if ov >= overlap * min(height, g[1] - g[0]):
                g[2].append(c)
                if height > g[1] - g[0]:
                    g[0], g[1] = min(g[0], top), max(g[1], bottom)
                placed = True
                break
        if not placed:
            groups.append([top, bottom, [c]])
    out = []
    for top, bottom, group in groups:
        line = _make_line(group, number, p)
        if line is not None:
            out.append(line)
    out.sort(key=lambda ln: (ln.top, ln.x0))
    return out


def _make_line(group: list[dict], number: int, p: dict) -> Line | None:
    group.sort(key=lambda c: c["x0"])
    sizes: dict[float, int] = {}
    n_bold = n_italic = n_letters = 0
    barcode = False
    for c in group:
        t = c["text"]
        if t.isspace():
            continue
        s = round(c["size"], 1)
        sizes[s] = sizes.get(s, 0) + 1
        font = c["fontname"]
        if t.isalpha():
            n_letters += 1
            if "Bold" in font or "bold" in font:
                n_bold += 1
            if "Italic" in font or "Oblique" in font:
                n_italic += 1
        if BARCODE_FONT.search(font) or is_pua(t[0]):
            barcode = True
    if not sizes:
        return None  # whitespace only (spacer lines)
    size = max(sizes.items(), key=lambda kv: (kv[1], kv[0]))[0]
    base = max(c["bottom"] for c in group if not c["text"].isspace() and round(c["size"], 1) == size)
    sup_size, raise_min = p["superscript_ratio"] * size, p["superscript_raise"]
    # letter spacing: a justified line set with widened character gaps (Tc) has every gap widened,
    # so only a gap wider than the line's usual gap by word_gap (cell_gap) is a space (a new run)
    tracking = _tracking(group, p["cell_gap"] * size, p["tracking_quantile"])
    word_gap, cell_gap = p["word_gap"] * size + tracking, p["cell_gap"] * size + tracking
    cjk_fonts: dict[str, int] = {}
    for c in group:
        if _wide(c["text"][:1]) and c["text"].isalpha():
            font = c["fontname"].split("+", 1)[-1]
            cjk_fonts[font] = cjk_fonts.get(font, 0) + 1

    runs: list[Run] = []
    text: list[str] = []
    raw: list[str] = []
    refs: list[str] = []
    lead = None
    mark: list[str] = []
    prev = None
    last_ink = None  # the last non-space char
    run_start = None
    n_chars = 0
    first_nonspace = True
    body_x0 = None
    first_word_end = None

    def flush_mark():
        nonlocal lead
        if mark:
            label = "".join(mark)
            if lead is None and not any(ch.strip() for ch in "".join(text).replace(_mark_text(label), "", 1)):
                lead = label
            else:
                refs.append(label)
            mark.clear()

    def close_run(end):
        if run_start is not None and "".join(text[run_start[1] :]).strip():
            body = "".join(text[run_start[1] :])
            runs.append(Run(run_start[0], end, body.strip(), "".join(raw[run_start[2] :]).strip(), body.endswith(" ")))

    for c in group:
        t = c["text"]
        t = LIGATURES.get(t, t)
        ws = t.isspace()
        if prev is not None:
            gap = c["x0"] - prev["x1"]
            if not ws and last_ink is not None and c["x0"] - last_ink["x1"] > cell_gap:
                flush_mark()
                close_run(last_ink["x1"])
                text.append(" ")
                raw.append(" ")
                run_start = (c["x0"], len(text), len(raw))
            elif gap > word_gap and not ws and not prev["text"].isspace():
                flush_mark()
                text.append(" ")
                raw.append(" ")
        if run_start is None and not ws:
            run_start = (c["x0"], len(text), len(raw))
        raw.append(t)
        if ws:
            flush_mark()
            text.append(" ")
            if first_word_end is None and not first_nonspace:
                first_word_end = prev["x1"] if prev else c["x0"]
            prev = c
            continue
        n_chars += len(t)
        last_ink = c
        is_sup = (c["size"] < sup_size and c["bottom"] < base - raise_min and t in SUPER) or (
            c["size"] < sup_size and c["bottom"] < base - raise_min and t in "*†‡"
        )
        if is_sup:
            mark.append(t)
            text.append(SUPER.get(t, t))
        else:
            flush_mark()
            text.append(t)
        if first_nonspace:
            first_nonspace = False
            if _wide(t):
                first_word_end = c["x1"]
        prev = c
    flush_mark()
    close_run(last_ink["x1"] if last_ink else 0)
    if first_word_end is None:
        first_word_end = group[-1]["x1"]
    nonspace = [c for c in group if not c["text"].isspace()]
    x0 = nonspace[0]["x0"]
    x1 = max(c["x1"] for c in nonspace)
    full = "".join(text)
    # where the words after a leading marker start (hanging indents)
    if runs:
        first = runs[0].text.split(" ", 1)[0]
        if lead is not None or _MARKER.match(first):
            skip = len(first)
            seen = 0
            for c in nonspace:
                seen += len(c["text"])
                if seen > skip:
                    body_x0 = c["x0"]
                    break
    tops = [c["top"] for c in nonspace if round(c["size"], 1) == size]
    return Line(
        page=number,
        x0=x0,
        x1=x1,
        top=min(tops),
        bottom=base,
        size=size,
        text=" ".join(full.split()),
        raw=" ".join("".join(raw).split()),
        runs=runs,
        bold=n_letters > 0 and n_bold >= 0.9 * n_letters,
        italic=n_letters > 0 and n_italic >= 0.9 * n_letters,
        refs=refs,
        lead=lead,
        body_x0=body_x0 if body_x0 is not None else x0,
        first_word=max(first_word_end - x0, 0.0),
        trailing_space=group[-1]["text"].isspace(),
        barcode=barcode,
        n_chars=n_chars,
        n_letters=n_letters,
        n_bold=n_bold,
        cjk_fonts=cjk_fonts,
        tracking=tracking,
    )


def _tracking(group: list[dict], max_gap: float, quantile: float) -> float:
    """The line's usual gap between two printed characters with no space glyph between them."""
    gaps = []
    prev = None
    for c in group:
        if c["text"].isspace():
            prev = None
            continue
        if prev is not None:
            gap = c["x0"] - prev["x1"]
            if gap < max_gap:
                gaps.append(max(gap, 0.0))
        prev = c
    if len(gaps) < 3:
        return 0.0
    gaps.sort()
    return gaps[min(len(gaps) - 1, int(quantile * len(gaps)))]


def _wide(ch: str) -> bool:
    return is_wide(ch)


def _mark_text(label: str) -> str:
    return "".join(SUPER.get(ch, ch) for ch in label)
