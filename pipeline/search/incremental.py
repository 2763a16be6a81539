"""``bitext index`` at corpus scale: update the index for the documents that changed.

Each indexed document carries ``source``, a sha256 of its file in each corpus table. A
run compares them with the corpus on disk and then, for a changed, added or removed
document only:

1. its old pairs leave SQLite (pairs, FTS5 rows, ranges) and their row numbers go to
   ``tombstones``;
2. its new rows are appended: vectors at the end of the ``.npy`` files, filter
   arrays to ``rows.npz``, new rows assigned to the nearest IVF centroid;
3. one SQLite transaction commits it all, then the vector files' headers count the
   new rows (see :mod:`.vectorfile` for why that order survives an interruption).

A full build (:func:`.build.write_index`) runs instead when there is no index yet,
when the tables are not per-document folders, when what the index is built with
changed (``build_key``: schema, code, the ``index`` and ``embedding`` settings), when
deleted rows would exceed ``index.compact_dead_share`` of all rows, or when a level
outgrew its IVF lists (``index.ivf_retrain_growth``) or needs its first ones.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .. import io
from ..corpus import store
from ..corpus.fingerprint import code_hash
from ..errors import PipelineError
from ..langs import language_settings
from . import ivf, vectorfile
from .build import (
    build_from_tables,
    doc_ranges,
    document_records,
    fts_values,
    index_lock,
    index_params,
    index_vectors,
    link_settings,
    insert_pairs,
    level_counts,
    load_arrays,
    load_vectors,
    row_arrays,
    save_arrays,
    with_item,
    with_word_links,
)
from .corpus import LEVELS, TABLE_NAMES, documents_of, flat_rows
from .schema import FILES, SCHEMA_VERSION, read_meta, write_meta

SQL_CHUNK = 500  # ids per `IN (...)`: far below SQLite's variable limit

# What the index's content depends on besides the documents (a change rebuilds it).
CODE = (
    "search/build.py",
    "search/corpus.py",
    "search/terms.py",
    "search/ivf.py",
    "search/vectorfile.py",
    "search/word_links.py",
)


def build_key(params: dict) -> str:
    """Hash of the schema, the indexing code and the settings the index is built with."""
    emb = params.get("embedding") or {}
    parts = {
        "schema": SCHEMA_VERSION,
        "code": code_hash(CODE),
        "index": index_params(params),
        # the model by name: one replaced in place under the same name needs --rebuild
        "embedding": {k: emb.get(k) for k in ("model", "prompt", "backend")},
        "srclang": language_settings(params)["default_source"],
        "word_links": link_settings(params),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def document_files(aligned: Path) -> dict[str, list[Path]] | None:
    """doc_id -> its file in each corpus table, in corpus order; None when the tables are
    single files (a one-document stage folder), which only a full build reads."""
    files: dict[str, list[Path]] = {}
    for name in TABLE_NAMES:
        folder = store.table_dir(aligned, name)
        if not folder.is_dir():
            return None
        for path in sorted(folder.glob("*/[!._]*.parquet")):  # not a write in progress (io.read_table alike)
            files.setdefault(path.stem, []).append(path)
    order = [p.stem for p in sorted(store.table_dir(aligned, "documents").glob("*/[!._]*.parquet"))]
    return {d: files[d] for d in order}


def document_sources(files: dict[str, list[Path]]) -> dict[str, str]:
    """doc_id -> sha256 of its table files (names and bytes).

    The vectors need no hash of their own: they are a function of the texts in these
    files and of the model and prompts, which ``build_key`` covers.
    """
    out = {}
    for doc, paths in files.items():  # threads were slower here (measured on 2 cores)
        digest = hashlib.sha256()
        for path in paths:
            digest.update(f"{path.parent.parent.name}/{path.parent.name}/{path.name}".encode() + b"\0")
            digest.update(path.read_bytes())
        out[doc] = digest.hexdigest()
    return out


def _read_docs(files: dict[str, list[Path]], docs: list[str]) -> dict[str, pd.DataFrame]:
    """The five tables restricted to ``docs`` (only their files are read)."""
    tables = {}
    for name in TABLE_NAMES:
        parts = [io.read_table(name, p) for d in docs for p in files[d] if p.parent.parent.name == f"{name}.parquet"]
        tables[name] = pd.concat(parts, ignore_index=True) if parts else io.schema_of(name).empty_table().to_pandas()
    return tables


def _indexed(out_dir: Path) -> tuple[dict, dict[str, str | None]] | str:
    """(meta, doc_id -> source) of an existing index, or why there is none to update."""
    db_path = Path(out_dir) / FILES["db"]
    if not db_path.is_file():
        return "no index yet"
    try:
        db = sqlite3.connect(db_path)
        try:
            meta = read_meta(db)
            if meta.get("schema_version") != SCHEMA_VERSION:
                return (
                    f"the index has schema version {meta.get('schema_version')}, this program writes {SCHEMA_VERSION}"
                )
            return meta, dict(db.execute("SELECT doc_id, source FROM documents"))
        finally:
            db.close()
    except sqlite3.DatabaseError as err:
        return f"the index is unreadable ({err})"


def _repair(out_dir: Path, meta: dict) -> str | None:
    """Finish an update interrupted between its SQLite commit and the vector files' header
    rewrite (headers count ``meta.rows`` again, rows an interrupted append left are
    dropped); returns why a full build is needed instead when a file holds fewer rows than
    committed (a write lost in a crash)."""
    rows = meta["rows"]
    with np.load(Path(out_dir) / FILES["rows"]) as z:
        if len(z["level"]) < rows:
            return f"{FILES['rows']} holds {len(z['level'])} of the {rows} committed rows"
    for lang in ("zh", "en"):
        path = Path(out_dir) / FILES[lang]
        held = vectorfile.stored_rows(path)
        if held < rows:
            return f"{FILES[lang]} holds {held} of the {rows} committed rows"
        if vectorfile.header_rows(path) != rows or held != rows:
            vectorfile.truncate(path, rows)
    return None


def index_corpus(
    aligned: Path, work_root: Path, out_dir: Path, params: dict, progress=None, rebuild: bool = False
) -> dict:
    """Bring the index of ``aligned`` up to date; returns its meta, with ``update`` saying
    what was done: {"mode": "none"|"incremental"|"full", "documents": n}, plus "docs" (the
    documents re-indexed or removed) for an incremental update and "reason" for a full one."""
    say = progress or (lambda msg: None)
    with index_lock(out_dir, say):
        return _index_corpus(Path(aligned), Path(work_root), Path(out_dir), params, say, progress, rebuild)


def _index_corpus(aligned: Path, work_root: Path, out_dir: Path, params: dict, say, progress, rebuild: bool) -> dict:
    key = build_key(params)
    files = document_files(aligned)
    sources = document_sources(files) if files is not None else None
    current = _indexed(out_dir)
    if isinstance(current, tuple):
        try:
            damaged = _repair(out_dir, current[0])
        except (OSError, ValueError) as err:
            damaged = f"its files are unreadable ({err})"
        if damaged:
            current = f"the index is damaged: {damaged}"
    reason = (
        "asked for (--rebuild)"
        if rebuild
        else "the tables are not per-document folders"
        if files is None
        else current
        if isinstance(current, str)
        else "the index was built with other code or settings"
        if current[0].get("build_key") != key
        else "the index is empty"
        if not current[0].get("rows")
        else None
    )
    if reason is None:
        meta, indexed = current
        changed = [d for d in sources if indexed.get(d) != sources[d]]
        removed = sorted(d for d in indexed if d not in sources)
        if not changed and not removed:
            say("up to date: no document changed")
            return {**meta, "update": {"mode": "none", "documents": 0}}
        t0 = time.perf_counter()
        tables = _read_docs(files, changed)
        rows = flat_rows(tables)
        reason = _needs_full_build(meta, out_dir, rows, changed + removed, params)
        if reason is None:
            documents = documents_of(tables, language_settings(params)["default_source"])
            documents["source"] = documents.doc_id.map(sources)
            zh, en = index_vectors(rows, load_vectors(work_root, changed), params, progress)
            rows = with_word_links(rows, params, progress)
            meta = apply_update(out_dir, rows, documents, zh, en, changed + removed, list(sources), str(aligned))
            say(
                f"updated {len(changed)} changed or new and {len(removed)} removed document(s): "
                f"{len(rows)} pairs appended ({time.perf_counter() - t0:.2f} s)"
            )
            docs = sorted(changed + removed)
            return {**meta, "update": {"mode": "incremental", "documents": len(docs), "docs": docs}}
    say(f"full build: {reason}")
    meta = build_from_tables(aligned, work_root, out_dir, params, progress, sources, {"build_key": key})
    return {**meta, "update": {"mode": "full", "documents": meta["documents"], "reason": reason}}


def _chunks(items: list):
    for start in range(0, len(items), SQL_CHUNK):
        yield items[start : start + SQL_CHUNK]


def _rows_of(db: sqlite3.Connection, docs: list[str]) -> list[tuple[str, int, int]]:
    out = []
    for part in _chunks(docs):
        marks = ",".join("?" * len(part))
        out += db.execute(f"SELECT level, first_row, last_row FROM ranges WHERE doc_id IN ({marks})", part)
    return out


def _needs_full_build(meta: dict, out_dir: Path, rows: pd.DataFrame, dropped: list[str], params: dict) -> str | None:
    """Why appending ``rows`` (and dropping ``dropped``) should be a full build instead."""
    p = index_params(params)
    db = sqlite3.connect(Path(out_dir) / FILES["db"])
    try:
        gone = _rows_of(db, dropped) if dropped else []
    finally:
        db.close()
    dead = meta["dead"] + sum(last - first + 1 for _, first, last in gone)
    total = meta["rows"] + len(rows)
    if total and dead / total > p["compact_dead_share"]:
        return f"deleted rows would be {dead / total:.0%} of the index (index.compact_dead_share {p['compact_dead_share']})"
    with np.load(Path(out_dir) / FILES["rows"]) as z:
        since_build = z["level"][meta["built_rows"] : meta["rows"]]  # rows appended since the lists were trained
    for li, level in enumerate(LEVELS):
        added = int((rows.level == level).sum()) if len(rows) else 0
        removed = sum(last - first + 1 for lv, first, last in gone if lv == level)
        live = meta["level_pairs"].get(level, 0) + added - removed
        trained = meta.get("ivf_trained_rows", {}).get(level)
        if trained is None and live > meta["exact_max_pairs"]:
            return f"{level} pairs ({live}) exceed index.exact_max_pairs: IVF lists to train"
        appended = int((since_build == li).sum()) + added
        if trained and added and appended > p["ivf_retrain_growth"] * trained:
            return f"{level} IVF lists trained on {trained} pairs: retrained (index.ivf_retrain_growth)"
    return None


def apply_update(
    out_dir: Path,
    rows: pd.DataFrame,
    documents: pd.DataFrame,
    zh: np.ndarray,
    en: np.ndarray,
    dropped: list[str],
    corpus_order: list[str],
    built_from: str,
) -> dict:
    """Delete the pairs of ``dropped`` documents and append ``rows`` (their new pairs, ordered
    by level then document, vectors ``zh``/``en``); returns the new meta."""
    out_dir = Path(out_dir)
    db = sqlite3.connect(out_dir / FILES["db"], isolation_level=None)
    try:
        meta = read_meta(db)
        first = meta["rows"]
        dtype = np.dtype(meta["vector_dtype"])
        if len(rows) and zh.shape[1] != meta["dim"]:
            raise PipelineError(f"{out_dir}: vectors of {zh.shape[1]} dimensions, the index has {meta['dim']}")
        # Files first (past the committed rows: uncounted until the commit).
        arrays = {k: v[:first] for k, v in load_arrays(out_dir / FILES["rows"]).items()}
        new = row_arrays(with_item(rows), meta)
        if meta.get("ivf_levels"):
            with np.load(out_dir / FILES["ivf"]) as z:
                for level in meta["ivf_levels"]:
                    idx = np.flatnonzero(new["level"] == LEVELS.index(level))
                    if len(idx):
                        new["ivf_list"][idx] = ivf.assign(ivf.pair_vectors(zh, en, idx), z[f"{level}_centroids"])
        for lang, vectors in (("zh", zh), ("en", en)):
            vectorfile.truncate(out_dir / FILES[lang], first)
            if len(rows):
                vectorfile.append(out_dir / FILES[lang], vectors.astype(dtype, copy=False))
        arrays = {k: np.concatenate([arrays[k], new[k]]) for k in arrays}
        save_arrays(out_dir / FILES["rows"], arrays)

        # One transaction: the old pairs out, the new ones in, the meta.
        db.execute("BEGIN")
        for _, lo, hi in _rows_of(db, dropped) if dropped else []:
            db.execute("INSERT INTO tombstones SELECT row FROM pairs WHERE row BETWEEN ? AND ?", (lo, hi))
            old = db.execute("SELECT row, zh_words, en_text, zh_text FROM pairs WHERE row BETWEEN ? AND ?", (lo, hi))
            db.executemany(  # contentless FTS5: a row is deleted with the values it was inserted with
                "INSERT INTO pairs_fts(pairs_fts, rowid, zh_words, en_words, zh_chars) VALUES ('delete', ?, ?, ?, ?)",
                [(row, *fts_values(words, en, zh)) for row, words, en, zh in old.fetchall()],
            )
            db.execute("DELETE FROM pairs WHERE row BETWEEN ? AND ?", (lo, hi))
            db.execute("DELETE FROM word_links WHERE row BETWEEN ? AND ?", (lo, hi))
        for part in _chunks(dropped):
            marks = ",".join("?" * len(part))
            db.execute(f"DELETE FROM ranges WHERE doc_id IN ({marks})", part)
            db.execute(f"DELETE FROM documents WHERE doc_id IN ({marks})", part)
        position = {d: i for i, d in enumerate(corpus_order)}
        db.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)", document_records(documents, position))
        db.executemany("UPDATE documents SET position = ? WHERE doc_id = ?", [(i, d) for d, i in position.items()])
        db.executemany("INSERT INTO ranges VALUES (?, ?, ?, ?)", doc_ranges(rows, first))
        insert_pairs(db, with_item(rows), first)
        live = np.ones(len(arrays["level"]), dtype=bool)
        live[[r for (r,) in db.execute("SELECT row FROM tombstones")]] = False
        meta.update(
            rows=len(live),
            pairs=int(live.sum()),
            dead=int((~live).sum()),
            level_pairs=level_counts(arrays, live),
            documents=db.execute("SELECT count(*) FROM documents").fetchone()[0],
            built_from=built_from,
        )
        write_meta(db, meta)
        db.execute("COMMIT")
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")
        db.close()
    for lang in ("zh", "en"):
        vectorfile.set_rows(out_dir / FILES[lang], meta["rows"])
    return meta
