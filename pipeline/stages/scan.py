"""bitext scan raw --out work/manifest.parquet: list every document and hash its files.

Every folder under RAW holding a language version (``<lang>.<pdf|docx|txt>``) is a
document; its id is the folder name. Files whose size and mtime equal those of the last
scan keep their hash (the stat cache, ``--stat-cache``), so a re-scan of an unchanged
corpus reads no file. The manifest itself holds no mtime: it is the same in every clone.
"""

from __future__ import annotations

from pathlib import Path

from .. import io
from ..corpus.manifest import StatCache, scan

HELP = "find the documents under raw/ and hash their files (the manifest `process` works from)"


def add_arguments(parser) -> None:
    parser.add_argument("raw", type=Path, help="folder of document folders, e.g. raw")
    parser.add_argument("--out", type=Path, required=True, help="manifest to write, e.g. work/manifest.parquet")
    parser.add_argument(
        "--stat-cache",
        type=Path,
        help="each file's size, mtime and hash from the last scan (default: stat-cache.parquet beside --out)",
    )


def run(args, params: dict) -> None:
    skipped: list[str] = []
    cache_path = args.stat_cache or args.out.parent / "stat-cache.parquet"
    cache = StatCache.load(cache_path)
    manifest = scan(args.raw, cache, skipped=skipped)
    for name in skipped:
        print(f"scan: {args.raw / name}: no language version (<lang>.pdf, .docx or .txt); not a document")
    io.write_table("manifest", manifest, args.out)
    cache.save(cache_path)
    print(f"{args.out}: {manifest.doc_id.nunique()} documents, {len(manifest)} files")
