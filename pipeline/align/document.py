"""Align one document: sections by structure, units by DP, then sentences.

Inside sections matched by structure anchors, units are paired by the unit DP
(dp.py, scored by costs.py) and the sentences of each unit pair by the sentence
aligner. Where the structure disagrees (an unanchored span: e.g. a paragraph split
in one language only), the sentence aligner runs over all sentences of the span
and unit pairs are read off its beads: units linked by a sentence bead form one pair.
"""
from __future__ import annotations

import numpy as np

from ..anchors import find_numbers, find_symbols
from ..records import Segment, Sentence
from . import dp
from .calibration import Calibration
from .costs import Scorer, Unit
from .overlaps import Side
from .sections import spans
from .sentence_aligner import Background, SentenceAlignParams, align_sides


def _unit(text: str, vector: np.ndarray, kind: str = "") -> Unit:
    return Unit(vector=vector, length=sum(1 for ch in text if not ch.isspace()),
                numbers=tuple(find_numbers(text)), symbols=tuple(find_symbols(text)), kind=kind)


def _length_ratio(src: list[Unit], tgt: list[Unit]) -> float:
    a, b = sum(u.length for u in src), sum(u.length for u in tgt)
    return b / a if a and b else 1.0


def _join(texts: list[str]) -> str:
    return " ".join(texts)


class DocumentAligner:
    def __init__(self, doc_id: str, vectors: dict[str, np.ndarray], params: dict, sentence_params: dict):
        self.doc_id, self.vectors, self.params = doc_id, vectors, params
        self.src_lang, self.tgt_lang = params["languages"]
        self.sentence_params = SentenceAlignParams.from_params(sentence_params)
        self.calibration = Calibration.load(sentence_params.get("calibration"))
        self.background: Background | None = None  # statistics of the whole document
        self.pairs: list[dict] = []
        self.sentence_pairs: list[dict] = []

    def _side(self, sentences: list[Sentence]) -> Side:
        texts = [s.text for s in sentences]
        vecs = np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, 1), np.float32)
        return Side.from_texts(texts, vecs)

    def _flags(self, comp, score: float, a: list, b: list) -> list[str]:
        flags = []
        if not (a and b):
            flags.append("omission")
        elif score < self.params["low_score"]:
            flags.append("low_score")
        if comp is not None and comp.numbers is not None and comp.numbers < 1:
            flags.append("numbers_differ")
        if comp is not None and comp.symbols is not None and comp.symbols < 1:
            flags.append("symbols_differ")
        return flags

    def add_pair(self, a: list[Segment], b: list[Segment], comp, anchored: bool,
                 sentence_beads: list[tuple] | None, sa: list[Sentence], sb: list[Sentence]) -> None:
        pair_id = f"{self.doc_id}:{len(self.pairs)}"
        first = (a or b)[0]
        score = comp.score if comp else 0.0
        self.pairs.append({
            "doc_id": self.doc_id, "pair_id": pair_id, "item": first.item, "kind": first.kind,
            f"{self.src_lang}_seg_ids": [s.seg_id for s in a], f"{self.tgt_lang}_seg_ids": [s.seg_id for s in b],
            f"{self.src_lang}_text": _join([s.text for s in a]), f"{self.tgt_lang}_text": _join([s.text for s in b]),
            "score": score, "link": f"{len(a)}-{len(b)}",
            "semantic": comp.semantic if comp else None, "numbers_agree": comp.numbers if comp else None,
            "symbols_agree": comp.symbols if comp else None, "anchored": anchored,
            "flags": self._flags(comp, score, a, b),
        })
        if sentence_beads is None:  # align the unit pair's sentences now
            if len(sa) == 1 and len(sb) == 1:
                sentence_beads = [((0,), (0,), score)]  # the unit pair's own score already says it
            else:
                sentence_beads = [(bd.src, bd.tgt, self.calibration.score(bd))
                                  for bd in align_sides(self._side(sa), self._side(sb), self.sentence_params,
                                                        background=self.background)]
        for n, (ii, jj, s) in enumerate(sentence_beads):
            xa, xb = [sa[i] for i in ii], [sb[j] for j in jj]
            self.sentence_pairs.append({
                "doc_id": self.doc_id, "pair_id": pair_id, "sent_pair_id": f"{pair_id}.{n}",
                f"{self.src_lang}_sent_ids": [x.sent_id for x in xa], f"{self.tgt_lang}_sent_ids": [x.sent_id for x in xb],
                f"{self.src_lang}_text": _join([x.text for x in xa]), f"{self.tgt_lang}_text": _join([x.text for x in xb]),
                "score": float(s) if xa and xb else 0.0, "link": f"{len(xa)}-{len(xb)}",
            })


