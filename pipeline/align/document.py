"""Align one document: units by one DP over the whole document, then sentences.

The units of the two versions are paired by the unit DP (dp.py) scored by content,
numbers and symbols and structure agreement together (costs.py): structure is a
strong term, not a wall, so a mis-read heading or a paragraph split in one language
costs that spot only. Footnotes are a stream of their own. The sentences of each
unit pair are then paired by the sentence aligner.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from ..anchors import find_numbers, find_symbols
from ..langs import join_lines
from ..records import Segment, Sentence
from ..segment.markers import strip_marker
from . import dp
from .calibration import Calibration
from .unit_calibration import UnitCalibration
from .costs import Scorer, Unit
from .overlaps import Side
from .sentence_aligner import Background, SentenceAlignParams, align_sides


@dataclass(frozen=True)
class AlignSettings:
    """params.yaml ``align``: the unit aligner (see configs/params.yaml for each value)."""

    weights: dict[str, float] = field(
        default_factory=lambda: {"semantic": 0.7, "length": 0.1, "numbers": 0.3, "symbols": 0.1, "structure": 0.2}
    )
    sim_floor: float = 0.80
    sim_ceiling: float = 0.92
    skip_cost: float = 0.35
    merge_cost: float = 0.05
    kind_mismatch_penalty: float = 0.2
    run_boundary_penalty: float = 0.3
    merge_min_gain: float = 0.02
    merge_gain_penalty: float = 0.5
    band: int = 12
    unit_calibration: str | None = "configs/unit_calibration.json"
    low_score: float = 0.5
    max_omission_share: float = 0.15
    max_numbering_breaks: float = 0.25


def _unit(seg: Segment, vectors: dict[str, np.ndarray], cited: dict[str, str] | None = None) -> Unit:
    text = seg.text
    label = (cited or {}).get(f"{seg.lang}:{seg.seg_id}", seg.label)
    body = strip_marker(text) if seg.label else text  # the paragraph number is structure, not content
    return Unit(
        vector=vectors[text],
        length=sum(1 for ch in text if not ch.isspace()),
        numbers=tuple(find_numbers(body)),
        symbols=tuple(find_symbols(text)),
        kind=seg.kind,
        label=label,
        path=seg.path,
    )


def _length_ratio(src: list[Unit], tgt: list[Unit]) -> float:
    a, b = sum(u.length for u in src), sum(u.length for u in tgt)
    return b / a if a and b else 1.0


def _join(texts: list[str]) -> str:
    return join_lines(texts)


class DocumentAligner:
    def __init__(
        self,
        doc_id: str,
        vectors: dict[str, np.ndarray],
        params: dict,
        sentence_params: dict,
        encode: Callable[[list[str]], np.ndarray] | None = None,
        *,
        languages: tuple[str, str],
    ):
        self.doc_id, self.vectors, self.params, self.encode = doc_id, vectors, params, encode
        self.src_lang, self.tgt_lang = languages
        self.sentence_params = SentenceAlignParams.from_params(sentence_params)
        self.calibration = Calibration.load(sentence_params.get("calibration"))
        self.background: Background | None = None  # statistics of the whole document
        self.pairs: list[dict] = []
        self.sentence_pairs: list[dict] = []

    def _side(self, sentences: list[Sentence]) -> Side:
        texts = [s.text for s in sentences]
        vecs = np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, 1), np.float32)
        return Side.from_texts(texts, vecs)

    def align_sentences(self, sa: list[Sentence], sb: list[Sentence]):
        """The sentence beads of one unit pair: ``align_sides`` with the encoder, as
        ``bitext align-sentences`` runs it, and the whole document's statistics."""
        return align_sides(self._side(sa), self._side(sb), self.sentence_params, self.encode, self.background)

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
        if comp is not None and comp.numbered and comp.structure == 0:
            flags.append("labels_differ")
        return flags

    def add_pair(self, a: list[Segment], b: list[Segment], comp, sa: list[Sentence], sb: list[Sentence]) -> None:
        pair_id = f"{self.doc_id}:{len(self.pairs)}"
        first = (a or b)[0]
        score = comp.score if comp else 0.0
        self.pairs.append(
            {
                "doc_id": self.doc_id,
                "pair_id": pair_id,
                "item": first.item,
                "path": first.path,
                "kind": first.kind,
                f"{self.src_lang}_seg_ids": [s.seg_id for s in a],
                f"{self.tgt_lang}_seg_ids": [s.seg_id for s in b],
                f"{self.src_lang}_text": _join([s.text for s in a]),
                f"{self.tgt_lang}_text": _join([s.text for s in b]),
                "score": score,
                "link": f"{len(a)}-{len(b)}",
                "semantic": comp.semantic if comp else None,
                "numbers_agree": comp.numbers if comp else None,
                "symbols_agree": comp.symbols if comp else None,
                "anchored": bool(comp is not None and comp.numbered and comp.structure == 1.0),
                "flags": self._flags(comp, score, a, b),
            }
        )
        if len(sa) == 1 and len(sb) == 1:
            sentence_beads = [((0,), (0,), score)]  # the unit pair's own score already says it
        else:
            sentence_beads = [(bd.src, bd.tgt, self.calibration.score(bd)) for bd in self.align_sentences(sa, sb)]
        for n, (ii, jj, s) in enumerate(sentence_beads):
            xa, xb = [sa[i] for i in ii], [sb[j] for j in jj]
            self.sentence_pairs.append(
                {
                    "doc_id": self.doc_id,
                    "pair_id": pair_id,
                    "sent_pair_id": f"{pair_id}.{n}",
                    f"{self.src_lang}_sent_ids": [x.sent_id for x in xa],
                    f"{self.tgt_lang}_sent_ids": [x.sent_id for x in xb],
                    f"{self.src_lang}_text": _join([x.text for x in xa]),
                    f"{self.tgt_lang}_text": _join([x.text for x in xb]),
                    "score": float(s) if xa and xb else 0.0,
                    "link": f"{len(xa)}-{len(xb)}",
                }
            )


