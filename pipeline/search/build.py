"""Build the search index folder and the JSON Lines export (``bitext index``).

Vectors are not re-encoded: each side of a pair is composed from the stage vectors in
``work/<DOC>/embeddings.parquet`` (one per distinct segment and sentence text, keyed by
sha1): a side made of one sentence or segment takes its vector; a side made of several
takes their length-weighted sum, renormalised. Only texts without a stored vector (none,
normally) are encoded, with the configured model and prompt.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sqlite3
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .. import io
from ..embed.cache import model_fingerprint, text_key
from ..embed.model import EmbeddingSettings, resolve_model
from ..errors import PipelineError
from ..langs import language_settings
from . import ivf, vectorfile
from .corpus import LEVELS, documents_of, flat_rows, read_tables
from .schema import DDL, FILES, SCHEMA_VERSION, write_meta
from .terms import char_bigrams


@dataclass(frozen=True)
class IndexSettings:
    """params.yaml ``index``."""

    vector_dtype: str = "float16"  # or float32
    exact_max_pairs: int = 50000  # semantic search compares with every pair up to this many per level
    ivf_candidates: int = 20000  # larger levels: pairs scored exactly per query (k-means lists)
    # e5 retrieval prompts: indexed texts are encoded as passages, questions as queries.
    # None: reuse the embed stage's vectors (made with embedding.prompt) for both.
    passage_prompt: str | None = "passage: "
    query_prompt: str = "query: "
    # Updates (one document changed) append rows; a full build runs instead when deleted
    # rows would exceed this share of all rows (their vectors still take space and scan time)
    compact_dead_share: float = 0.3
    # ... or when rows appended since the IVF lists were trained exceed this share of the
    # pairs they were trained on (new rows join the nearest list; the lists drift)
    ivf_retrain_growth: float = 0.5
    # Store the word links of every sentence pair (pipeline/search/word_links.py): the
    # workbench then spots a term's translation without running the encoder. They cost
    # an encoder pass (spotting.layer layers) over the pair texts when the index is built.
    word_links: bool = True


DEFAULTS = asdict(IndexSettings())
EMBEDDING_DEFAULTS = asdict(EmbeddingSettings())


def index_params(params: dict) -> dict:
    return {**DEFAULTS, **(params.get("index") or {})}


def load_vectors(work_root: Path, doc_ids: list[str]) -> dict[str, np.ndarray]:
    """sha1 of text -> vector, from every document's embeddings.parquet."""
    by_key: dict[str, np.ndarray] = {}
    for doc in doc_ids:
        emb = io.read_table("embeddings", Path(work_root) / doc / "embeddings.parquet")
        if len(emb):
            mat = np.stack([np.asarray(v, dtype=np.float32) for v in emb.vector])
            by_key.update(zip(emb.text_sha1, mat))
    return by_key


def compose_vectors(
    rows: pd.DataFrame, by_key: dict[str, np.ndarray], dim: int | None, encode_missing=None
) -> tuple[np.ndarray, np.ndarray]:
    """zh and en vectors (n, dim) float32, zero rows for empty sides.

    ``encode_missing(texts) -> array`` is called once with the side texts that have a
    member without a stored vector; without it such sides stay zero.
    """
    if dim is None:
        dim = len(next(iter(by_key.values()))) if by_key else 0
    out = {lang: np.zeros((len(rows), dim), dtype=np.float32) for lang in ("zh", "en")}
    missing: list[tuple[str, int, str]] = []
    for lang in ("zh", "en"):
        mat = out[lang]
        for i, (members, text) in enumerate(zip(rows[f"{lang}_members"], rows[f"{lang}_text"])):
            members = [m for m in members if m and m.strip()]
            if not members:
                continue
            vecs = [by_key.get(text_key(m)) for m in members]
            if any(v is None for v in vecs):
                missing.append((lang, i, text))
                continue
            if len(vecs) == 1:
                mat[i] = vecs[0]
            else:
                v = np.sum([len(m) * vec for m, vec in zip(members, vecs)], axis=0)
                mat[i] = v / max(float(np.linalg.norm(v)), 1e-12)
    if missing and encode_missing is not None:
        encoded = encode_missing([t for _, _, t in missing])
        for (lang, i, _), vec in zip(missing, encoded):
            out[lang][i] = vec
    return out["zh"], out["en"]


