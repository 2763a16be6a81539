"""The workbench's XLSX exports (pipeline/serve/exports.py), read back with zipfile + XML:
the CSV's columns, CJK intact, text that looks like a formula stays text, a frozen
header, column widths, and the same bytes on every export of the same selection."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import xlsxwriter.core

from pipeline.serve.exports import CSV_FIELDS, glossary_csv, glossary_xlsx, selection_csv, selection_xlsx

from .workbench_fixtures import XLSX_NS, read_xlsx

FORMULAS = ["=1+2", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", '=HYPERLINK("http://x.invalid","y")', "=cmd|' /C calc'!A0"]


def hit(n: int, zh: str, en: str, **extra) -> dict:
    return {
        "pair_id": f"DOC_1:{n}.0",
        "symbol": "CTOC/COP/WG.2/2009/1",
        "item": "3(a)" if n % 2 else None,
        "kind": "paragraph",
        "link": "1-1",
        "score": 0.875 + n / 1000,
        "zh_text": zh,
        "en_text": en,
        "similarity": None,  # a field the CSV leaves out
        **extra,
    }


HITS = [hit(0, "技术援助与能力建设：《公约》第 32 条", "Technical assistance and capacity-building")] + [
    hit(k, formula, formula) for k, formula in enumerate(FORMULAS, start=1)
]


def test_selection_has_the_csv_columns_and_rows():
    book = read_xlsx(selection_xlsx(HITS))
    expected = list(csv.reader(io.StringIO(selection_csv(HITS))))
    assert book["rows"][0] == list(CSV_FIELDS) == expected[0]
    assert len(book["rows"]) == len(expected) == len(HITS) + 1
    score = CSV_FIELDS.index("score")
    for got, want in zip(book["rows"][1:], expected[1:]):
        assert got[score] == float(want[score])
        assert [g or "" for i, g in enumerate(got) if i != score] == [w for i, w in enumerate(want) if i != score]
    assert book["rows"][1][CSV_FIELDS.index("zh_text")] == "技术援助与能力建设：《公约》第 32 条"


def test_text_that_looks_like_a_formula_is_written_as_text():
    book = read_xlsx(selection_xlsx(HITS))
    assert book["formulas"] == []
    texts = [CSV_FIELDS.index("zh_text"), CSV_FIELDS.index("en_text")]
    for r, formula in enumerate(FORMULAS, start=2):
        for c in texts:
            assert book["rows"][r][c] == formula
            assert book["types"][(r, c)] == "s"  # a shared string, not a formula or a number
    assert book["types"][(1, CSV_FIELDS.index("score"))] == "n"


def test_header_is_frozen_and_columns_have_widths():
    sheet = read_xlsx(selection_xlsx(HITS))["sheet"]
    pane = sheet.find(f"{XLSX_NS}sheetViews/{XLSX_NS}sheetView/{XLSX_NS}pane")
    assert pane is not None and pane.get("state") == "frozen" and pane.get("ySplit") == "1"
    assert pane.get("topLeftCell") == "A2"
    widths = {int(c.get("min")): float(c.get("width")) for c in sheet.iter(f"{XLSX_NS}col")}
    assert sorted(widths) == list(range(1, len(CSV_FIELDS) + 1))
    assert widths[CSV_FIELDS.index("en_text") + 1] > 50 > widths[CSV_FIELDS.index("score") + 1]
    assert sheet.find(f"{XLSX_NS}autoFilter").get("ref") == f"A1:H{len(HITS) + 1}"


def test_characters_xml_forbids_are_dropped_and_escapes_are_kept_literal():
    book = read_xlsx(selection_xlsx([hit(0, "技术\x01援助\x0b", "a _x0041_ b\x00")]))
    assert book["rows"][1][-2:] == ["技术援助", "a _x0041_ b"]


class _AnyDatetime(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, datetime)


class _Later(datetime, metaclass=_AnyDatetime):
    """datetime, with a clock 20 years on."""

    @classmethod
    def now(cls, tz=None):
        return datetime(2031, 5, 6, 7, 8, 9, tzinfo=timezone.utc)


def test_the_same_selection_gives_the_same_bytes_at_any_time(monkeypatch):
    first = selection_xlsx(HITS)
    assert "<dcterms:created" in read_xlsx(first)["core"] and "2000-01-01T00:00:00Z" in read_xlsx(first)["core"]
    monkeypatch.setattr(xlsxwriter.core, "datetime", _Later)  # where xlsxwriter reads the clock
    assert selection_xlsx(HITS) == first
    book = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})  # without a creation date, the clock's
    book.add_worksheet()
    book.close()
    assert "2031-05-06T07:08:09Z" in read_xlsx(book.filename.getvalue())["core"]


def test_an_empty_selection_is_a_header_row():
    assert read_xlsx(selection_xlsx([]))["rows"] == [list(CSV_FIELDS)]


def test_glossary_has_the_csv_columns():
    variants = {
        "term": "技术援助",
        "lang": "zh",
        "target_lang": "en",
        "variants": [
            {"text": "technical assistance", "count": 25, "documents": ["A/1", "CTOC/COP/WG.2/2009/1"]},
            {"text": "=assistance", "count": 2, "documents": ["A/1"]},
        ],
    }
    book = read_xlsx(glossary_xlsx(variants))
    expected = list(csv.reader(io.StringIO(glossary_csv(variants))))
    assert book["rows"][0] == expected[0] == ["zh", "en", "count", "documents"]
    assert book["rows"][1:] == [[t, v, float(n), d] for t, v, n, d in expected[1:]]
    assert book["formulas"] == [] and book["types"][(2, 1)] == "s"
