"""bitext scan raw --out work/manifest.parquet: list every document and hash its files.

Every folder under RAW holding a language version (``<lang>.<pdf|docx|txt>``) is a
document; its id is the folder name. Files whose size and mtime equal the previous
manifest's keep their hash, so a re-scan of an unchanged corpus reads no file.
"""

from __future__ import annotations

from pathlib import Path

from .. import io
from ..corpus.manifest import read_previous, scan

HELP = "find the documents under raw/ and hash their files (the manifest `process` works from)"


def add_arguments(parser) -> None:
    parser.add_argument("raw", type=Path, help="folder of document folders, e.g. raw")
    parser.add_argument("--out", type=Path, required=True, help="manifest to write, e.g. work/manifest.parquet")


def run(args, params: dict) -> None:
    skipped: list[str] = []
    manifest = scan(args.raw, read_previous(args.out), skipped=skipped)
    for name in skipped:
        print(f"scan: {args.raw / name}: no language version (<lang>.pdf, .docx or .txt); not a document")
    io.write_table("manifest", manifest, args.out)
    print(f"{args.out}: {manifest.doc_id.nunique()} documents, {len(manifest)} files")
