"""The corpus tables: one parquet file per document and table, replaced atomically.

Layout: ``<out>/<table>.parquet/<pair>/<doc_id>.parquet`` (e.g.
``aligned/segments.parquet/zh-en/CTOC_COP_WG.2_2009_1.parquet``). A folder of parquet
files reads as one table in one line, whatever the tool::

    pandas.read_parquet("aligned/segments.parquet")
    duckdb.sql("select * from 'aligned/segments.parquet/*/*.parquet'")
    polars.read_parquet("aligned/segments.parquet/*/*.parquet")

A document's rows live in exactly one file per table, so re-running or retrying a
document replaces its rows (never duplicates them), and a file is renamed into place
only when complete (readers skip the hidden ``.name.*.tmp`` files of a write in
progress). Why not one file per table: at corpus scale, rewriting it for one changed
document costs the whole corpus; why not Delta Lake: concurrent per-document commits
from many workers would need a single committing writer, and DuckDB reads Delta only
through an extension it downloads (this project runs offline).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd

from .. import io
from ..schema import TABLES

TEMP_GLOB = ".*.tmp"  # io.atomic_path's temporary files


def table_dir(out: Path, table: str) -> Path:
    return Path(out) / f"{table}.parquet"


def doc_file(out: Path, table: str, pair: str, doc_id: str) -> Path:
    return table_dir(out, table) / pair / f"{doc_id}.parquet"


def publish(out: Path, pair: str, doc_id: str, tables: dict[str, pd.DataFrame]) -> None:
    """Write one document's rows of every table (each file replaced atomically).

    Its files under another language pair go afterwards: a document has rows under one pair.
    """
    for name in TABLES:
        io.write_table(name, tables[name], doc_file(out, name, pair, doc_id))
        for stale in table_dir(out, name).glob(f"*/{doc_id}.parquet"):
            if stale.parent.name != pair:
                stale.unlink()


def unpublish(out: Path, doc_id: str) -> int:
    """Remove one document's rows from every table; returns the files removed."""
    removed = 0
    for name in TABLES:
        for path in table_dir(out, name).glob(f"*/{doc_id}.parquet"):
            path.unlink()
            removed += 1
    return removed


def published_docs(out: Path) -> set[str]:
    """Documents with rows in the documents table."""
    return {p.stem for p in table_dir(out, "documents").glob("*/*.parquet")}


def read(out: Path, table: str) -> pd.DataFrame:
    """The whole table, documents in file-name order (empty with its columns if none)."""
    folder = table_dir(out, table)
    return io.read_table(table, folder) if folder.is_dir() else io.schema_of(table).empty_table().to_pandas()


def sweep_temporary(*roots: Path) -> int:
    """Delete temporary files that interrupted writes left (call with no task running)."""
    removed = 0
    for root in roots:
        if Path(root).is_dir():
            for path in Path(root).rglob(TEMP_GLOB):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed += 1
    return removed


def replace_dir(path: Path) -> None:
    """Remove a folder if present (a removed document's scratch space)."""
    if os.path.isdir(path):
        shutil.rmtree(path)
