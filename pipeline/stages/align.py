"""bitext align work/<DOC>: pair the zh and en units, then the sentences inside them."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from .. import io
from ..align import align_document
from ..align.verdict import assess
from ..embed.cache import text_key
from ..embed.model import ALIGNER_TOKEN_MEMORY, Embedder
from ..langs import language_settings
from ..records import Segment, Sentence
from . import outputs_of_stage

HELP = "align units (structure anchors + DP over embeddings) and the sentences inside them"


def add_arguments(parser) -> None:
    parser.add_argument("work_dir", type=Path, help="stage folder holding segments, sentences, embeddings")


def _segments(frame, lang: str) -> list[Segment]:
    rows = frame[frame.lang == lang].sort_values("position")
    return [
        Segment(
            lang=lang,
            position=int(r.position),
            kind=r.kind,
            text=r.text,
            char_start=int(r.char_start),
            char_end=int(r.char_end),
            item=_opt(r.item),
            label=_opt(r.label),
            path=_opt(r.path),
            symbols=list(r.symbols),
            footnote_ids=list(r.footnote_ids),
            cells=list(r.cells),
            alignable=bool(r.alignable),
        )
        for r in rows.itertuples()
    ]


def _opt(value) -> str | None:
    return value if isinstance(value, str) else None  # nulls arrive as None or NaN


def _sentences(frame, lang: str) -> list[Sentence]:
    rows = frame[frame.lang == lang]
    return [Sentence(lang, r.seg_id, int(r.n), r.text, tuple(r.tokens)) for r in rows.itertuples()]


def run(args, params: dict, embedder: Embedder | None = None) -> None:
    """``embedder``: one already loaded (a corpus worker keeps its model across documents)."""
    pairs_path = args.work_dir / "alignments.parquet"
    sent_path = args.work_dir / "sentence_alignments.parquet"
    with outputs_of_stage(pairs_path, sent_path):
        p = params["align"]
        src, tgt = language_settings(params)["pair"]
        segments = io.read_table("segments", args.work_dir / "segments.parquet")
        sentences = io.read_table("sentences", args.work_dir / "sentences.parquet")
        emb = io.read_table("embeddings", args.work_dir / "embeddings.parquet")
        by_key = dict(zip(emb.text_sha1, (np.asarray(v, dtype=np.float32) for v in emb.vector)))
        texts = set(segments.text) | set(sentences.text)
        vectors = {t: by_key[text_key(t)] for t in texts if text_key(t) in by_key}
        pairs, sentence_pairs = align_document(
            args.work_dir.name,
            _segments(segments, src),
            _segments(segments, tgt),
            _sentences(sentences, src),
            _sentences(sentences, tgt),
            vectors,
            p,
            params.get("sentence_align"),
            # the sentence aligner's later passes encode merged runs (loaded only on a cache miss)
            embedder or Embedder(params["embedding"], progress=False, keep_tokens=ALIGNER_TOKEN_MEMORY),
            languages=(src, tgt),
        )
        io.write_table("alignments", pairs, pairs_path)
        io.write_table("sentence_alignments", sentence_pairs, sent_path)
    verdict = assess(pairs, p["max_omission_share"], p["max_numbering_breaks"])
    if verdict.warning:
        print(f"warning: {args.work_dir.name}: alignment probably wrong: {verdict.warning}", file=sys.stderr)