def _json_list(v) -> str:
    return json.dumps(list(v), ensure_ascii=False)


def _none(v):
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else v


def _umask_mode() -> int:
    """rw for whom the umask allows (temporary files are created 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def with_item(rows: pd.DataFrame) -> pd.DataFrame:
    return rows if "item" in rows.columns else rows.assign(item=None)


def _codes(values, known: list[str]) -> tuple[np.ndarray, list[str]]:
    """Codes of ``values`` in ``known``, which is extended (never reordered) by new values."""
    known = list(known)
    new = sorted({v for v in values if isinstance(v, str)} - set(known))
    known += new
    lookup = {v: i for i, v in enumerate(known)}
    return np.array([lookup[v] if isinstance(v, str) else -1 for v in values], dtype=np.int32), known


def doc_ranges(rows: pd.DataFrame, first_row: int) -> list[tuple[str, str, int, int]]:
    """(level, doc_id, first_row, last_row) of each (level, document) block of ``rows``,
    which must be contiguous (rows ordered by level, then document)."""
    ranges = []
    if not len(rows):
        return ranges
    key = rows.level.astype(str) + "\0" + rows.doc_id.astype(str)
    starts = np.flatnonzero(np.r_[True, key.to_numpy()[1:] != key.to_numpy()[:-1]])
    ends = np.r_[starts[1:], len(rows)] - 1
    seen = set()
    for s, e in zip(starts, ends):
        block = (rows.level.iat[s], rows.doc_id.iat[s])
        if block in seen:
            raise ValueError(f"rows must be ordered by level, then document ({block} is split)")
        seen.add(block)
        ranges.append((block[0], block[1], first_row + int(s), first_row + int(e)))
    return ranges


def row_arrays(rows: pd.DataFrame, meta: dict) -> dict[str, np.ndarray]:
    """The per-row filter arrays of ``rows`` (rows.npz); extends meta's kinds and items."""
    n = len(rows)
    kind_codes, meta["kinds"] = _codes(list(rows.kind) if n else [], meta.get("kinds", []))
    item_codes, meta["items"] = _codes(list(rows["item"]) if n else [], meta.get("items", []))
    return {
        "level": np.array([LEVELS.index(v) for v in rows.level], dtype=np.int8),
        "kind": kind_codes.astype(np.int16),
        "item": item_codes,
        "score": rows.score.to_numpy(dtype=np.float32) if n else np.zeros(0, np.float32),
        "has_zh": np.array([bool(t and t.strip()) for t in rows.zh_text], dtype=bool),
        "has_en": np.array([bool(t and t.strip()) for t in rows.en_text], dtype=bool),
        "ivf_list": np.full(n, -1, dtype=np.int32),
    }


