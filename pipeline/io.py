"""Table and file I/O at the edges of the pipeline; every write is atomic.

A stage writes each output to a temporary sibling and renames it into place, so a
failure never leaves a partial or stale file that a later stage could mistake for
a good one.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .errors import PipelineError
from .schema import CORPUS_TABLES, INTERNAL_TABLES, TABLES


def schema_of(table: str) -> pa.Schema:
    return {**TABLES, **INTERNAL_TABLES, **CORPUS_TABLES}[table][0]


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def to_arrow(table: str, rows: list[dict] | pd.DataFrame) -> pa.Table:
    """Rows (dicts or a frame) as an arrow table with exactly the schema's columns."""
    schema = schema_of(table)
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows), columns=schema.names)
    missing = set(schema.names) - set(frame.columns)
    extra = set(frame.columns) - set(schema.names)
    if missing or extra:
        raise ValueError(f"table {table}: missing columns {sorted(missing)}, unexpected {sorted(extra)}")
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)


def write_table(table: str, rows: list[dict] | pd.DataFrame, path: Path) -> None:
    arrow = to_arrow(table, rows)
    with atomic_path(path) as tmp:
        pq.write_table(arrow, tmp, compression="zstd")


# Which stage writes each table, for "run X first" messages.
PRODUCER = {
    "documents": "ingest",
    "blocks": "ingest",
    "segments": "segment",
    "sentences": "segment",
    "embeddings": "embed",
    "alignments": "align",
    "sentence_alignments": "align",
    "manifest": "scan",
    "stat_cache": "scan",
    "ledger": "process",
}


def read_table(table: str, path: Path) -> pd.DataFrame:
    """A table from one parquet file, or from a folder of them (the corpus tables:
    ``<table>.parquet/<pair>/<doc_id>.parquet``, read in file-name order)."""
    path = Path(path)
    if not path.exists():
        raise PipelineError(f"{path}: not found; run `bitext {PRODUCER[table]}` (or `dvc repro`) first")
    files = sorted(path.rglob("[!._]*.parquet")) if path.is_dir() else [path]
    if not files:
        return schema_of(table).empty_table().to_pandas()
    try:
        arrow = pa.concat_tables(pq.read_table(f, schema=schema_of(table)) for f in files)
    except (pa.ArrowInvalid, OSError) as err:
        raise PipelineError(
            f"{path}: unreadable {table} table ({str(err).splitlines()[0]}); re-run `bitext {PRODUCER[table]}`"
        ) from None
    return arrow.to_pandas()


def write_json(obj: object, path: Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
