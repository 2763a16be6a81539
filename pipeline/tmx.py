"""TMX 1.4b export of the aligned pairs (translation memories for CAT tools).

One ``<tu>`` per aligned pair, at sentence or unit level (``tmx.level``), ``tuid`` = the
pair id. Each ``<tu>`` carries ``<prop>`` elements ``x-symbol`` (document symbol),
``x-item`` (agenda item, when there is one), ``x-kind`` (segment kind) and ``x-score``
(alignment confidence), then one ``<tuv>`` per language, the source language first.
The source language is the document's original language (``documents.original_lang``
or the "Original: English" line of its front matter), else ``languages.default_source``; a
file whose documents differ says ``srclang="*all*"`` in its header and gives each
``<tu>`` its own ``srclang``. Language codes are ``tmx.lang_codes`` (zh-CN, en-GB).

Pairs with an empty side (1-0 / 0-1 omissions) are not translation units: CAT tools
reject a ``<tu>`` with one variant. They are skipped, and the header's ``<note>`` says
how many.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from . import io
from .errors import PipelineError
from .search.corpus import LEVELS


@dataclass(frozen=True)
class TmxSettings:
    """params.yaml ``tmx``."""

    level: str = "sentence"  # one <tu> per sentence pair (sentence) or per unit pair (unit)
    lang_codes: dict[str, str] = field(default_factory=lambda: {"zh": "zh-CN", "en": "en-GB"}, metadata={"open": True})


DEFAULTS = asdict(TmxSettings())
SEGTYPE = {"sentence": "sentence", "unit": "paragraph"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def tmx_params(params: dict) -> dict:
    p = {**DEFAULTS, **(params.get("tmx") or {})}
    p["lang_codes"] = {**DEFAULTS["lang_codes"], **(p.get("lang_codes") or {})}
    if p["level"] not in LEVELS:
        raise PipelineError(f"tmx.level must be one of {', '.join(LEVELS)}, got {p['level']!r}")
    return p


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("un-bitext")
    except Exception:  # running from a source tree that is not installed
        return "0.0.0"


def _clean(text: str) -> str:
    return _INVALID_XML.sub("", text)


def _prop(kind: str, value) -> str:
    return f'      <prop type="x-{kind}">{escape(_clean(str(value)))}</prop>\n'


def write_tmx(path: Path, rows: pd.DataFrame, documents: pd.DataFrame, level: str, lang_codes: dict[str, str]) -> dict:
    """Write ``rows`` (one level of :func:`flat_rows`) as TMX 1.4b; returns counts."""
    srclang = dict(zip(documents.doc_id, documents.srclang))
    used = {srclang.get(d, "en") for d in rows.doc_id} or {"en"}
    header_src = lang_codes[used.pop()] if len(used) == 1 else "*all*"
    per_tu = header_src == "*all*"
    symbols = dict(zip(documents.doc_id, documents.symbol))
    written = skipped = 0
    body = []
    for r in rows.itertuples(index=False):
        zh, en = _clean(r.zh_text or "").strip(), _clean(r.en_text or "").strip()
        if not zh or not en:
            skipped += 1
            continue
        src = srclang.get(r.doc_id, "en")
        order = [("zh", zh), ("en", en)] if src == "zh" else [("en", en), ("zh", zh)]
        attrs = f"tuid={quoteattr(r.pair_id)}" + (f" srclang={quoteattr(lang_codes[src])}" if per_tu else "")
        tu = [f"    <tu {attrs}>\n", _prop("symbol", symbols.get(r.doc_id, r.doc_id))]
        if isinstance(r.item, str) and r.item:
            tu.append(_prop("item", r.item))
        tu.append(_prop("kind", r.kind))
        tu.append(_prop("score", f"{float(r.score):.4f}"))
        for lang, text in order:
            tu.append(f"      <tuv xml:lang={quoteattr(lang_codes[lang])}><seg>{escape(text)}</seg></tuv>\n")
        tu.append("    </tu>\n")
        body.append("".join(tu))
        written += 1
    note = (
        f"{written} {level} pairs from {rows.doc_id.nunique()} document(s). Pairs with an empty side "
        f"(1-0 or 0-1 omissions) are not translation units and are left out: {skipped} skipped."
    )
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'
        '<tmx version="1.4">\n'
        f'  <header creationtool="un-bitext" creationtoolversion={quoteattr(_version())} '
        f'segtype="{SEGTYPE[level]}" o-tmf="un-bitext" adminlang="en" srclang={quoteattr(header_src)} '
        f'datatype="plaintext">\n'
        f"    <note>{escape(note)}</note>\n"
        "  </header>\n"
        "  <body>\n"
    )
    with io.atomic_path(Path(path)) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(head)
            fh.writelines(body)
            fh.write("  </body>\n</tmx>\n")
    return {"written": written, "skipped": skipped, "srclang": header_src, "level": level}


def read_tmx(path: Path) -> dict:
    """A TMX file back as ``{"header": {...}, "units": [{"tuid", "srclang", "props", "segs"}]}``.

    ``segs`` maps each ``xml:lang`` to its text; works on any TMX 1.4 file without
    fetching its DTD.
    """
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"{path}: not found")
    units, header = [], {}
    try:
        for _, el in ET.iterparse(path, events=("end",)):
            if el.tag == "header":
                header = dict(el.attrib)
                header["notes"] = [n.text or "" for n in el.findall("note")]
            elif el.tag == "tu":
                units.append(
                    {
                        "tuid": el.get("tuid"),
                        "srclang": el.get("srclang"),
                        "props": {p.get("type"): p.text or "" for p in el.findall("prop")},
                        "segs": {tuv.get(XML_LANG): "".join(tuv.find("seg").itertext()) for tuv in el.findall("tuv")},
                    }
                )
                el.clear()
    except ET.ParseError as err:
        raise PipelineError(f"{path}: not well-formed XML ({err})") from None
    return {"header": header, "units": units}
