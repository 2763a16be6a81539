"""bitext align-sentences SRC TGT: align two files of sentences (one per line) on their own.

Prints the ladder format of Vecalign and Bertalign, one bead per line: [0]:[0],
[1]:[1, 2], [3]:[] (source indices, then target indices; 0-based line numbers).
Embeddings come from the configured model through the on-disk cache.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import io
from ..align.overlaps import Side
from ..align.sentence_aligner import SentenceAlignParams, align_sides
from ..embed.model import ALIGNER_TOKEN_MEMORY, Embedder
from ..errors import InputError
from ..evaluate.ladder import format_bead

HELP = "align two files of sentences (one per line) and print the ladder ([0]:[0], [1]:[1, 2], [3]:[])"


def add_arguments(parser) -> None:
    parser.add_argument("src", type=Path, help="source sentences, one per line (UTF-8)")
    parser.add_argument("tgt", type=Path, help="target sentences, one per line (UTF-8)")
    parser.add_argument("--out", type=Path, help="write the ladder here instead of standard output")
    parser.add_argument(
        "--scores", action="store_true", help="append each bead's calibrated score as a third field ([0]:[0]:0.9731)"
    )


def read_sentences(path: Path) -> list[str]:
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read ({err.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})") from None
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def align_files(src: list[str], tgt: list[str], params: dict, embedder=None, background=None) -> list:
    """Beads with calibrated scores for two lists of sentences. ``background``: statistics
    of a larger text around them (the document, when the align stage calls the same passes)."""
    from ..align.calibration import Calibration

    embedder = embedder or Embedder(params["embedding"], keep_tokens=ALIGNER_TOKEN_MEMORY)
    p = SentenceAlignParams.from_params(params.get("sentence_align"))
    a, b = Side.pair(src, tgt, embedder)
    calibration = Calibration.load(params["sentence_align"].get("calibration"))
    return [(bead, calibration.score(bead)) for bead in align_sides(a, b, p, embedder, background)]


def run(args, params: dict) -> None:
    beads = align_files(read_sentences(args.src), read_sentences(args.tgt), params)
    text = "".join(format_bead(b.src, b.tgt, s if args.scores else None) + "\n" for b, s in beads)
    if args.out:
        with io.atomic_path(args.out) as tmp:
            tmp.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
