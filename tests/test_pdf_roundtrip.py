"""Renderer round trip: documents with known text, drawn in the UN layout, read back whole.

Paragraphs and footnotes are long enough to cross page breaks (footnotes are capped at
a few lines per page, so they continue on the next page), in both languages; a table
runs onto a second page with its head row repeated there. Every paragraph, footnote
and table row must come back whole, in order, and each footnote linked to the
paragraph citing it.
"""

from __future__ import annotations

import random

import pytest

from pipeline.ingest.pdf import read_pdf
from pipeline.params import load_params
from pipeline.segment import segment_version

from .conftest import ROOT
from .un_pdf import LEFT, RIGHT, Doc, Item, Table, cjk_font_path, render, width, wrap

SEG = load_params(ROOT / "configs" / "params.yaml")["segment"]
SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"

EN_WORDS = (
    "the Committee recalls its previous recommendations on technical assistance and notes that "
    "resources were allocated to cross-border cooperation long-term programmes and follow-up "
    "activities in Member States including 2,450 training sessions for criminal justice "
    "practitioners as well as evaluations of results achieved since 2009 under the Convention"
).split()
ZH_CHARS = "缔约方会议回顾了技术援助提供者有必要提高认识并强调该公约及其各项议定书的重要性以及联合国毒品和犯罪问题办公室在执行这些文书方面的作用"


def _sentence(rng: random.Random, lang: str) -> str:
    if lang == "zh":
        n = rng.randint(18, 40)
        body = "".join(rng.choice(ZH_CHARS) for _ in range(n))
        cut = rng.randint(4, n - 4)
        return body[:cut] + rng.choice(["，", "、", " 2009 年", "（A/64/123）"]) + body[cut:] + "。"
    words = [rng.choice(EN_WORDS) for _ in range(rng.randint(8, 20))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, lang: str, sentences: int, mark: str | None = None) -> str:
    """A paragraph whose last line ends well before the margin (a paragraph end a reader can see)."""
    parts = [_sentence(rng, lang) for _ in range(sentences)]
    text = ("" if lang == "zh" else " ").join(parts)
    if mark:  # glued to a word in the first half, like a UN footnote reference
        at = rng.randrange(len(text) // 4, len(text) // 2)
        while not (text[at - 1].isalnum() or "\u4e00" <= text[at - 1] <= "\u9fff") or text[at : at + 1].isalnum():
            at += 1
        text = text[:at] + mark + text[at:]
    while width(wrap(text, RIGHT - LEFT)[-1].rstrip()) > 0.6 * (RIGHT - LEFT):
        text = text[:-2].rstrip("，、 .。") + ("。" if lang == "zh" else ".")
    return text


def _doc(lang: str, seed: int) -> tuple[Doc, list[str], list[str], list[str]]:
    rng = random.Random(seed)
    doc = Doc(
        lang,
        "A/80/999",
        ["General Assembly"] if lang == "en" else ["大会"],
        ["Distr.: General", "3 March 2026"] + (["Chinese"] if lang == "zh" else []) + ["Original: English"],
        "26-99999",
        max_note_lines=4,
    )
    paragraphs, notes, headings = [], [], []
    n_note = 0
    for section in range(3):
        heading = f"{'ABC'[section]}. " + ("第一部分" if lang == "zh" else "Programme of work")
        headings.append(heading)
        doc.blocks.append([Item(heading, "bold")])
        for _ in range(4):
            mark = None
            if rng.random() < 0.6:
                n_note += 1
                mark = SUP[n_note] if n_note < 10 else None
                if mark:
                    note = _paragraph(rng, lang, rng.randint(3, 5))
                    doc.notes[str(n_note)] = note
                    notes.append(f"{mark} {note}")
            text = _paragraph(rng, lang, rng.randint(4, 9), mark)
            paragraphs.append(text)
            doc.blocks.append([Item(text)])
    return doc, paragraphs, notes, headings


@pytest.mark.skipif(cjk_font_path() is None, reason="fonts-droid-fallback not installed (make install does it)")
@pytest.mark.parametrize("lang, seed", [("en", 1), ("en", 2), ("zh", 1), ("zh", 2)])
def test_paragraphs_and_footnotes_cross_pages_and_come_back_whole(lang, seed, tmp_path):
    doc, paragraphs, notes, headings = _doc(lang, seed)
    pdf = render(doc, tmp_path / f"{lang}.pdf")
    ex = read_pdf(pdf, lang, {"workers": 1})
    assert ex.n_pages >= 3
    blocks = ex.blocks
    assert [b.lines[0] for b in blocks if b.kind == "paragraph"] == paragraphs
    assert [b.lines[0] for b in blocks if b.kind == "footnote"] == notes
    assert [b.lines[0] for b in blocks if b.kind == "heading"] == headings
    # the layout really crossed pages: some paragraph and some footnote run onto the next page
    assert any(b.page_end > b.page for b in blocks if b.kind == "paragraph")
    assert any(b.page_end > b.page for b in blocks if b.kind == "footnote")
    # footnotes linked to the paragraphs that cite them
    segs = segment_version(blocks, lang, SEG)
    by_id = {s.seg_id: s for s in segs}
    cited = [by_id[f].label for s in segs for f in s.footnote_ids]
    assert cited == [str(i) for i in range(1, len(notes) + 1)]
    assert ex.metadata["printed_symbol"] == "A/80/999" and ex.metadata["date"] == "2026-03-03"


@pytest.mark.skipif(cjk_font_path() is None, reason="fonts-droid-fallback not installed (make install does it)")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_table_across_pages_with_repeated_head(lang, tmp_path):
    rng = random.Random(7)
    head = ["Date and time", "Item", "Title or description"] if lang == "en" else ["日期和时间", "项目", "题目或说明"]
    rows = []
    for i in range(40):
        when = f"{i % 28 + 1} October, 10 a.m.-1 p.m." if lang == "en" else f"10月{i % 28 + 1}日，上午10时-下午1时"
        title = ((_sentence(rng, lang)[:-1] if i % 3 else "") + (" (continued)" if i % 4 == 0 else "")).strip()
        rows.append([when if i % 2 == 0 else "", str(i % 5 + 1), title])
    doc = Doc(
        lang, "A/80/999", ["General Assembly"], ["Distr.: General", "3 March 2026", "Original: English"], "26-99999"
    )
    intro = _paragraph(rng, lang, 2)
    doc.blocks = [
        [Item(intro)],
        [Item("Proposed organization of work" if lang == "en" else "拟议工作安排", "bold")],
        Table(head, rows, [130.0, 40.0, RIGHT - LEFT - 170.0]),
        [Item(intro)],
    ]
    ex = read_pdf(render(doc, tmp_path / "t.pdf"), lang, {"workers": 1})
    got = [list(b.cells) for b in ex.blocks if b.kind == "table_row"]
    assert got == [head] + rows
    pages = {b.page for b in ex.blocks if b.kind == "table_row"}
    assert len(pages) >= 2
    assert [b.lines[0] for b in ex.blocks if b.kind == "paragraph"] == [intro, intro]
    assert ex.n_furniture_chars > 0 and any("".join(head) in f.replace(" ", "") or head[0] in f for f in ex.furniture)
