"""On-disk embedding cache keyed by (model, prompt, runtime, text), so a re-run encodes nothing.

One SQLite file per model fingerprint under ``embedding.cache_dir``. The fingerprint
of a model folder hashes its small config files and the size and edges of its
weights, so a re-converted or replaced model gets a fresh cache.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Callable

import numpy as np


def text_key(text: str) -> str:
    """The key of a text in the cache and in embeddings.parquet: sha1 of its UTF-8 bytes."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def model_fingerprint(model_name: str, prompt: str, backend: str = "torch") -> str:
    """Names the cache file: vectors of different models, prompts or runtimes never mix
    (the torch key is the one it always was, so existing caches stay valid)."""
    h = hashlib.sha1(f"{prompt}\0".encode())
    if backend != "torch":
        h.update(f"backend={backend}\0".encode())
    folder = Path(model_name)
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            h.update(path.relative_to(folder).as_posix().encode())
            size = path.stat().st_size
            h.update(str(size).encode())
            with open(path, "rb") as f:  # edges only: hashing 470 MB on every run is too slow
                h.update(f.read(1 << 16))
                if size > 1 << 17:
                    f.seek(-(1 << 16), 2)
                    h.update(f.read())
    else:
        h.update(model_name.encode())
    return h.hexdigest()[:16]


class EmbeddingCache:
    def __init__(self, cache_dir: str | Path, fingerprint: str):
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        self.path = Path(cache_dir) / f"{fingerprint}.sqlite"
        self.db = sqlite3.connect(self.path)
        self.db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        # token vectors (float16, rows of the model's dimension) for the texts the aligner checks closely
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS tokens (key TEXT PRIMARY KEY, dim INTEGER NOT NULL, vec BLOB NOT NULL)"
        )

    def _select(self, query: str, keys: list[str]) -> list[tuple]:
        rows = []
        for start in range(0, len(keys), 500):  # SQLite limits the number of parameters
            chunk = keys[start : start + 500]
            rows += self.db.execute(query.format(",".join("?" * len(chunk))), chunk).fetchall()
        return rows

    def get(self, keys: list[str]) -> dict[str, np.ndarray]:
        return {
            k: np.frombuffer(v, dtype=np.float32)
            for k, v in self._select("SELECT key, vec FROM vectors WHERE key IN ({})", keys)
        }

    def put(self, items: dict[str, np.ndarray]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                ((k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()),
            )

    def get_tokens(self, keys: list[str]) -> dict[str, np.ndarray]:
        return {
            k: np.frombuffer(v, dtype=np.float16).reshape(-1, d)
            for k, d, v in self._select("SELECT key, dim, vec FROM tokens WHERE key IN ({})", keys)
        }

    def put_tokens(self, items: dict[str, np.ndarray]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO tokens VALUES (?, ?, ?)",
                ((k, int(v.shape[1]), np.asarray(v, dtype=np.float16).tobytes()) for k, v in items.items()),
            )

    def close(self) -> None:
        self.db.close()


def _through_cache(
    texts: list[str], get: Callable | None, put: Callable | None, encode_missing: Callable[[list[str]], list]
) -> tuple[list[str], dict]:
    """Keys of ``texts`` and what each key maps to; only texts whose key ``get`` does not
    know reach ``encode_missing`` (each distinct text once), and ``put`` stores them."""
    keys = [text_key(t) for t in texts]
    found = get(sorted(set(keys))) if get else {}
    missing = sorted({t for t, k in zip(texts, keys) if k not in found})
    if missing:
        new = {text_key(t): v for t, v in zip(missing, encode_missing(missing))}
        if put:
            put(new)
        found.update(new)
    return keys, found


def embed_with_cache(
    texts: list[str], cache: EmbeddingCache | None, encode_missing: Callable[[list[str]], np.ndarray]
) -> np.ndarray:
    """Vectors for ``texts`` (in order); only texts not in the cache reach the encoder."""
    keys, found = _through_cache(texts, cache and cache.get, cache and cache.put, encode_missing)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.stack([found[k] for k in keys]).astype(np.float32)


def tokens_with_cache(
    texts: list[str], cache: EmbeddingCache | None, encode_missing: Callable[[list[str]], list[np.ndarray]]
) -> list[np.ndarray]:
    """Token vectors for ``texts`` (in order); only texts not in the cache reach the encoder."""
    keys, found = _through_cache(texts, cache and cache.get_tokens, cache and cache.put_tokens, encode_missing)
    return [found[k].astype(np.float32) for k in keys]
