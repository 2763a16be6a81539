"""Real UN PDFs (../shared/real-pdfs beside the project): Word ground truth, no furniture leaks.

A/80/604/Add.6 and A/80/590 come with their Word sources: the PDF's body paragraphs
and footnotes must be the Word file's (read directly with python-docx), and our own
Word reader must give the same units as the PDF reader. Every real PDF is scanned for
page furniture that leaked into a unit.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.ingest import read_files
from pipeline.ingest.pdfpage import UNSUPER
from pipeline.params import load_params

from .conftest import ROOT

REAL = ROOT.parent / "shared" / "real-pdfs"
pytestmark = pytest.mark.skipif(not (REAL / "en").is_dir(), reason=f"{REAL} not found (shared/ beside the clone)")
PARAMS = load_params(ROOT / "configs" / "params.yaml")["ingest"]
WITH_WORD = ["A_80_604_Add.6", "A_80_590"]
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SUPERSCRIPTS = "".join(UNSUPER)


def _norm(text: str) -> str:
    """Whitespace normalised, note marks (superscripts in our text) removed."""
    text = re.sub(f"[{SUPERSCRIPTS}]", "", text.replace("\xa0", " "))
    return " ".join(text.split())


@pytest.fixture(scope="module")
def real() -> dict:
    """Every real PDF (and the two Word files), extracted once, in parallel."""
    pdfs = sorted((REAL / "en").glob("*.pdf")) + sorted((REAL / "zh").glob("*.pdf"))
    docx = [REAL / "en" / f"{name}.docx" for name in WITH_WORD]
    langs = ["zh" if p.parent.name == "zh" else "en" for p in pdfs]
    out = {}
    for lang in ("en", "zh"):
        paths = [p for p, l_ in zip(pdfs, langs) if l_ == lang] + (docx if lang == "en" else [])
        for path, ex in zip(paths, read_files(paths, lang, PARAMS)):
            out[path.name] = ex
    return out


def _word_paragraphs(path: Path) -> list[str]:
    """Body paragraphs (outside tables) of a Word file, as python-docx reads them, without
    note references (python-docx leaves footnote references out; superscript runs too)."""
    import docx
    from docx.text.run import Run

    document = docx.Document(str(path))
    out = []
    for p in document.paragraphs:
        text = "".join(Run(r, p).text for r in p._p.iter(f"{_W}r") if not Run(r, p).font.superscript)
        if _norm(text):
            out.append(_norm(text))
    return out


def _word_footnotes(path: Path) -> list[str]:
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    document = docx.Document(str(path))
    notes = []
    for rel in document.part.rels.values():
        if rel.reltype == RT.FOOTNOTES:
            for note in etree.fromstring(rel.target_part.blob).iter(f"{_W}footnote"):
                if note.get(f"{_W}type") in (None, "normal"):
                    notes.append(_norm("".join(t.text or "" for t in note.iter(f"{_W}t"))))
    return notes


@pytest.mark.parametrize("name", WITH_WORD)
def test_pdf_paragraphs_match_word(name, real):
    units = {_norm(b.lines[0]) for b in real[f"{name}.pdf"].blocks}
    paragraphs = _word_paragraphs(REAL / "en" / f"{name}.docx")
    found = [p for p in paragraphs if p in units]
    share = len(found) / len(paragraphs)
    print(f"{name}: {len(found)}/{len(paragraphs)} Word paragraphs found as PDF units ({share:.1%})")
    assert share >= 0.95, [p[:80] for p in paragraphs if p not in units][:10]


@pytest.mark.parametrize("name", WITH_WORD)
def test_pdf_footnotes_match_word(name, real):
    blocks = real[f"{name}.pdf"].blocks
    pdf_notes = [_norm(b.lines[0]) for b in blocks if b.kind == "footnote" and (b.label or "").isdigit()]
    word_notes = _word_footnotes(REAL / "en" / f"{name}.docx")
    assert word_notes and pdf_notes == word_notes
    # and each footnote's mark is carried by the paragraph that cites it
    labels = [b.label for b in blocks if b.kind == "footnote" and (b.label or "").isdigit()]
    cited = [r for b in blocks if b.kind != "footnote" for r in b.refs if r.isdigit()]
    assert labels == [str(i) for i in range(1, len(labels) + 1)] and set(labels) <= set(cited)


@pytest.mark.parametrize("name", WITH_WORD)
def test_word_reader_gives_the_pdf_units(name, real):
    word = real[f"{name}.docx"]
    pdf_units = {_norm(b.lines[0]) for b in real[f"{name}.pdf"].blocks}
    texts = [_norm(b.lines[0]) for b in word.blocks if b.kind != "table_row"]
    share = sum(t in pdf_units for t in texts) / len(texts)
    print(f"{name}: {share:.1%} of the Word reader's units (tables aside) are PDF units")
    assert share >= 0.95
    notes = [b for b in word.blocks if b.kind == "footnote"]
    assert notes and all(
        b.label and b.lines[0].startswith(b.label.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))) for b in notes
    )
    assert sum(1 for b in word.blocks if b.kind == "table_row") > 10


def _leaks(ex) -> list[str]:
    n = ex.n_pages
    patterns = [
        rf"(?<![\d/.,])\d{{1,3}}\s?/\s?{n}(?![\d/])",
        r"\bPage \d+\b",
        r"\b(?:GE\.)?\d{2}-\d{5}\b",
        r"\*\d{7}\*",
        "[\ue000-\uf8ff]",
        r"_{5,}",
    ]
    symbol = ex.metadata.get("printed_symbol")
    if symbol:
        patterns += [rf"^{re.escape(symbol)}\b", rf"\b{re.escape(symbol)}$"]
    bad = []
    for b in ex.blocks:
        text = b.lines[0]
        if re.fullmatch(r"\d{1,3}", text.strip()) or any(re.search(p, text) for p in patterns):
            bad.append(text[:100])
    return bad


def test_no_furniture_leaks_in_any_real_pdf(real):
    names = sorted(n for n in real if n.endswith(".pdf") and (REAL / "en" / n).exists())
    assert len(names) == 10
    leaks = {n: _leaks(real[n]) for n in names}
    assert {n: v for n, v in leaks.items() if v} == {}
    for n in names:  # and the furniture was really there (and dropped), on every multi-page file
        if real[n].n_pages > 1 and n != "plan_1_en.pdf":
            assert real[n].n_furniture_chars > 10 * real[n].n_pages, n


def test_masthead_of_real_pdfs(real):
    meta = real["A_80_604_Add.6.pdf"].metadata
    assert meta == {
        "printed_symbol": "A/80/604/Add.6",
        "distribution": "General",
        "date": "2026-04-07",
        "original_language": "English",
        "job_number": "26-04865 (E)",
    }
    assert real["A_C.3_80_L.35.pdf"].metadata["distribution"] == "Limited"
    assert real["A_RES_80_171.pdf"].metadata["printed_symbol"] == "A/RES/80/171"
    assert real["ohchr_1_en.pdf"].metadata["printed_symbol"] == "A/HRC/WG.6/34/ITA/3"
    assert "OCR" in " ".join(real["1971-09-29_A_L.632-EN.pdf"].warnings)


def test_repeated_table_head_dropped_and_wrapped_cell_joined(real):
    rows = [b for b in real["test.pdf"].blocks if b.kind == "table_row"]
    heads = [r for r in rows if r.cells and r.cells[0] == "Session"]
    assert len(heads) == 1 and len({r.page for r in rows}) == 2
    assert any("(to be confirmed)ᵃ" in c for r in rows for c in r.cells)


@pytest.mark.parametrize("name", ["中华人民共和国网络安全法.pdf", "中华人民共和国个人信息保护法.pdf"])
def test_chinese_text_joined_without_spaces(name, real):
    import pdfplumber

    ex = real[name]
    text = ex.text
    with pdfplumber.open(REAL / "zh" / name) as pdf:  # lines as printed, joined with newlines
        printed = "\n".join(page.extract_text() for page in pdf.pages)
    cjk_space = r"[\u4e00-\u9fff] +[\u4e00-\u9fff]"
    # no space is added where lines are joined: only the spaces the law itself prints
    assert len(re.findall(cjk_space, text)) <= len(re.findall(cjk_space, printed))
    assert sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff") > 8000
    assert "(cid:" not in text and "\ufffd" not in text
    # paragraphs end at 。 and the articles start their own units
    assert sum(1 for b in ex.blocks if b.lines[0].startswith("第") and "条" in b.lines[0][:8]) > 40


def _nfkc(text: str):
    import unicodedata
    from collections import Counter

    return Counter(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


@pytest.mark.parametrize("name", ["test.pdf", "A_C.3_80_L.35.pdf", "A_80_604_Add.6.pdf", "plan_1_en.pdf"])
def test_nothing_lost_from_real_pdfs(name, real):
    """Every character on the pages is kept (in exactly one segment) or dropped as furniture."""
    import pdfplumber

    from pipeline.segment import segment_version

    ex = real[name]
    with pdfplumber.open(REAL / "en" / name) as pdf:
        on_pages = _nfkc("".join(c["text"] for page in pdf.pages for c in page.chars))
    kept = _nfkc(ex.text)
    kept["|"] -= sum(b.lines[0].count("|") for b in ex.blocks if b.kind == "table_row")  # cell separators we add
    assert +kept + _nfkc("".join(ex.furniture)) == on_pages
    segs = segment_version(ex.blocks, "en", load_params(ROOT / "configs" / "params.yaml")["segment"])
    assert _nfkc("".join(s.text for s in segs)) == _nfkc(ex.text)


def test_cli_ingests_word_and_pdf_versions(tmp_path, capsys):
    import shutil

    import pandas as pd

    from pipeline.cli import main

    from .conftest import RAW_DOC

    doc = tmp_path / "raw" / "A_80_604_Add.6"
    doc.mkdir(parents=True)
    shutil.copy(REAL / "en" / "A_80_604_Add.6.docx", doc / "en.docx")
    shutil.copy(RAW_DOC / "zh.pdf", doc / "zh.pdf")
    out = tmp_path / "work" / "A_80_604_Add.6"
    assert main(["ingest", str(doc), "--out", str(out)]) == 0
    docs = pd.read_parquet(out / "documents.parquet").set_index("lang")
    assert docs.loc["en", "source_format"] == "docx" and docs.loc["zh", "source_format"] == "pdf"
    blocks = pd.read_parquet(out / "blocks.parquet")
    assert set(blocks.kind) >= {"paragraph", "heading", "footnote", "table_row"}
    assert main(["segment", str(out)]) == 0
    seg = pd.read_parquet(out / "segments.parquet")
    assert (seg[seg.lang == "en"].footnote_ids.map(len) > 0).sum() == 2
