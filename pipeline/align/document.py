"""Align one document: sections by structure, units by DP, then sentences by DP."""
from __future__ import annotations

import numpy as np

from ..anchors import find_numbers, find_symbols
from ..records import Segment, Sentence
from . import dp
from .costs import Scorer, Unit
from .sections import spans


def _unit(text: str, vector: np.ndarray, kind: str = "") -> Unit:
    return Unit(vector=vector, length=sum(1 for ch in text if not ch.isspace()),
                numbers=tuple(find_numbers(text)), symbols=tuple(find_symbols(text)), kind=kind)


def _length_ratio(src: list[Unit], tgt: list[Unit]) -> float:
    a, b = sum(u.length for u in src), sum(u.length for u in tgt)
    return b / a if a and b else 1.0


def _join(texts: list[str]) -> str:
    return " ".join(texts)


def align_document(doc_id: str, src: list[Segment], tgt: list[Segment], src_sents: list[Sentence],
                   tgt_sents: list[Sentence], vectors: dict[str, np.ndarray], params: dict
                   ) -> tuple[list[dict], list[dict]]:
    """(unit pair rows, sentence pair rows) for the ``alignments`` tables.

    ``vectors`` maps text -> embedding for every segment and sentence text.
    """
    src_lang, tgt_lang = params["languages"]
    src = [s for s in src if s.alignable]
    tgt = [s for s in tgt if s.alignable]
    src_units = [_unit(s.text, vectors[s.text], s.kind) for s in src]
    tgt_units = [_unit(s.text, vectors[s.text], s.kind) for s in tgt]
    ratio = _length_ratio(src_units, tgt_units)
    sents_by_seg: dict[str, list[Sentence]] = {}
    for sent in src_sents + tgt_sents:
        sents_by_seg.setdefault(sent.seg_id, []).append(sent)

    pairs, sentence_pairs = [], []
    for span in spans(src, tgt):
        scorer = Scorer([src_units[i] for i in span.src], [tgt_units[j] for j in span.tgt], params, ratio)
        ladder = dp.align(len(span.src), len(span.tgt), scorer, params["skip_cost"], params["merge_cost"])
        for (ii, jj), _ in ladder:
            a = [src[span.src[i]] for i in ii]
            b = [tgt[span.tgt[j]] for j in jj]
            comp = scorer.components(ii[0], len(ii), jj[0], len(jj)) if ii and jj else None
            pair_id = f"{doc_id}:{len(pairs)}"
            first = (a or b)[0]
            pairs.append({
                "doc_id": doc_id, "pair_id": pair_id, "item": first.item, "kind": first.kind,
                f"{src_lang}_seg_ids": [s.seg_id for s in a], f"{tgt_lang}_seg_ids": [s.seg_id for s in b],
                f"{src_lang}_text": _join([s.text for s in a]), f"{tgt_lang}_text": _join([s.text for s in b]),
                "score": comp.score if comp else 0.0, "link": f"{len(a)}-{len(b)}",
                "semantic": comp.semantic if comp else None, "numbers_agree": comp.numbers if comp else None,
                "symbols_agree": comp.symbols if comp else None, "anchored": span.anchored,
            })
            sentence_pairs.extend(_align_sentences(
                doc_id, pair_id, [x for s in a for x in sents_by_seg.get(s.seg_id, [])],
                [x for s in b for x in sents_by_seg.get(s.seg_id, [])], vectors, params, ratio,
                comp.score if comp else 0.0))
    return pairs, sentence_pairs


def _align_sentences(doc_id: str, pair_id: str, a: list[Sentence], b: list[Sentence],
                     vectors: dict[str, np.ndarray], params: dict, ratio: float, unit_score: float
                     ) -> list[dict]:
    src_lang, tgt_lang = params["languages"]
    scorer = Scorer([_unit(s.text, vectors[s.text]) for s in a], [_unit(s.text, vectors[s.text]) for s in b],
                    params, ratio)
    if len(a) == 1 and len(b) == 1:
        ladder = [(((0,), (0,)), unit_score)]  # the unit pair's own score already says it
    else:
        ladder = dp.align(len(a), len(b), scorer, params["skip_cost"], params["merge_cost"])
    rows = []
    for (ii, jj), score in ladder:
        sa, sb = [a[i] for i in ii], [b[j] for j in jj]
        rows.append({
            "doc_id": doc_id, "pair_id": pair_id, "sent_pair_id": f"{pair_id}.{len(rows)}",
            f"{src_lang}_sent_ids": [s.sent_id for s in sa], f"{tgt_lang}_sent_ids": [s.sent_id for s in sb],
            f"{src_lang}_text": _join([s.text for s in sa]), f"{tgt_lang}_text": _join([s.text for s in sb]),
            "score": score, "link": f"{len(sa)}-{len(sb)}",
        })
    return rows
