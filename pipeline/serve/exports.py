"""Downloads of the workbench: the selection as TMX 1.4b or CSV, the variants as a TBX or
CSV glossary. Text is XML-escaped; characters XML 1.0 forbids are dropped."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone
from xml.sax.saxutils import escape, quoteattr

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
LANG_CODES = {"zh": "zh-CN", "en": "en-US"}
CSV_FIELDS = ("pair_id", "symbol", "item", "kind", "link", "score", "zh_text", "en_text")


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
