"""Downloads of the workbench: the selection as TMX 1.4b, CSV or XLSX, the variants as a
TBX, CSV or XLSX glossary. Text is XML-escaped; characters XML 1.0 forbids are dropped
(from the XML formats and the XLSX files)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone
from numbers import Real
from xml.sax.saxutils import escape, quoteattr

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
LANG_CODES = {"zh": "zh-CN", "en": "en-US"}
CSV_FIELDS = ("pair_id", "symbol", "item", "kind", "link", "score", "zh_text", "en_text")
# XLSX column widths (in characters) of the CSV_FIELDS; the two texts wrap.
XLSX_WIDTHS = {"pair_id": 26, "symbol": 22, "item": 8, "kind": 12, "link": 6, "score": 7, "zh_text": 60, "en_text": 80}
# An XLSX file's creation date (docProps/core.xml): fixed, so that one selection always
# gives the same bytes (the zip entries' dates are fixed by xlsxwriter).
XLSX_CREATED = datetime(2000, 1, 1, tzinfo=timezone.utc)
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _x(text) -> str:
    return escape(_INVALID_XML.sub("", str(text or "")))


def _attr(text) -> str:
    return quoteattr(_INVALID_XML.sub("", str(text or "")))


def selection_csv(hits: list[dict]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for h in hits:
        w.writerow([h.get(k) if h.get(k) is not None else "" for k in CSV_FIELDS])
    return out.getvalue()


def _xlsx(sheet: str, header: list[str], rows: list[list], widths: list[int], wrap: set[int]) -> bytes:
    """One worksheet: a bold header row, frozen, with an autofilter; then the rows.

    Numbers are written as numbers and everything else as text (``write_string``): a
    cell starting with = + - @ stays text, never a formula. Excel's cell limit (32,767
    characters) truncates longer texts.
    """
    import xlsxwriter

    out = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
        "nan_inf_to_errors": True,
    }
    book = xlsxwriter.Workbook(out, options)
    book.set_properties({"title": f"un-bitext workbench: {sheet}", "created": XLSX_CREATED})
    bold = book.add_format({"bold": True})
    wrapped = book.add_format({"text_wrap": True, "valign": "top"})
    top = book.add_format({"valign": "top"})
    ws = book.add_worksheet(sheet)
    for c, (name, width) in enumerate(zip(header, widths)):
        ws.set_column(c, c, width, wrapped if c in wrap else top)
        ws.write_string(0, c, _INVALID_XML.sub("", name), bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, Real) and not isinstance(value, bool):
                ws.write_number(r, c, value)
            elif value is not None and value != "":
                ws.write_string(r, c, _INVALID_XML.sub("", str(value)))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
    book.close()
    return out.getvalue()


def selection_xlsx(hits: list[dict]) -> bytes:
    """The columns of :func:`selection_csv`, one row per hit; the score as a number."""
    rows = [[h.get(k) for k in CSV_FIELDS] for h in hits]
    wrap = {CSV_FIELDS.index("zh_text"), CSV_FIELDS.index("en_text")}
    return _xlsx("selection", list(CSV_FIELDS), rows, [XLSX_WIDTHS[k] for k in CSV_FIELDS], wrap)


def selection_tmx(hits: list[dict], srclang: str) -> str:
    """TMX 1.4b: one translation unit per hit (pairs with one empty side are left out)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<tmx version="1.4">',
        f'  <header creationtool="un-bitext workbench" creationtoolversion="1" datatype="plaintext" '
        f'segtype="sentence" adminlang="en-US" srclang={_attr(LANG_CODES[srclang])} o-tmf="un-bitext" '
        f'creationdate="{stamp}"/>',
        "  <body>",
    ]
    for h in hits:
        if not (h.get("zh_text") or "").strip() or not (h.get("en_text") or "").strip():
            continue
        lines.append(f"    <tu tuid={_attr(h['pair_id'])}>")
        lines.append(f'      <prop type="x-document">{_x(h.get("symbol") or h.get("doc_id"))}</prop>')
        lines.append(f'      <prop type="x-score">{h.get("score")}</prop>')
        for lang in (srclang, "en" if srclang == "zh" else "zh"):
            lines.append(f"      <tuv xml:lang={_attr(LANG_CODES[lang])}><seg>{_x(h[f'{lang}_text'])}</seg></tuv>")
        lines.append("    </tu>")
    lines += ["  </body>", "</tmx>", ""]
    return "\n".join(lines)


def glossary_csv(variants: dict) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([variants["lang"], variants.get("target_lang", ""), "count", "documents"])
    for v in variants["variants"]:
        w.writerow([variants["term"], v["text"], v["count"], " ".join(v["documents"])])
    return out.getvalue()


def glossary_xlsx(variants: dict) -> bytes:
    """The columns of :func:`glossary_csv`; the count as a number."""
    header = [variants["lang"], variants.get("target_lang", ""), "count", "documents"]
    rows = [[variants["term"], v["text"], v["count"], " ".join(v["documents"])] for v in variants["variants"]]
    return _xlsx("glossary", header, rows, [30, 40, 7, 50], {3})


def glossary_tbx(variants: dict) -> str:
    """TBX (TBX-Basic style): one concept entry, the term and each rendering with its count."""
    src, tgt = variants["lang"], variants.get("target_lang", "")
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">',
        "  <tbxHeader><fileDesc><sourceDesc><p>un-bitext workbench: renderings found in the aligned corpus"
        "</p></sourceDesc></fileDesc></tbxHeader>",
        "  <text><body>",
        '    <conceptEntry id="c1">',
        f"      <langSec xml:lang={_attr(LANG_CODES.get(src, src))}>",
        f"        <termSec><term>{_x(variants['term'])}</term></termSec>",
        "      </langSec>",
    ]
    if variants["variants"]:
        lines.append(f"      <langSec xml:lang={_attr(LANG_CODES.get(tgt, tgt))}>")
        for v in variants["variants"]:
            lines.append(
                f"        <termSec><term>{_x(v['text'])}</term>"
                f'<descrip type="context">{v["count"]} of the hits; {_x(", ".join(v["documents"]))}</descrip>'
                "</termSec>"
            )
        lines.append("      </langSec>")
    lines += ["    </conceptEntry>", "  </body></text>", "</tbx>", ""]
    return "\n".join(lines)