def align_document(doc_id: str, src: list[Segment], tgt: list[Segment], src_sents: list[Sentence],
                   tgt_sents: list[Sentence], vectors: dict[str, np.ndarray], params: dict,
                   sentence_params: dict | None = None) -> tuple[list[dict], list[dict]]:
    """(unit pair rows, sentence pair rows) for the ``alignments`` tables.

    ``vectors`` maps text -> embedding for every segment and sentence text.
    """
    doc = DocumentAligner(doc_id, vectors, params, sentence_params or {})
    src = [s for s in src if s.alignable]
    tgt = [s for s in tgt if s.alignable]
    src_units = [_unit(s.text, vectors[s.text], s.kind) for s in src]
    tgt_units = [_unit(s.text, vectors[s.text], s.kind) for s in tgt]
    ratio = _length_ratio(src_units, tgt_units)
    if src_sents and tgt_sents:
        doc.background = Background.of(doc._side(src_sents), doc._side(tgt_sents), doc.sentence_params.max_run)
    sents: dict[str, list[Sentence]] = {}
    for sent in src_sents + tgt_sents:
        sents.setdefault(sent.seg_id, []).append(sent)

    for span in spans(src, tgt):
        scorer = Scorer([src_units[i] for i in span.src], [tgt_units[j] for j in span.tgt], params, ratio)
        a_segs, b_segs = [src[i] for i in span.src], [tgt[j] for j in span.tgt]
        if span.anchored:
            ladder = dp.align(len(a_segs), len(b_segs), scorer, params["skip_cost"], params["merge_cost"])
            for ii, jj in (bead for bead, _ in ladder):
                a, b = [a_segs[i] for i in ii], [b_segs[j] for j in jj]
                comp = scorer.components(ii[0], len(ii), jj[0], len(jj)) if ii and jj else None
                doc.add_pair(a, b, comp, True, None, [x for s in a for x in sents.get(s.seg_id, [])],
                             [x for s in b for x in sents.get(s.seg_id, [])])
        else:
            _align_unanchored(doc, a_segs, b_segs, sents, scorer)
    return doc.pairs, doc.sentence_pairs


def _align_unanchored(doc: DocumentAligner, a_segs: list[Segment], b_segs: list[Segment],
                      sents: dict[str, list[Sentence]], scorer: Scorer) -> None:
    """Sentence-align the whole span, then pair units that share a sentence bead."""
    sa = [(u, x) for u, s in enumerate(a_segs) for x in sents.get(s.seg_id, [])]
    sb = [(u, x) for u, s in enumerate(b_segs) for x in sents.get(s.seg_id, [])]
    beads = align_sides(doc._side([x for _, x in sa]), doc._side([x for _, x in sb]), doc.sentence_params,
                        background=doc.background)
    groups: list[dict] = []  # each: src units, tgt units, beads (monotone, so groups are contiguous)
    for bead in beads:
        ua = {sa[i][0] for i in bead.src}
        ub = {sb[j][0] for j in bead.tgt}
        last = groups[-1] if groups else None
        if last and (ua & last["a"] or ub & last["b"]):
            last["a"] |= ua
            last["b"] |= ub
            last["beads"].append(bead)
        else:
            groups.append({"a": set(ua), "b": set(ub), "beads": [bead]})
    for g in groups:
        ua, ub = sorted(g["a"]), sorted(g["b"])
        a, b = [a_segs[u] for u in ua], [b_segs[u] for u in ub]
        comp = scorer.components(ua[0], len(ua), ub[0], len(ub)) if ua and ub else None
        la = [x for s in a for x in sents.get(s.seg_id, [])]
        lb = [x for s in b for x in sents.get(s.seg_id, [])]
        first_a = sum(len(sents.get(s.seg_id, [])) for s in a_segs[:ua[0]]) if ua else 0
        first_b = sum(len(sents.get(s.seg_id, [])) for s in b_segs[:ub[0]]) if ub else 0
        local = [(tuple(i - first_a for i in bd.src), tuple(j - first_b for j in bd.tgt),
                  doc.calibration.score(bd)) for bd in g["beads"]]
        doc.add_pair(a, b, comp, False, local, la, lb)
