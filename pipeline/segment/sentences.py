"""Segments -> sentences, with word tokens.

Chinese ends sentences with 。！？ and, inside long list-like sentences, ；.
English ends them with . ! ? before a capital, unless the period closes one of
the abbreviations UN texts use (a.m., No., Rev., para., art., e.g., ...).
Sentences partition their segment: only whitespace between them is dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..records import Segment, Sentence

_CLOSERS = "”’\"'」』）)》〕】"
_ZH_END = re.compile(rf"[。！？；!?]+[{_CLOSERS}]*")
_EN_END = re.compile(rf"[.!?]+[{_CLOSERS}]*(?=\s+[\"“‘(\[]?[A-Z0-9])")

# Lower-cased abbreviations (without the final period) that do not end a sentence.
ABBREVIATIONS = frozenset(
    """
a.m p.m no nos rev add corr para paras art arts e.g i.e etc mr mrs ms dr prof vol vols
chap ch sect fig figs approx cf al suppl amend annex op p pp st jr sr co inc ltd dept
gen res doc docs ref no.s viz vs jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n
""".split()
)


_LEADING_LABEL = re.compile(r"\s*[-–•]?\s*(?:\d{1,3}|[A-Z]|[IVXivx]{1,5}|\(?[a-z]{1,3}\))")


def _is_abbreviation(text_before: str) -> bool:
    if _LEADING_LABEL.fullmatch(text_before):
        return True  # "1. Organizational matters": a list number, not a sentence
    word = re.split(r"[\s(\[“\"/]", text_before)[-1].lower()
    return word in ABBREVIATIONS or bool(re.fullmatch(r"[a-z]", word))  # initials: "J. Smith"


def split_sentences(text: str, lang: str) -> list[str]:
    if lang == "zh":
        ends = [m.end() for m in _ZH_END.finditer(text)]
    else:
        ends = []
        for m in _EN_END.finditer(text):
            period = m.group(0).startswith(".")
            if period and _is_abbreviation(text[: m.start()]):
                continue
            ends.append(m.end())
    pieces, start = [], 0
    for end in ends + [len(text)]:
        piece = text[start:end].strip()
        if piece:
            pieces.append(piece)
        start = end
    return pieces


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


_WORD = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")


def tokenize(text: str, lang: str) -> list[str]:
    if lang == "zh":
        return [t for t in _jieba().lcut(text) if t.strip()]
    return _WORD.findall(text)


def sentences_of(segments: list[Segment]) -> list[Sentence]:
    out = []
    for seg in segments:
        if not seg.alignable:
            continue
        # Table cells and headings are single units of translation.
        pieces = (
            [seg.text]
            if seg.kind in ("table_row", "heading", "title", "meta", "table_title")
            else split_sentences(seg.text, seg.lang)
        )
        for n, piece in enumerate(pieces):
            out.append(Sentence(seg.lang, seg.seg_id, n, piece, tuple(tokenize(piece, seg.lang))))
    return out
