"""bitext embed work/<DOC>: one embedding per distinct segment and sentence text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import io
from ..embed.cache import text_key
from ..embed.model import Embedder
from . import outputs_of_stage

HELP = "embed every distinct segment and sentence text with the configured model"


def add_arguments(parser) -> None:
    parser.add_argument("work_dir", type=Path, help="stage folder holding segments/sentences.parquet")


def run(args, params: dict, embedder: Embedder | None = None) -> None:
    """``embedder``: one already loaded (a corpus worker keeps its model across documents)."""
    out = args.work_dir / "embeddings.parquet"
    with outputs_of_stage(out):
        segments = io.read_table("segments", args.work_dir / "segments.parquet")
        sentences = io.read_table("sentences", args.work_dir / "sentences.parquet")
        texts = sorted(set(segments.loc[segments.alignable, "text"]) | set(sentences.text))
        # through the on-disk cache shared with eval and align-sentences: texts seen
        # before (or a re-run after a parameter change) reach the encoder only once
        vectors = (embedder or Embedder(params["embedding"]))(texts)
        frame = pd.DataFrame({"text_sha1": [text_key(t) for t in texts], "vector": list(vectors)})
        io.write_table("embeddings", frame, out)
