"""bitext evaluate TEST_DIR GOLD_DIR: strict precision, recall and F1 of ladder files.

A test bead counts only if exactly equal to a gold bead (omissions count as beads),
micro-averaged over all files of GOLD_DIR, each compared with the file of the same
name in TEST_DIR. Prints JSON: overall, by bead type, and F1 per file.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..evaluate.ladder import evaluate_dirs

HELP = "strict precision/recall/F1 of ladder files against gold ladders (same file names)"


def add_arguments(parser) -> None:
    parser.add_argument("test_dir", type=Path, help="folder of ladder files to score")
    parser.add_argument("gold_dir", type=Path, help="folder of gold ladder files (same names)")


def run(args, params: dict) -> None:
    print(json.dumps(evaluate_dirs(args.test_dir, args.gold_dir), indent=2, sort_keys=True))