def _stream(seg: Segment) -> str:
    """Footnotes are aligned apart from the body: versions print them at different places
    (where their page ends), so their reading order does not follow the body's."""
    return "notes" if seg.kind == "footnote" else "body"


def align_document(
    doc_id: str,
    src: list[Segment],
    tgt: list[Segment],
    src_sents: list[Sentence],
    tgt_sents: list[Sentence],
    vectors: dict[str, np.ndarray],
    params: dict,
    sentence_params: dict | None = None,
    encode: Callable[[list[str]], np.ndarray] | None = None,
    *,
    languages: tuple[str, str],
) -> tuple[list[dict], list[dict]]:
    """(unit pair rows, sentence pair rows) for the ``alignments`` tables.

    ``vectors`` maps text -> embedding for every segment and sentence text; ``encode``
    (an ``Embedder``) encodes the merged runs and token vectors of the sentence
    aligner's second and third passes (without it, the first pass only). ``languages``:
    the languages of ``src`` and ``tgt`` (``languages.pair``).
    """
    doc = DocumentAligner(doc_id, vectors, params, sentence_params or {}, encode, languages=languages)
    src = [s for s in src if s.alignable]
    tgt = [s for s in tgt if s.alignable]
    ratio = _length_ratio([_unit(s, vectors) for s in src], [_unit(s, vectors) for s in tgt])
    if src_sents and tgt_sents:
        doc.background = Background.of(doc._side(src_sents), doc._side(tgt_sents), doc.sentence_params.max_run)
    sents: dict[str, list[Sentence]] = {}
    for sent in src_sents + tgt_sents:
        sents.setdefault(sent.seg_id, []).append(sent)

    calibration = UnitCalibration.load(params.get("unit_calibration"))

    def of_stream(name: str) -> tuple[list[Segment], list[Segment]]:
        return [s for s in src if _stream(s) == name], [s for s in tgt if _stream(s) == name]

    beads = _align_stream(*of_stream("body"), vectors, params, ratio, calibration)
    beads += _align_stream(*of_stream("notes"), vectors, params, ratio, calibration, _citations(beads))
    beads.sort(key=lambda bead: bead[0])  # reading order of the source version
    for _, a, b, comp in beads:
        doc.add_pair(
            a, b, comp, [x for s in a for x in sents.get(s.seg_id, [])], [x for s in b for x in sents.get(s.seg_id, [])]
        )
    return doc.pairs, doc.sentence_pairs


def _citations(beads: list) -> dict[str, str]:
    """Footnotes cited from paired units, by the pair that cites them: the k-th note cited
    on each side of one pair is the same note, whatever number each version gives it."""
    by_note: dict[str, str] = {}
    for n, (_, a, b, _) in enumerate(beads):
        for side in (a, b):
            notes = [fid for seg in side for fid in seg.footnote_ids]
            for k, fid in enumerate(notes):
                by_note.setdefault(f"{side[0].lang}:{fid}", f"cited {n}.{k}")
    return by_note


def _align_stream(
    a_segs: list[Segment],
    b_segs: list[Segment],
    vectors: dict[str, np.ndarray],
    params: dict,
    ratio: float,
    calibration: UnitCalibration,
    cited: dict[str, str] | None = None,
) -> list[tuple[float, list[Segment], list[Segment], object]]:
    """The beads of one stream: (sort key, source segments, target segments, components
    with the calibrated score). ``cited``: footnotes' structural labels by the body pair
    that cites them."""
    if not a_segs or not b_segs:
        # nothing to pair with: the source's units stay in place, the target's go last
        return [(float(s.position), [s], [], None) for s in a_segs] + [
            (1e9 + j, [], [s], None) for j, s in enumerate(b_segs)
        ]
    units_a, units_b = [_unit(s, vectors, cited) for s in a_segs], [_unit(s, vectors, cited) for s in b_segs]
    scorer = Scorer(units_a, units_b, params, ratio)
    ladder = dp.align(
        len(a_segs),
        len(b_segs),
        scorer,
        params["skip_cost"],
        params["merge_cost"],
        coarse=scorer.coarse_matrix(),
        band=params["band"],
    )
    out = []
    last = -1.0
    for ii, jj in (bead for bead, _ in ladder):
        a, b = [a_segs[i] for i in ii], [b_segs[j] for j in jj]
        comp = scorer.components(ii[0], len(ii), jj[0], len(jj)) if ii and jj else None
        if comp is not None:  # the DP ranked by the raw score; the tables get a probability
            comp = replace(
                comp, score=calibration.probability(comp, [units_a[i] for i in ii], [units_b[j] for j in jj])
            )
        key = float(a[0].position) if a else last + 1e-3  # a 0-1 bead sits after the bead before it
        last = key
        out.append((key, a, b, comp))
    return out
