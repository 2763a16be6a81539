"""Acceptance: all 61 gold units of the bundled document come out as alignment rows."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.gold import match, normalize, read_gold, unit_key

from .conftest import RAW_DOC

GOLD = read_gold(RAW_DOC / "gold-units.tsv")


@pytest.fixture(scope="module")
def pairs(bundled_output) -> pd.DataFrame:
    return pd.read_parquet(bundled_output / "alignments.parquet")


@pytest.mark.parametrize("unit", GOLD, ids=[f"unit{u['unit']}-{u['kind']}" for u in GOLD])
def test_gold_unit_is_an_alignment_row(unit, pairs):
    zh = normalize(unit["zh"])
    rows = pairs[pairs.zh_text.map(normalize) == zh]
    assert len(rows) >= 1, f"no pair has the Chinese text of unit {unit['unit']}"
    key = unit_key(unit["zh"], unit["en"], unit["kind"], unit["item"])
    same = [r for r in rows.itertuples() if unit_key(r.zh_text, r.en_text, r.kind, r.item) == key]
    assert len(same) == 1, (
        f"unit {unit['unit']} ({unit['kind']}, item {unit['item']!r}): zh paired as "
        f"{[(r.en_text[:60], r.kind, r.item) for r in rows.itertuples()]!r}"
    )
    assert same[0].link == "1-1"


def test_no_row_outside_gold(pairs):
    result = match(GOLD, pairs.to_dict("records"))
    assert result["missing_units"] == []
    assert result["pairs_not_in_gold"] == []
    assert len(pairs) == len(GOLD) == 61


def test_no_right_pair_is_flagged_low(pairs):
    """Unit scores are calibrated (configs/unit_calibration.json): the bundled document's
    pairs are all right, short headings (附件 / Annex) included, so none is low_score."""
    assert not [r.pair_id for r in pairs.itertuples() if "low_score" in list(r.flags)]


def test_scores_in_unit_interval(pairs, bundled_output):
    assert pairs.score.between(0, 1).all()
    sent = pd.read_parquet(bundled_output / "sentence_alignments.parquet")
    assert sent.score.between(0, 1).all()
    assert set(sent.pair_id) == set(pairs.pair_id)


def test_metrics_report_gold(bundled_output):
    metrics = json.loads((bundled_output / "metrics.json").read_text())
    doc = metrics["documents"]["CTOC_COP_WG.2_2009_1"]
    assert doc["gold_units_matched"] == doc["gold_units"] == 61
    assert doc["pairs_not_in_gold"] == 0


def test_footnote_marker_linked(bundled_output):
    seg = pd.read_parquet(bundled_output / "segments.parquet")
    for lang in ("zh", "en"):
        version = seg[seg.lang == lang].set_index("seg_id")
        citing = version[version.footnote_ids.map(len) > 0]
        assert len(citing) == 1
        (fid,) = citing.iloc[0].footnote_ids
        assert version.loc[fid, "kind"] == "footnote"
        assert version.loc[fid, "item"] == citing.iloc[0]["item"] == "2"


def test_doc_refs_carry_symbols(bundled_output):
    seg = pd.read_parquet(bundled_output / "segments.parquet")
    refs = seg[(seg.kind == "doc_ref") & (seg.lang == "en")]
    assert [list(s) for s in refs.symbols] == [
        ["A/64/123"],
        ["CTOC/COP/2008/16"],
        ["CTOC/COP/WG.2/2009/2"],
        ["E/CN.7/2009/CRP.6", "E/CN.15/2009/CRP.6"],
        ["CTOC/COP/2008/16"],
        ["CTOC/COP/2008/17"],
    ]


def test_table_rows_keep_cells(bundled_output):
    seg = pd.read_parquet(bundled_output / "segments.parquet")
    rows = seg[(seg.kind == "table_row") & (seg.lang == "zh")]
    assert list(rows.iloc[1].cells) == ["10月1日，星期四 上午10时-下午1时", "1(a)", "会议开幕"]
    assert all(len(c) == 3 for c in rows.cells)
