"""TMX 1.4b export: valid against the DTD, importable, and it reads back to the same pairs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from pipeline import io
from pipeline.cli import main
from pipeline.search.corpus import documents_of, flat_rows, read_tables
from pipeline.tmx import read_tmx, write_tmx

from .conftest import BUNDLED

DTD = etree.DTD(str(Path(__file__).parent / "fixtures" / "tmx14b.dtd"))
CODES = {"zh": "zh-CN", "en": "en-GB"}


def validate(path: Path) -> None:
    tree = etree.parse(str(path))  # the DOCTYPE names tmx14.dtd; nothing is fetched
    assert DTD.validate(tree), DTD.error_log.filter_from_errors()


@pytest.mark.parametrize("level", ["sentence", "unit"])
def test_tmx_is_valid_and_round_trips(bundled_output, tmp_path, level):
    out = tmp_path / f"{level}.tmx"
    params = bundled_output.parent / "params.yaml"
    assert main(["--params", str(params), "tmx", str(bundled_output), "--out", str(out), "--level", level]) == 0
    validate(out)
    back = read_tmx(out)
    tables = read_tables(bundled_output)
    rows = flat_rows(tables, levels=(level,), with_tokens=False)
    full = rows[(rows.zh_text.str.strip() != "") & (rows.en_text.str.strip() != "")]
    assert back["header"]["srclang"] == "en-GB"  # "Original: English"
    assert back["header"]["segtype"] == {"sentence": "sentence", "unit": "paragraph"}[level]
    assert [u["tuid"] for u in back["units"]] == list(full.pair_id)
    for unit, row in zip(back["units"], full.itertuples()):
        assert unit["segs"] == {"zh-CN": row.zh_text.strip(), "en-GB": row.en_text.strip()}
        assert unit["props"]["x-symbol"] == "CTOC/COP/WG.2/2009/1"
        assert unit["props"]["x-kind"] == row.kind
        assert unit["props"].get("x-item") == (row.item or None)
        assert abs(float(unit["props"]["x-score"]) - row.score) < 1e-4
    # the source language comes first in every <tu>
    first = etree.parse(str(out)).xpath(
        "//tu/tuv[1]/@xml:lang", namespaces={"xml": "http://www.w3.org/XML/1998/namespace"}
    )
    assert set(first) == {"en-GB"}


def _rows(pairs: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"pair_id": p, "doc_id": d, "item": None, "kind": "paragraph", "score": 0.5, "zh_text": zh, "en_text": en}
            for p, d, zh, en in pairs
        ]
    )


def test_omissions_are_skipped_and_counted(tmp_path):
    rows = _rows([("A:0", "A", "你好", "Hello"), ("A:1", "A", "只有中文", ""), ("A:2", "A", "", "English only")])
    docs = pd.DataFrame({"doc_id": ["A"], "symbol": ["A/1"], "srclang": ["en"]})
    stats = write_tmx(tmp_path / "a.tmx", rows, docs, "sentence", CODES)
    assert stats == {"written": 1, "skipped": 2, "srclang": "en-GB", "level": "sentence"}
    validate(tmp_path / "a.tmx")
    back = read_tmx(tmp_path / "a.tmx")
    assert [u["tuid"] for u in back["units"]] == ["A:0"]
    assert "2 skipped" in back["header"]["notes"][0]


def test_mixed_source_languages_and_awkward_text(tmp_path):
    rows = _rows([("A:0", "A", "甲 & 乙 <丙>", 'R&D "quoted" <tag>'), ("B:0", "B", "中文原文\x0b", "Translated")])
    docs = pd.DataFrame({"doc_id": ["A", "B"], "symbol": ["A/1", "B/1"], "srclang": ["en", "zh"]})
    stats = write_tmx(tmp_path / "m.tmx", rows, docs, "unit", CODES)
    validate(tmp_path / "m.tmx")
    back = read_tmx(tmp_path / "m.tmx")
    assert stats["srclang"] == "*all*" and [u["srclang"] for u in back["units"]] == ["en-GB", "zh-CN"]
    assert back["units"][0]["segs"] == {"zh-CN": "甲 & 乙 <丙>", "en-GB": 'R&D "quoted" <tag>'}
    assert back["units"][1]["segs"]["zh-CN"] == "中文原文"  # control character dropped
    first = etree.parse(str(tmp_path / "m.tmx")).xpath(
        "//tu/tuv[1]/@xml:lang", namespaces={"xml": "http://www.w3.org/XML/1998/namespace"}
    )
    assert first == ["en-GB", "zh-CN"]


def test_original_language_from_the_documents_table(bundled_output, tmp_path):
    tables = read_tables(bundled_output)
    assert documents_of(tables, "en").srclang.tolist() == ["en"]  # from "Original: English"
    docs = tables["documents"].copy()
    if "original_language" in docs.columns:
        docs["original_language"] = "Chinese"
    else:
        docs["original_lang"] = "zh"
    tables["documents"] = docs
    assert documents_of(tables, "en").srclang.tolist() == ["zh"]
    tables["segments"] = tables["segments"][tables["segments"].kind != "meta"]
    tables["documents"] = tables["documents"].drop(
        columns=[c for c in ("original_lang", "original_language") if c in docs.columns]
    )
    assert documents_of(tables, default_srclang="en").original_lang.tolist() == [None]


def test_per_document_tmx_from_a_stage_folder(bundled_output, tmp_path):
    work = bundled_output.parent / "work" / BUNDLED
    params = bundled_output.parent / "params.yaml"
    assert main(["--params", str(params), "tmx", str(work), "--out", str(tmp_path / f"{BUNDLED}.tmx")]) == 0
    validate(tmp_path / f"{BUNDLED}.tmx")
    assert len(read_tmx(tmp_path / f"{BUNDLED}.tmx")["units"]) == len(
        io.read_table("sentence_alignments", work / "sentence_alignments.parquet")
    )


def test_missing_tables_say_what_to_run(tmp_path, capsys):
    assert main(["tmx", str(tmp_path / "aligned"), "--out", str(tmp_path / "x.tmx")]) == 2
    err = capsys.readouterr().err
    assert "not found; run `bitext process`" in err and not (tmp_path / "x.tmx").exists()
