"""bitext ingest raw/<DOC> --out work/<DOC>: read every language version into blocks.

Each version is raw/<DOC>/<lang>.pdf, .docx or .txt; when several exist, the order of
`ingest.formats` in params.yaml decides (recorded in documents.parquet). PDF and Word
versions are read in parallel; warnings about odd but readable files go to stderr.
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path

from .. import io
from ..ingest import ingest_document
from ..langs import language_settings
from . import outputs_of_stage

HELP = "read raw/<DOC>/<lang>.<pdf|docx|txt> (every language version) into blocks"


def add_arguments(parser) -> None:
    parser.add_argument("doc_dir", type=Path, help="document folder, e.g. raw/CTOC_COP_WG.2_2009_1")
    parser.add_argument("--out", type=Path, required=True, help="stage folder, e.g. work/CTOC_COP_WG.2_2009_1")


def run(args, params: dict) -> None:
    documents_path, blocks_path = args.out / "documents.parquet", args.out / "blocks.parquet"
    with outputs_of_stage(documents_path, blocks_path):
        p = params["ingest"]
        warnings: list[str] = []
        documents, blocks = ingest_document(
            args.doc_dir, language_settings(params)["pair"], p["formats"], p["min_script_share"], p, warnings
        )
        for message in warnings:  # odd but readable inputs: say so, carry on
            print(f"warning: {message}", file=sys.stderr)
        doc_id = args.doc_dir.name
        io.write_table("documents", documents, documents_path)
        io.write_table("blocks", [{"doc_id": doc_id, **asdict(b)} for b in blocks], blocks_path)
