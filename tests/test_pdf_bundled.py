"""The bundled document from its rendered UN-layout PDFs: the same units as from its text.

raw/CTOC_COP_WG.2_2009_1/{zh,en}.pdf were drawn by tests/un_pdf.py (`python -m tests.un_pdf`)
from the document's layout description layout.yaml, whose entries are the text files'
paragraphs, so the text files are their ground truth.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

import pandas as pd
import pdfplumber
import pytest

from pipeline.ingest import Extracted, find_sources, ingest_document, read_source, text_to_blocks
from pipeline.params import load_params
from pipeline.segment import segment_version

from .conftest import RAW_DOC, ROOT

PARAMS = load_params(ROOT / "configs" / "params.yaml")
SEG = PARAMS["segment"]


def _units(blocks, lang):
    return [
        (s.kind, s.item, s.label, s.text, s.footnote_ids, s.cells)
        for s in segment_version(blocks, lang, SEG)
        if s.alignable
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_gives_the_units_and_text_of_the_txt(lang):
    from_txt = _units(text_to_blocks((RAW_DOC / f"{lang}.txt").read_text(encoding="utf-8"), lang), lang)
    pdf = read_source(find_sources(RAW_DOC, ["zh", "en"], ["pdf"])[lang], PARAMS["ingest"])
    from_pdf = _units(pdf.blocks, lang)
    assert len(from_pdf) == len(from_txt) == 61
    for a, b in zip(from_txt, from_pdf):
        assert a == b
    # pages and boxes are known for every segment of the PDF
    segs = segment_version(pdf.blocks, lang, SEG)
    assert all(s.page and s.page_end >= s.page and len(s.bbox) == 4 for s in segs)
    assert max(s.page_end for s in segs) == pdf.n_pages


def test_formats_order_decides_and_is_recorded(tmp_path):
    docs, _ = ingest_document(RAW_DOC, ["zh", "en"], ["pdf", "txt"], 0.5, PARAMS["ingest"])
    assert {d["source_format"] for d in docs} == {"pdf"}
    assert all(d["source_path"].endswith(f"{d['lang']}.pdf") for d in docs)
    docs, _ = ingest_document(RAW_DOC, ["zh", "en"], ["txt", "pdf"], 0.5, PARAMS["ingest"])
    assert {d["source_format"] for d in docs} == {"txt"} and all(d["n_pages"] is None for d in docs)


def test_masthead_metadata():
    docs, _ = ingest_document(RAW_DOC, ["zh", "en"], ["pdf"], 0.5, PARAMS["ingest"])
    by = {d["lang"]: d for d in docs}
    for lang, letter in (("zh", "C"), ("en", "E")):
        d = by[lang]
        assert d["printed_symbol"] == "CTOC/COP/WG.2/2009/1"
        assert (d["distribution"], d["date"], d["original_language"]) == ("General", "2009-08-14", "English")
        assert d["job_number"] == f"09-56431 ({letter})"
        assert d["n_pages"] >= 4 and d["n_furniture_chars"] > 50
    assert by["zh"]["language_line"] == "Chinese" and by["en"]["language_line"] is None


def _nfkc_counter(text: str) -> Counter:
    return Counter(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_nothing_lost_from_the_pdf(lang):
    """Characters on the pages = characters kept + furniture dropped (pipes of table rows aside)."""
    src = find_sources(RAW_DOC, ["zh", "en"], ["pdf"])[lang]
    ex: Extracted = read_source(src, PARAMS["ingest"])
    with pdfplumber.open(src.path) as pdf:
        on_pages = _nfkc_counter("".join(c["text"] for page in pdf.pages for c in page.chars))
    pipes = sum(b.lines[0].count("|") for b in ex.blocks if b.kind == "table_row")
    kept = _nfkc_counter(ex.text)
    kept["|"] -= pipes
    kept += Counter()
    assert kept + _nfkc_counter("".join(ex.furniture)) == on_pages
    # and every kept character is in exactly one segment, at its offsets
    segs = segment_version(ex.blocks, lang, SEG)
    assert _nfkc_counter("".join(s.text for s in segs)) == _nfkc_counter(ex.text)
    for s in segs:
        assert ex.text[s.char_start : s.char_end] == s.text


def test_pipeline_reads_the_pdfs(bundled_output):
    docs = pd.read_parquet(bundled_output / "documents.parquet")
    assert set(docs.source_format) == {"pdf"}, "params.yaml ingest.formats should put pdf first"
    seg = pd.read_parquet(bundled_output / "segments.parquet")
    assert seg.page.notna().all() and seg.bbox.map(len).eq(4).all()


def test_rendered_pdfs_are_small():
    # zh.pdf embeds subsets of two CJK faces (Droid Sans Fallback body, AR PL UMing headings)
    for lang in ("zh", "en"):
        assert (RAW_DOC / f"{lang}.pdf").stat().st_size < 100_000


def test_committed_pdfs_are_the_renderers_output(tmp_path):
    """raw/.../{zh,en}.pdf are exactly what `python -m tests.un_pdf` draws from the layout description
    raw/.../layout.yaml (New York layout)."""
    from .un_pdf import cjk_font_path, render_bundled, song_font_path

    if cjk_font_path() is None or song_font_path() is None:
        pytest.skip("fonts-droid-fallback / fonts-arphic-uming not installed (make install does it)")
    for fresh in render_bundled(out_dir=tmp_path):
        lang = fresh.stem
        assert fresh.read_bytes() == (RAW_DOC / f"{lang}.pdf").read_bytes(), (
            f"re-render: python -m tests.un_pdf ({lang})"
        )
