"""Every non-whitespace character of each input is in exactly one segment.

For PDF inputs "the input" is the text ingestion kept (page furniture dropped);
tests/test_pdf_bundled.py checks that the PDF's characters are exactly what was kept
plus the furniture.
"""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.ingest import find_sources, ingest_document, read_source
from pipeline.params import load_params
from pipeline.segment import segment_version, sentences_of

from .conftest import ROOT, RAW_DOC


def _non_ws(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


def _ingested_text(bundled_output, lang: str) -> str:
    """The normalised text of the version the pipeline read (txt as is; PDF/DOCX as extracted)."""
    docs = pd.read_parquet(bundled_output / "documents.parquet").set_index("lang")
    fmt = docs.loc[lang, "source_format"]
    if fmt == "txt":
        return (RAW_DOC / f"{lang}.txt").read_text(encoding="utf-8")
    src = find_sources(RAW_DOC, ["zh", "en"], [fmt])[lang]
    return read_source(src, load_params(ROOT / "configs" / "params.yaml")["ingest"]).text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_segments_partition_the_input(lang, bundled_output):
    seg = pd.read_parquet(bundled_output / "segments.parquet")
    version = seg[seg.lang == lang].sort_values("position")
    source = _ingested_text(bundled_output, lang)
    assert _non_ws("".join(version.text)) == _non_ws(source)
    # and each segment's offsets point at its own characters
    for row in version.itertuples():
        assert _non_ws(source[row.char_start : row.char_end]) == _non_ws(row.text)
    spans = list(zip(version.char_start, version.char_end))
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sentences_partition_their_segments(lang, bundled_output):
    seg = pd.read_parquet(bundled_output / "segments.parquet")
    sent = pd.read_parquet(bundled_output / "sentences.parquet")
    seg, sent = seg[(seg.lang == lang) & seg.alignable], sent[sent.lang == lang]
    joined = sent.sort_values(["seg_id", "n"]).groupby("seg_id").text.apply("".join)
    for row in seg.itertuples():
        assert _non_ws(joined[row.seg_id]) == _non_ws(row.text), row.seg_id


def test_partition_holds_for_odd_layouts(tmp_path):
    """Indented lines, tabs, CRLF, lines of only markers: still nothing lost."""
    params = load_params(ROOT / "configs" / "params.yaml")
    doc = tmp_path / "X_1"
    doc.mkdir()
    (doc / "zh.txt").write_bytes(
        "\ufeff标题\r\n\r\n1. 第一项：\r\n  - (a) 分项；\r\n2. 第二项。\r\n\r\n说明\r\n\r\n\t正文一。正文二！\r\n"
        "第二行？²\r\n\r\n² 脚注。\r\n|a|b|\r\n|-|-|\r\n| |c|\r\n- \r\n".encode("utf-8")
    )
    (doc / "en.txt").write_text(
        "Title\n\n1. First item:\n - (a) Sub;\n2. Second.\n\nNotes\n\n"
        "  Body one. Body two!\nSecond line?²\n\n² Note.\n|a|b|\n|-|-|\n| |c|\n- \n",
        encoding="utf-8",
    )
    _, blocks = ingest_document(doc, ["zh", "en"], ["txt"], 0.5)
    for lang in ("zh", "en"):
        segments = segment_version([b for b in blocks if b.lang == lang], lang, params["segment"])
        source = (doc / f"{lang}.txt").read_text(encoding="utf-8-sig")
        assert _non_ws("".join(s.text for s in segments)) == _non_ws(source)
        sentences = sentences_of(segments)
        assert _non_ws("".join(s.text for s in sentences)) == _non_ws("".join(s.text for s in segments if s.alignable))