def save_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """rows.npz, replaced atomically (readers never see half a file)."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        np.savez(fh, **arrays)
        fh.flush()
        os.fsync(fh.fileno())  # on disk before the SQLite commit that counts its rows
    tmp.chmod(_umask_mode())
    os.replace(tmp, path)
    _fsync(path.parent)  # the rename itself on disk before the commit that counts its rows


def _fsync(path: Path) -> None:
    """Flush a file, or a directory's entries (a rename), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def index_lock(out_dir: Path, say=lambda msg: None):
    """One writer per index folder at a time (``bitext index``, ``bitext write index``); a
    second one waits. The lock is on the folder's parent directory (the folder itself is
    replaced by a full build), so no lock file appears in ``aligned/``."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir.parent, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"{out_dir}: waiting for another writer of the index to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def load_arrays(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def fts_values(zh_words: str, en_text: str, zh_text: str) -> tuple[str, str, str]:
    """The FTS5 columns of a pair (the same values delete it again: the table is contentless)."""
    return zh_words, en_text, char_bigrams(zh_text)


def insert_pairs(db: sqlite3.Connection, rows: pd.DataFrame, first_row: int, say=lambda msg: None) -> None:
    """The pairs and their full-text rows; row numbers from ``first_row``."""
    chunk, n, t0 = 20000, len(rows), time.perf_counter()
    for start in range(0, n, chunk):
        recs = list(rows.iloc[start : start + chunk][PAIR_COLUMNS].itertuples(index=False))
        words = [" ".join(r.zh_tokens) for r in recs]
        row0 = first_row + start
        db.executemany(
            f"INSERT INTO pairs VALUES ({', '.join('?' * 14)})",
            [
                (
                    row0 + i,
                    r.level,
                    r.pair_id,
                    r.unit_pair_id,
                    r.doc_id,
                    _none(r.item),
                    r.kind,
                    r.link,
                    float(r.score),
                    _json_list(r.zh_ids),
                    _json_list(r.en_ids),
                    r.zh_text,
                    r.en_text,
                    w,
                )
                for i, (r, w) in enumerate(zip(recs, words))
            ],
        )
        db.executemany(
            "INSERT INTO pairs_fts(rowid, zh_words, en_words, zh_chars) VALUES (?, ?, ?, ?)",
            [(row0 + i, *fts_values(w, r.en_text, r.zh_text)) for i, (r, w) in enumerate(zip(recs, words))],
        )
        if "word_links" in rows:
            links = rows["word_links"].iloc[start : start + chunk]
            db.executemany(
                "INSERT INTO word_links VALUES (?, ?)", [(row0 + i, b) for i, b in enumerate(links) if b is not None]
            )
        if start and start % (chunk * 10) == 0:
            say(f"sqlite: {start} of {n} pairs ({time.perf_counter() - t0:.0f} s)")


PAIR_COLUMNS = [
    "level",
    "pair_id",
    "unit_pair_id",
    "doc_id",
    "item",
    "kind",
    "link",
    "score",
    "zh_ids",
    "en_ids",
    "zh_text",
    "en_text",
    "zh_tokens",
]


def train_ivf(meta: dict, arrays: dict, zh: np.ndarray, en: np.ndarray, say=lambda msg: None) -> dict:
    """k-means lists of every level larger than ``exact_max_pairs``; sets arrays['ivf_list']
    and meta's ivf_levels / ivf_trained_rows; returns the centroids for ivf.npz."""
    centroids, meta["ivf_levels"], meta["ivf_trained_rows"] = {}, [], {}
    for li, level in enumerate(LEVELS):
        rows = np.flatnonzero(arrays["level"] == li)
        if len(rows) <= meta["exact_max_pairs"]:
            continue
        t0 = time.perf_counter()
        pair = ivf.pair_vectors(zh, en, rows)
        built = ivf.build(pair)
        arrays["ivf_list"][rows] = built["labels"]
        centroids[f"{level}_centroids"] = built["centroids"]
        meta["ivf_levels"].append(level)
        meta["ivf_trained_rows"][level] = int(len(rows))
        say(f"ivf {level}: {len(built['centroids'])} lists over {len(rows)} pairs ({time.perf_counter() - t0:.1f} s)")
    return centroids


def document_records(documents: pd.DataFrame, position: dict[str, int]) -> list[tuple]:
    source = documents["source"] if "source" in documents.columns else [None] * len(documents)
    return [
        (r.doc_id, r.symbol, _none(r.original_lang), r.srclang, position[r.doc_id], _none(s))
        for r, s in zip(documents.itertuples(), source)
    ]


def level_counts(arrays: dict, live: np.ndarray | None = None) -> dict[str, int]:
    levels = arrays["level"] if live is None else arrays["level"][live]
    return {level: int(np.sum(levels == li)) for li, level in enumerate(LEVELS)}


