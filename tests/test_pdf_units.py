"""Small pieces of the PDF reader: line joins, the process pool, the reader contract."""

from __future__ import annotations

import shutil

import pytest

from pipeline.ingest import Extracted, ingest_document, text_to_blocks
from pipeline.ingest.extracted import LayoutUnit
from pipeline.ingest import ingest_many
from pipeline.ingest.pdf import join_text

from .conftest import RAW_DOC


@pytest.mark.parametrize(
    "a, b, space, joined",
    [
        ("the lower-than-", "expected rate", False, "the lower-than-expected rate"),  # compound hyphen kept
        ("from 10 a.m.–", "1 p.m.", False, "from 10 a.m.–1 p.m."),
        ("the Working", "Group will", False, "the Working Group will"),  # English: a space
        ("缔约方会议回顾了", "技术援助", False, "缔约方会议回顾了技术援助"),  # Chinese: none
        ("将于 2009 年", "10 月 1 日", False, "将于 2009 年10 月 1 日"),  # no space glyph at the break: none
        ("第 4/3", "号决定", True, "第 4/3 号决定"),  # the line ended in a space glyph: keep it
        ("(CTOC/COP/2008/16)，", "并请", False, "(CTOC/COP/2008/16)，并请"),
    ],
)
def test_join_text(a, b, space, joined):
    assert join_text(a, b, space) == joined


def test_text_reader_contract_is_unchanged():
    text = (RAW_DOC / "en.txt").read_text(encoding="utf-8")
    ex = Extracted.from_text(text, "en")
    assert ex.text == text and ex.blocks == text_to_blocks(text, "en")
    assert all(b.kind is None and b.group is None and b.bbox is None for b in ex.blocks)


def test_units_are_laid_out_with_offsets():
    units = [
        LayoutUnit("heading", "1. Title", 1),
        LayoutUnit("paragraph", "(a) One;", 2),
        LayoutUnit("paragraph", "(b) Two.", 2),
        LayoutUnit("table_row", "| x | y |", 3, cells=("x", "y")),
    ]
    ex = Extracted.from_units(units, "en")
    assert ex.text == "1. Title\n\n(a) One;\n(b) Two.\n\n| x | y |\n"
    assert [ex.text[b.char_start : b.char_end] for b in ex.blocks] == [u.text for u in units]
    with pytest.raises(ValueError):
        LayoutUnit("sidebar", "x", 1)


def test_documents_in_parallel_equal_serial(tmp_path):
    dirs = []
    for name in ("A_1", "A_2"):
        shutil.copytree(RAW_DOC, tmp_path / name)
        dirs.append(tmp_path / name)
    pooled = ingest_many(dirs, ["zh", "en"], ["pdf"], 0.5, {"workers": 2})
    serial = [ingest_document(d, ["zh", "en"], ["pdf"], 0.5, {"workers": 1}) for d in dirs]
    assert pooled == serial
    assert [b.lines for b in pooled[0][1]] == [b.lines for b in pooled[1][1]]
