"""Build the search index folder and the JSON Lines export (``bitext index``).

Vectors are not re-encoded: each side of a pair is composed from the stage vectors in
``work/<DOC>/embeddings.parquet`` (one per distinct segment and sentence text, keyed by
sha1): a side made of one sentence or segment takes its vector; a side made of several
takes their length-weighted sum, renormalised. Only texts without a stored vector (none,
normally) are encoded, with the configured model and prompt.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import io
from ..embed.cache import text_key
from ..embed.model import EmbeddingSettings
from ..errors import PipelineError
from . import ivf
from .corpus import LEVELS, documents_of, flat_rows, read_tables
from .schema import DDL, FILES, SCHEMA_VERSION
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


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    cats = sorted({v for v in values if isinstance(v, str)})
    lookup = {v: i for i, v in enumerate(cats)}
    return np.array([lookup.get(v, -1) if isinstance(v, str) else -1 for v in values], dtype=np.int32), cats


def _json_list(v) -> str:
    return json.dumps(list(v), ensure_ascii=False)


def _none(v):
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else v


def _umask_mode() -> int:
    """rw for whom the umask allows (temporary files are created 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


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
    """Write the index folder (atomically replacing an old one).

    ``rows`` must be ordered by level then document (as :func:`flat_rows` returns them);
    ``documents`` has doc_id, symbol, srclang. Returns the index's meta.
    """
    say = progress or (lambda msg: None)
    p = index_params(params)
    missing = {c: None for c in ("item",) if c not in rows.columns}
    if missing:
        rows = rows.assign(**missing)
    out_dir = Path(out_dir)
    n = len(rows)
    dim = int(zh.shape[1]) if zh.ndim == 2 else 0
    dtype = np.dtype(p["vector_dtype"])
    if dtype not in (np.float16, np.float32):
        raise PipelineError(f"index.vector_dtype must be float16 or float32, got {p['vector_dtype']}")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        levels = rows.level.to_numpy() if n else np.array([], dtype=object)
        doc_list = list(documents.doc_id)
        doc_code = {d: i for i, d in enumerate(doc_list)}
        docs = rows.doc_id.map(doc_code).to_numpy(dtype=np.int32) if n else np.zeros(0, np.int32)
        level_code = np.array([LEVELS.index(v) for v in levels], dtype=np.int8)
        if n and np.any(np.diff(level_code.astype(np.int64) * (len(doc_list) + 1) + docs) < 0):
            raise ValueError("rows must be ordered by level, then document")
        ranges = []
        level_ranges = {}
        for li, level in enumerate(LEVELS):
            idx = np.flatnonzero(level_code == li)
            level_ranges[level] = [int(idx[0]), int(idx[-1]) + 1] if len(idx) else [0, 0]
            for di, doc in enumerate(doc_list):
                d_idx = idx[docs[idx] == di]
                if len(d_idx):
                    ranges.append((level, doc, int(d_idx[0]), int(d_idx[-1])))
        kind_codes, kinds = _codes(rows.kind if n else pd.Series([], dtype=object))
        item_codes, items = _codes(rows["item"] if n else pd.Series([], dtype=object))
        meta = {
            **(meta or {}),
            "schema_version": SCHEMA_VERSION,
            "pairs": n,
            "dim": dim,
            "vector_dtype": dtype.name,
            "levels": level_ranges,
            "kinds": kinds,
            "items": items,
            "documents": len(doc_list),
            "exact_max_pairs": int(p["exact_max_pairs"]),
            "ivf_candidates": int(p["ivf_candidates"]),
            "ivf_levels": [],
        }

        # Vectors, row-aligned with the pairs, and the per-row arrays used by filters.
        np.save(tmp / FILES["zh"], zh.astype(dtype, copy=False))
        np.save(tmp / FILES["en"], en.astype(dtype, copy=False))
        has_zh = np.array([bool(t and t.strip()) for t in rows.zh_text], dtype=bool) if n else np.zeros(0, bool)
        has_en = np.array([bool(t and t.strip()) for t in rows.en_text], dtype=bool) if n else np.zeros(0, bool)
        np.savez(
            tmp / FILES["rows"],
            level=level_code,
            doc=docs,
            kind=kind_codes.astype(np.int16),
            item=item_codes,
            score=rows.score.to_numpy(dtype=np.float32) if n else np.zeros(0, np.float32),
            has_zh=has_zh,
            has_en=has_en,
        )

        # IVF lists for levels too large to scan exactly.
        ivf_arrays = {}
        for level, (lo, hi) in level_ranges.items():
            if hi - lo > meta["exact_max_pairs"]:
                t0 = time.perf_counter()
                pair = zh[lo:hi].astype(np.float32) + en[lo:hi].astype(np.float32)
                built = ivf.build(pair)
                del pair
                for key, arr in built.items():
                    ivf_arrays[f"{level}_{key}"] = arr
                meta["ivf_levels"].append(level)
                say(
                    f"ivf {level}: {len(built['centroids'])} lists over {hi - lo} pairs "
                    f"({time.perf_counter() - t0:.1f} s)"
                )
        np.savez(tmp / FILES["ivf"], **ivf_arrays)

        # SQLite: pairs, documents, row ranges, meta, and the FTS5 table.
        t0 = time.perf_counter()
        db = sqlite3.connect(tmp / FILES["db"])
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;")
        db.executescript(DDL)
        db.executemany(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?)",
            [(r.doc_id, r.symbol, _none(r.original_lang), r.srclang, i) for i, r in enumerate(documents.itertuples())],
        )
        db.executemany("INSERT INTO ranges VALUES (?, ?, ?, ?)", ranges)
        chunk = 20000
        cols = [
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
        for start in range(0, n, chunk):
            recs = list(rows.iloc[start : start + chunk][cols].itertuples(index=False))
            db.executemany(
                "INSERT INTO pairs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        start + i,
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
                    )
                    for i, r in enumerate(recs)
                ],
            )
            db.executemany(
                "INSERT INTO pairs_fts(rowid, zh_words, en_words, zh_chars) VALUES (?, ?, ?, ?)",
                [(start + i, " ".join(r.zh_tokens), r.en_text, char_bigrams(r.zh_text)) for i, r in enumerate(recs)],
            )
            if start and start % (chunk * 10) == 0:
                say(f"sqlite: {start} of {n} pairs ({time.perf_counter() - t0:.0f} s)")
        say("sqlite: merging the full-text index")
        db.execute("INSERT INTO pairs_fts(pairs_fts) VALUES ('optimize')")
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [(k, json.dumps(v, ensure_ascii=False, sort_keys=True)) for k, v in sorted(meta.items())],
        )
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
        tmp.chmod(mode | 0o111)
        os.replace(tmp, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return meta


def build_index(
    rows: pd.DataFrame,
    documents: pd.DataFrame,
    by_key: dict[str, np.ndarray],
    out_dir: Path,
    params: dict,
    built_from: str,
    progress=None,
) -> dict:
    """The index of pairs (``flat_rows``) with their vectors composed from stored ones."""
    emb = params.get("embedding") or {}

    def encode_missing(texts: list[str]) -> np.ndarray:
        from ..embed.model import encode, load_model  # only when a text has no stored vector

        model = load_model(emb["model"], emb["embedded_dir"])
        return encode(model, texts, emb.get("prompt", ""), emb.get("batch_size", 32), progress=False)

    dim = len(next(iter(by_key.values()))) if by_key else None
    if dim is None and len(rows):
        raise PipelineError(f"{built_from}: no stored vectors for the aligned documents; run `bitext embed` first")
    p = index_params(params)
    passage = p["passage_prompt"]
    if passage is not None and passage != emb.get("prompt", "") and len(rows) and emb.get("model"):
        by_key = passage_vectors(rows, emb, passage, progress)
    else:
        passage = emb.get("prompt", "")
    zh, en = compose_vectors(rows, by_key, dim, encode_missing if emb.get("model") else None)
    meta = {
        "embedding_model": emb.get("model"),
        "embedding_prompt": passage,
        "query_prompt": p["query_prompt"] if p["passage_prompt"] is not None else passage,
        "built_from": built_from,
    }
    return write_index(out_dir, rows, documents, zh, en, params, meta, progress)


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


def build_from_tables(aligned: Path, work_root: Path, out_dir: Path, params: dict, progress=None) -> dict:
    """The index of the tables in ``aligned`` (vectors from ``work_root``)."""
    tables = read_tables(aligned, producer="process")
    documents = documents_of(tables, (params.get("tmx") or {}).get("default_srclang", "en"))
    by_key = load_vectors(work_root, list(documents.doc_id))
    return build_index(flat_rows(tables), documents, by_key, out_dir, params, str(aligned), progress)
