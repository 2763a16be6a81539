"""bitext segment work/<DOC>: blocks -> segments (structure) -> sentences (with tokens)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from .. import io
from ..records import Block
from ..segment import segment_version, sentences_of
from . import outputs_of_stage

HELP = "cut blocks into structural segments (items, notes, lists, footnotes, tables) and sentences"


def add_arguments(parser) -> None:
    parser.add_argument("work_dir", type=Path, help="stage folder holding blocks.parquet")


def _opt_int(value) -> int | None:
    return None if value is None or value != value else int(value)  # null arrives as None or NaN


def _opt_str(value) -> str | None:
    return value if isinstance(value, str) else None


def _block(lang: str, r) -> Block:
    bbox = None if r.bbox is None else tuple(float(v) for v in r.bbox)
    return Block(
        lang,
        int(r.block_id),
        tuple(r.lines),
        int(r.char_start),
        int(r.char_end),
        _opt_int(r.page),
        page_end=_opt_int(r.page_end),
        bbox=bbox,
        kind=_opt_str(r.kind),
        label=_opt_str(r.label),
        cells=tuple(r.cells),
        refs=tuple(r.refs),
        group=_opt_int(r.group),
    )


def run(args, params: dict) -> None:
    seg_path, sent_path = args.work_dir / "segments.parquet", args.work_dir / "sentences.parquet"
    with outputs_of_stage(seg_path, sent_path):
        frame = io.read_table("blocks", args.work_dir / "blocks.parquet")
        doc_id = args.work_dir.name
        segments, sentences = [], []
        for lang, rows in frame.groupby("lang", sort=True):
            blocks = [_block(lang, r) for r in rows.itertuples()]
            version = segment_version(blocks, lang, params["segment"])
            segments += [{"doc_id": doc_id, "seg_id": s.seg_id, **asdict(s)} for s in version]
            sentences += [{"doc_id": doc_id, "sent_id": s.sent_id, **asdict(s)} for s in sentences_of(version)]
        io.write_table("segments", segments, seg_path)
        io.write_table("sentences", sentences, sent_path)
