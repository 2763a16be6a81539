"""Segmenter and sentence splitters on small hand-made inputs (not the bundled document)."""

from __future__ import annotations

import pytest

from pipeline.ingest import text_to_blocks
from pipeline.params import load_params
from pipeline.segment import segment_version, split_sentences, tokenize

from .conftest import ROOT

PARAMS = load_params(ROOT / "configs" / "params.yaml")["segment"]


def _segments(text: str, lang: str = "en"):
    return segment_version(text_to_blocks(text, lang), lang, PARAMS)


def test_agenda_items_and_annotations_get_their_item():
    text = (
        "Committee on Things\n\nProvisional agenda\n\n1. Opening:\n (a) Election;\n (b) Agenda.\n"
        "2. Reports.\n\nAnnotations\n\n1. Opening\n\n(b) Agenda\n\nThe agenda was drafted.\n\n"
        "2. Reports\n\nThe Committee will consider reports.\n\nDocumentation\n\n"
        "Report of the Secretary-General (A/80/1)\n\nAnnex\n\nSchedule\n\n| Day | Item |\n|---|---|\n| Monday | 1 |\n"
    )
    segs = _segments(text)
    got = [(s.kind, s.item) for s in segs]
    assert got == [
        ("meta", None),
        ("title", None),
        ("agenda_item", "1"),
        ("agenda_item", "1(a)"),
        ("agenda_item", "1(b)"),
        ("agenda_item", "2"),
        ("heading", None),
        ("heading", "1"),
        ("heading", "1(b)"),
        ("paragraph", "1(b)"),
        ("heading", "2"),
        ("paragraph", "2"),
        ("heading", "2"),
        ("doc_ref", "2"),
        ("heading", None),
        ("table_title", None),
        ("table_row", None),
        ("table_rule", None),
        ("table_row", None),
    ]
    assert segs[13].symbols == ["A/80/1"]
    assert segs[-1].cells == ["Monday", "1"]
    assert not segs[-2].alignable


def test_numbered_paragraph_is_not_a_heading():
    segs = _segments(
        "Title\n\nSubtitle\n\n1. The Assembly decided to do many things in its session this year.\n\n"
        "2. Finance\n\nIt also noted the report.\n"
    )
    assert [s.kind for s in segs[2:]] == ["paragraph", "heading", "paragraph"]
    assert segs[2].label == "1."


def test_footnote_marker_links_to_the_next_body_with_that_number():
    segs = _segments("Title\n\nSub\n\nA paragraph with a note.¹ And another.²\n\n¹ First note.\n\n² Second note.\n")
    para = next(s for s in segs if s.kind == "paragraph")
    notes = [s for s in segs if s.kind == "footnote"]
    assert [n.label for n in notes] == ["1", "2"]
    assert para.footnote_ids == [n.seg_id for n in notes]


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "The meeting opens at 10 a.m. on Thursday. It closes at 6 p.m.",
            ["The meeting opens at 10 a.m. on Thursday.", "It closes at 6 p.m."],
        ),
        (
            "See A/64/123/Rev. 1 and para. 3 of art. 5. Then vote.",
            ["See A/64/123/Rev. 1 and para. 3 of art. 5.", "Then vote."],
        ),
        (
            "Resolution No. 4 applies, e.g. in Vienna. Mr. Smith agreed.",
            ["Resolution No. 4 applies, e.g. in Vienna.", "Mr. Smith agreed."],
        ),
        ('He said "Go." Then left!', ['He said "Go."', "Then left!"]),
        ("One sentence without an end", ["One sentence without an end"]),
        ("1. Organizational matters: Opening.", ["1. Organizational matters: Opening."]),
        ("IV. Adoption of the report. It was adopted.", ["IV. Adoption of the report.", "It was adopted."]),
    ],
)
def test_english_splitter(text, expected):
    assert split_sentences(text, "en") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("缔约方会议回顾了第29条。在该决定中，会议决定了。", ["缔约方会议回顾了第29条。", "在该决定中，会议决定了。"]),
        ("他说：“可以。”然后离开！还有吗？", ["他说：“可以。”", "然后离开！", "还有吗？"]),
        ("(a) 第一项；(b) 第二项。", ["(a) 第一项；", "(b) 第二项。"]),
        ("没有句号", ["没有句号"]),
    ],
)
def test_chinese_splitter(text, expected):
    assert split_sentences(text, "zh") == expected


