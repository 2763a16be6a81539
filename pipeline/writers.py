"""Output formats as writers of one pair model.

:class:`PairModel` is every aligned pair, unit and sentence level, with its metadata
(the five tables, the documents with their source language, and one flat row per
pair), built once. A writer turns it into one output; adding a format is one class
and one :func:`register`:

    @register
    class CsvWriter(Writer):
        name, suffix = "csv", ".csv"
        help = "one line per pair"

        def write(self, model, out, params, **options):
            model.rows[["pair_id", "zh_text", "en_text"]].to_csv(out, index=False)
            return {"written": len(model.rows)}

``bitext write FORMAT TABLES_DIR --out PATH`` runs any registered writer; the process,
index and tmx stages run theirs (parquet; index and jsonl; tmx).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import ClassVar

import pandas as pd

from . import io
from .langs import language_settings
from .schema import TABLES
from .search.build import build_index, index_lock, load_vectors
from .search.corpus import LEVELS, documents_of, flat_rows, read_tables
from .tmx import tmx_params, write_tmx


@dataclass
class PairModel:
    """The aligned pairs of one or more documents; documents and rows are derived once, when
    first asked for."""

    tables: dict[str, pd.DataFrame]
    default_srclang: str  # languages.default_source
    with_tokens: bool = True  # jieba tokens of the Chinese side (the index needs them)
    levels: tuple[str, ...] = field(default=LEVELS)

    @classmethod
    def read(cls, folder: Path, params: dict, **kwargs) -> "PairModel":
        """From aligned/ (every document) or work/<DOC>/ (one document)."""
        producer = "process" if Path(folder).name == "aligned" else "align"
        return cls(read_tables(folder, producer), language_settings(params)["default_source"], **kwargs)

    @cached_property
    def documents(self) -> pd.DataFrame:
        return documents_of(self.tables, self.default_srclang)

    @cached_property
    def rows(self) -> pd.DataFrame:
        return flat_rows(self.tables, levels=self.levels, with_tokens=self.with_tokens)


class Writer:
    """One output format. ``write`` returns a few counts for the command to print."""

    name: ClassVar[str]
    suffix: ClassVar[str]
    help: ClassVar[str]

    def write(self, model: PairModel, out: Path, params: dict, **options) -> dict:
        raise NotImplementedError


WRITERS: dict[str, type[Writer]] = {}


def register(cls: type[Writer]) -> type[Writer]:
    WRITERS[cls.name] = cls
    return cls


def writer(name: str) -> Writer:
    return WRITERS[name]()


@register
class ParquetWriter(Writer):
    name, suffix = "parquet", ""
    help = "the five tables as parquet files in a folder (documents, segments, sentences, alignments, ...)"

    def write(self, model: PairModel, out: Path, params: dict, **options) -> dict:
        for table in TABLES:
            io.write_table(table, model.tables[table], Path(out) / f"{table}.parquet")
        return {"written": sum(len(model.tables[t]) for t in TABLES)}


JSONL_FIELDS = (
    "row",
    "level",
    "pair_id",
    "unit_pair_id",
    "doc_id",
    "symbol",
    "srclang",
    "item",
    "kind",
    "link",
    "score",
    "semantic",
    "numbers_agree",
    "symbols_agree",
    "anchored",
    "flags",
    "zh_ids",
    "en_ids",
    "zh_text",
    "en_text",
    "zh_tokens",
)  # the keys of each JSON Lines record
_ROUNDED = ("semantic", "numbers_agree", "symbols_agree")


def _none(v):
    return None if v is None or (isinstance(v, float) and v != v) else v


@register
class JsonlWriter(Writer):
    name, suffix = "jsonl", ".jsonl"
    help = "every pair at both levels with all metadata, one JSON object a line (row: its 0-based line)"

    def write(self, model: PairModel, out: Path, params: dict, **options) -> dict:
        docs = model.documents
        symbol, srclang = dict(zip(docs.doc_id, docs.symbol)), dict(zip(docs.doc_id, docs.srclang))
        rows = model.rows
        with io.atomic_path(Path(out)) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            for row, r in enumerate(rows.itertuples(index=False)):
                obj = {
                    "row": row,
                    "level": r.level,
                    "pair_id": r.pair_id,
                    "unit_pair_id": r.unit_pair_id,
                    "doc_id": r.doc_id,
                    "symbol": symbol.get(r.doc_id),
                    "srclang": srclang.get(r.doc_id),
                    "item": _none(getattr(r, "item", None)),
                    "kind": r.kind,
                    "link": r.link,
                    "score": round(float(r.score), 4),
                    **{
                        c: None if _none(getattr(r, c, None)) is None else round(float(getattr(r, c)), 4)
                        for c in _ROUNDED
                    },
                    "anchored": None if _none(getattr(r, "anchored", None)) is None else bool(r.anchored),
                    "flags": None if getattr(r, "flags", None) is None else list(r.flags),
                    "zh_ids": list(r.zh_ids),
                    "en_ids": list(r.en_ids),
                    "zh_text": r.zh_text,
                    "en_text": r.en_text,
                    "zh_tokens": list(r.zh_tokens),
                }
                fh.write(json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n")
        return {"written": len(rows)}


@register
class TmxWriter(Writer):
    name, suffix = "tmx", ".tmx"
    help = "TMX 1.4b translation memory (option level: sentence or unit; default tmx.level)"

    def write(self, model: PairModel, out: Path, params: dict, level: str | None = None, **options) -> dict:
        p = tmx_params(params)
        level = level or p["level"]
        rows = model.rows[model.rows.level == level]
        return write_tmx(out, rows, model.documents, level, p["lang_codes"])


@register
class IndexWriter(Writer):
    name, suffix = "index", ""
    help = "the search index folder (SQLite FTS5 + vectors; option work: the stage folders with embeddings)"

    def write(
        self, model: PairModel, out: Path, params: dict, work: Path = Path("work"), progress=None, **options
    ) -> dict:
        vectors = load_vectors(Path(work), list(model.documents.doc_id))
        with index_lock(Path(out), progress or (lambda msg: None)):
            return build_index(model.rows, model.documents, vectors, Path(out), params, str(work), progress)
