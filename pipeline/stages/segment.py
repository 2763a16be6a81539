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


def run(args, params: dict) -> None:
    seg_path, sent_path = args.work_dir / "segments.parquet", args.work_dir / "sentences.parquet"
    with outputs_of_stage(seg_path, sent_path):
        frame = io.read_table("blocks", args.work_dir / "blocks.parquet")
        doc_id = args.work_dir.name
        segments, sentences = [], []
        for lang, rows in frame.groupby("lang", sort=True):
            blocks = [Block(lang, int(r.block_id), tuple(r.lines), int(r.char_start), int(r.char_end),
                            None if r.page != r.page or r.page is None else int(r.page))
                      for r in rows.itertuples()]
            version = segment_version(blocks, lang, params["segment"])
            segments += [{"doc_id": doc_id, "seg_id": s.seg_id, **asdict(s)} for s in version]
            sentences += [{"doc_id": doc_id, "sent_id": s.sent_id, **asdict(s)} for s in sentences_of(version)]
        io.write_table("segments", segments, seg_path)
        io.write_table("sentences", sentences, sent_path)