def write_index(
    out_dir: Path,
    rows: pd.DataFrame,
    documents: pd.DataFrame,
    zh: np.ndarray,
    en: np.ndarray,
    params: dict,
    meta: dict | None = None,
    progress=None,
) -> dict:
    """Write the whole index folder (atomically replacing an old one).

    ``rows`` must be ordered by level then document (as :func:`flat_rows` returns them);
    ``documents`` has doc_id, symbol, original_lang, srclang and optionally ``source``
    (what the document's rows were made from; :mod:`.incremental` compares it). Returns
    the index's meta.
    """
    say = progress or (lambda msg: None)
    p = index_params(params)
    rows = with_item(rows)
    out_dir = Path(out_dir)
    n = len(rows)
    dim = int(zh.shape[1]) if zh.ndim == 2 else 0
    dtype = np.dtype(p["vector_dtype"])
    if dtype not in (np.float16, np.float32):
        raise PipelineError(f"index.vector_dtype must be float16 or float32, got {p['vector_dtype']}")
    ranges = doc_ranges(rows, 0)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        meta = {
            **(meta or {}),
            "schema_version": SCHEMA_VERSION,
            "rows": n,
            "pairs": n,
            "dead": 0,
            "built_rows": n,
            "dim": dim,
            "vector_dtype": dtype.name,
            "documents": len(documents),
            "exact_max_pairs": int(p["exact_max_pairs"]),
            "ivf_candidates": int(p["ivf_candidates"]),
        }
        arrays = row_arrays(rows, meta)
        meta["level_pairs"] = level_counts(arrays)
        zh, en = zh.astype(dtype, copy=False), en.astype(dtype, copy=False)
        vectorfile.create(tmp / FILES["zh"], zh)
        vectorfile.create(tmp / FILES["en"], en)
        np.savez(tmp / FILES["ivf"], **train_ivf(meta, arrays, zh, en, say))
        save_arrays(tmp / FILES["rows"], arrays)

        t0 = time.perf_counter()
        db = sqlite3.connect(tmp / FILES["db"])
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;")
        db.executescript(DDL)
        position = {d: i for i, d in enumerate(documents.doc_id)}
        db.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)", document_records(documents, position))
        db.executemany("INSERT INTO ranges VALUES (?, ?, ?, ?)", ranges)
        insert_pairs(db, rows, 0, say)
        say("sqlite: merging the full-text index")
        db.execute("INSERT INTO pairs_fts(pairs_fts) VALUES ('optimize')")
        write_meta(db, meta)
        db.commit()
        db.execute("ANALYZE")
        db.close()
        say(f"sqlite: {n} pairs ({time.perf_counter() - t0:.1f} s)")
        old = None
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old.", dir=out_dir.parent))
            os.replace(out_dir, old / "index")
        mode = _umask_mode()
        for f in tmp.iterdir():
            f.chmod(mode)
            _fsync(f)  # on disk before the folder is swapped in (a crash never leaves half a build)
        tmp.chmod(mode | 0o111)
        os.replace(tmp, out_dir)
        _fsync(out_dir.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return meta


def index_vectors(rows: pd.DataFrame, by_key: dict[str, np.ndarray], params: dict, progress=None):
    """(zh, en) vectors of the pairs: composed from the stage vectors ``by_key`` or, with a
    passage prompt other than the embed stage's, from the members encoded with it."""
    emb = params.get("embedding") or {}

    def encode_missing(texts: list[str]) -> np.ndarray:
        from ..embed.model import encode, load_model  # only when a text has no stored vector

        model = load_model(emb["model"], emb["embedded_dir"])
        return encode(model, texts, emb.get("prompt", ""), emb.get("batch_size", 32), progress=False)

    dim = len(next(iter(by_key.values()))) if by_key else None
    if dim is None and len(rows):
        raise PipelineError("no stored vectors for the aligned documents; run `bitext process` first")
    passage = index_params(params)["passage_prompt"]
    if passage is not None and passage != emb.get("prompt", "") and len(rows) and emb.get("model"):
        by_key = passage_vectors(rows, emb, passage, progress)
    return compose_vectors(rows, by_key, dim, encode_missing if emb.get("model") else None)


def prompt_meta(params: dict) -> dict:
    """The meta keys saying which model and prompts the index's vectors need."""
    emb = params.get("embedding") or {}
    p = index_params(params)
    passage = p["passage_prompt"] if p["passage_prompt"] is not None else emb.get("prompt", "")
    return {
        "embedding_model": emb.get("model"),
        "embedding_prompt": passage,
        "query_prompt": p["query_prompt"] if p["passage_prompt"] is not None else passage,
    }


def build_index(
    rows: pd.DataFrame,
    documents: pd.DataFrame,
    by_key: dict[str, np.ndarray],
    out_dir: Path,
    params: dict,
    built_from: str,
    progress=None,
    meta: dict | None = None,
) -> dict:
    """The whole index of pairs (``flat_rows``) with their vectors composed from stored ones."""
    try:
        zh, en = index_vectors(rows, by_key, params, progress)
    except PipelineError as err:
        raise PipelineError(f"{built_from}: {err}") from None
    rows = with_word_links(rows, params, progress)
    meta = {**(meta or {}), **prompt_meta(params), "word_links": link_settings(params), "built_from": built_from}
    return write_index(out_dir, rows, documents, zh, en, params, meta, progress)


def link_settings(params: dict) -> dict | None:
    """How the index's word links are made (meta ``word_links``; null: none stored). The
    workbench uses stored links only when its spotter would make the same."""
    from .word_links import made_with

    if not index_params(params)["word_links"]:
        return None
    return made_with(spotting_settings(params).layer, prompt_meta(params)["query_prompt"])


def spotting_settings(params: dict):
    from .spotting import SpottingSettings

    return SpottingSettings(**(params.get("spotting") or {}))


def with_word_links(rows: pd.DataFrame, params: dict, progress=None) -> pd.DataFrame:
    """``rows`` with a ``word_links`` column: the stored links of each sentence pair with two
    sides (None for the others, and for all when ``index.word_links`` is off)."""
    from . import word_links
    from .spotting import Spotter

    emb = params.get("embedding") or {}
    made = link_settings(params)
    sentence = (rows.level == "sentence").to_numpy() if len(rows) else np.zeros(0, bool)
    if made is None or not sentence.any() or not emb.get("model"):
        return rows.assign(word_links=None)

    def spotter() -> Spotter:  # the model loads only when a pair is not in the cache
        from ..embed.model import load_model

        model = load_model(emb["model"], emb["embedded_dir"])
        settings = replace(spotting_settings(params), cache_texts=4 * word_links.CHUNK)
        return Spotter(model, made["prompt"], settings, emb.get("threads", EmbeddingSettings.threads))

    cache = None
    if emb.get("cache_dir"):
        name = resolve_model(emb["model"], emb["embedded_dir"])
        how = "\0".join(f"{k}={v}" for k, v in sorted(made.items()))
        cache = word_links.LinkCache(emb["cache_dir"], model_fingerprint(name, how))
    pairs = list(zip(rows.zh_text[sentence], rows.en_text[sentence]))
    stored = word_links.stored_links(pairs, spotter, cache, progress)
    column = np.full(len(rows), None, dtype=object)
    column[np.flatnonzero(sentence)] = stored
    return rows.assign(word_links=column)


def passage_vectors(rows: pd.DataFrame, emb: dict, prompt: str, progress=None) -> dict[str, np.ndarray]:
    """sha1 of text -> vector encoded with the passage prompt, for every member text of the
    pairs (through the embedding cache, whose key includes the prompt; the embed stage's
    vectors, which the aligner reads, are left as they are)."""
    from ..embed.model import Embedder

    texts = sorted({m for col in ("zh_members", "en_members") for ms in rows[col] for m in ms if m and m.strip()})
    if progress:
        progress(f"encoding {len(texts)} texts with the passage prompt {prompt!r} (cached by prompt)")
    vectors = Embedder({**EMBEDDING_DEFAULTS, **emb, "prompt": prompt}, progress=False)(texts)
    return {text_key(t): v for t, v in zip(texts, vectors)}


def build_from_tables(
    aligned: Path,
    work_root: Path,
    out_dir: Path,
    params: dict,
    progress=None,
    sources: dict[str, str] | None = None,
    meta: dict | None = None,
) -> dict:
    """The whole index of the tables in ``aligned`` (vectors from ``work_root``); ``bitext
    index`` updates an existing one instead (:mod:`.incremental`). ``sources``: doc_id ->
    what its rows were made from (stored for updates to compare)."""
    tables = read_tables(aligned, producer="process")
    documents = documents_of(tables, language_settings(params)["default_source"])
    documents["source"] = documents.doc_id.map(sources or {})
    by_key = load_vectors(work_root, list(documents.doc_id))
    return build_index(flat_rows(tables), documents, by_key, out_dir, params, str(aligned), progress, meta)