def test_tokens():
    # jieba 0.42.1 with its own dictionary (pinned): the exact tokens, not just the characters
    assert tokenize("技术援助提供方", "zh") == ["技术", "援助", "提供", "方"]
    assert tokenize("缔约方会议第四届会议通过", "zh") == ["缔约方", "会议", "第四届", "会议", "通过"]
    assert tokenize("The Office's role, e.g. here.", "en") == ["The", "Office's", "role", ",", "e.g", ".", "here", "."]


# ------------------------------------------------------------------ document types (structure.py)


def _kinds_paths(text: str, lang: str = "en"):
    return [(s.kind, s.item, s.path) for s in _segments(text, lang)]


def test_a_letter_cited_in_a_preamble_does_not_make_a_resolution_a_letter():
    text = (
        "General Assembly\n\nDistr.: General\n1 May 2031\n\nResolution adopted by the General Assembly on 1 May 2031"
        "\n\n86/220. Cooperation\n\nThe General Assembly,\n\nRecalling its resolution 85/10,\n\n"
        "Having considered the letter dated 3 May 2031 from the Secretary-General,\n\n1. Decides to act;\n\n"
        "2. Requests a report.\n"
    )
    got = _kinds_paths(text)
    assert got[3] == ("title", None, None)
    assert [k for k, _, _ in got[4:]] == ["preamble"] * 3 + ["operative"] * 2
    assert [p for _, _, p in got[4:]] == ["PP1", "PP2", "PP3", "OP1", "OP2"]


def test_a_resolution_annex_is_read_as_a_document_of_its_own():
    text = (
        "Resolution adopted by the General Assembly\n\n86/1. Guidelines\n\nThe General Assembly,\n\n"
        "Adopts the guidelines annexed to the present resolution.\n\nAnnex\n\nI. Scope\n\n"
        "1. These guidelines apply to all States.\n"
    )
    got = _kinds_paths(text)
    assert got[3] == ("operative", None, "OP1")  # the one unnumbered operative paragraph
    assert got[4:] == [("heading", None, "Annex"), ("heading", None, "Annex.I"), ("paragraph", None, "Annex.I.1")]


def test_chinese_chapters_with_a_full_stop_and_sections_after_h():
    zh = _kinds_paths("报告\n\n一. 导言\n\n1. 本报告。\n\n二. 活动\n\n2. 活动很多。\n", "zh")
    assert [p for _, _, p in zh[1:]] == ["I", "I.1", "II", "II.2"]
    sections = "".join(f"{chr(65 + k)}. Topic {k}\n\n{k + 1}. Text {k}.\n\n" for k in range(10))
    got = _kinds_paths("Report of the Committee\n\nII. Work\n\n" + sections)
    assert got[-4][2] == "II.I" and got[-2][2] == "II.J"


def test_annotated_agenda_with_numbered_paragraphs_moves_on_to_each_item():
    text = (
        "Provisional agenda\n\n1. Election of officers.\n2. Adoption of the agenda.\n\nAnnotations\n\n"
        "1. Election of officers\n\n1. In accordance with rule 15, the Commission elects officers.\n\n"
        "2. Adoption of the agenda\n\n2. The provisional agenda was approved.\n"
    )
    got = _kinds_paths(text)
    assert [(k, i) for k, i, _ in got[4:]] == [
        ("heading", "1"),
        ("paragraph", "1"),
        ("heading", "2"),
        ("paragraph", "2"),
    ]


def test_a_quoted_agenda_does_not_swallow_the_next_paragraph():
    text = (
        "Report of the Working Group\n\n3. The Working Group adopted the following agenda:\n\n"
        "1. Opening of the meeting.\n\n2. Adoption of the report.\n\n"
        "4. The following States were represented at the meeting: Algeria, Argentina, Australia, Austria, "
        "Belgium, Brazil, Canada, Chile, China, Colombia, Egypt, France, Germany, India, Indonesia, Italy and Japan.\n"
    )
    got = _kinds_paths(text)
    assert got[2:4] == [("agenda_item", "1", "3.1"), ("agenda_item", "2", "3.2")]
    assert got[4] == ("paragraph", None, "4")


def test_a_table_note_without_rows_does_not_crash():
    got = _kinds_paths("Report of the Committee\n\nI. Data\n\n|---|---|\n\nSource: UNODC.\n")
    assert got[-1][0] in ("paragraph", "table_note")
