"""The search index's files and SQLite schema: what downstream systems can rely on.

``aligned/index/`` holds:

- ``pairs.sqlite``: the pairs and an FTS5 full-text table (schema below).
- ``vectors.zh.npy``, ``vectors.en.npy``: one row per row number, row ``i`` =
  ``pairs.row = i`` (float16 by default; L2-normalised; a zero row where that side is
  empty). Open them with ``numpy.load(path, mmap_mode="r")`` and use the first
  ``meta.rows`` rows (an interrupted update may leave uncounted rows after them).
- ``rows.npz``: per-row arrays for fast filtering in semantic search (level, kind and
  item codes, score, has_zh, has_en, ivf_list); the codes index ``meta.kinds`` /
  ``meta.items``.
- ``ivf.npz``: k-means centroids (``<level>_centroids``) of the levels larger than
  ``meta.exact_max_pairs``; a row's list is ``rows.npz`` ``ivf_list``.

A full build orders rows by level (all sentence pairs, then all unit pairs), then
document, then pair order. An update (``bitext index`` after some documents changed)
deletes a changed or removed document's pairs, lists their row numbers in
``tombstones`` and appends the new rows at the end, sentence pairs then unit pairs:
so a (level, document) is always one contiguous row range (``ranges``), and a row
number is never reused. Row numbers are not stable across builds: join on ``pair_id``.
"""

from __future__ import annotations

import json
import sqlite3

SCHEMA_VERSION = 4

FILES = {"db": "pairs.sqlite", "zh": "vectors.zh.npy", "en": "vectors.en.npy", "rows": "rows.npz", "ivf": "ivf.npz"}

DDL = """
-- Key/value facts about the index; values are JSON. Keys: schema_version, rows (row
-- numbers used, deleted ones included), pairs (live pairs), level_pairs ({"sentence": n,
-- "unit": n}), dead (deleted rows), built_rows (rows at the last full build), dim,
-- vector_dtype, kinds, items, documents, embedding_model, embedding_prompt, query_prompt,
-- word_links ({"format", "layer", "prompt"} the stored links were made with, or null),
-- exact_max_pairs, ivf_candidates, ivf_levels, ivf_trained_rows, build_key, built_from.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- One row per document, in corpus order.
CREATE TABLE documents (
  doc_id TEXT PRIMARY KEY,        -- the symbol with '/' replaced by '_'
  symbol TEXT NOT NULL,           -- UN document symbol
  original_lang TEXT,             -- language the document was drafted in; null if unknown
  srclang TEXT NOT NULL,          -- source language used for TMX (zh or en)
  position INTEGER NOT NULL,      -- 0-based order in the corpus
  source TEXT                     -- sha256 of what its rows were made from; null if unknown
);

-- One row per aligned pair, at both levels.
CREATE TABLE pairs (
  row INTEGER PRIMARY KEY,        -- 0-based; = row of the vector files = rowid of pairs_fts
  level TEXT NOT NULL,            -- 'sentence' or 'unit'
  pair_id TEXT NOT NULL UNIQUE,   -- sent_pair_id ('<doc>:<n>.<m>') or unit pair_id ('<doc>:<n>')
  unit_pair_id TEXT NOT NULL,     -- the unit pair (= pair_id at unit level)
  doc_id TEXT NOT NULL REFERENCES documents(doc_id),
  item TEXT,                      -- agenda item; null for front matter and annexes
  kind TEXT,                      -- segment kind of the unit (paragraph, heading, ...)
  link TEXT NOT NULL,             -- '<n zh>-<n en>', e.g. 1-1, 2-1, 1-0
  score REAL NOT NULL,            -- alignment confidence in [0, 1]; 0 for omissions
  zh_ids TEXT NOT NULL,           -- JSON list of Chinese sentence or segment ids
  en_ids TEXT NOT NULL,           -- JSON list of English sentence or segment ids
  zh_text TEXT NOT NULL,          -- '' when the pair has no Chinese side (0-1)
  en_text TEXT NOT NULL,          -- '' when the pair has no English side (1-0)
  zh_words TEXT NOT NULL          -- the Chinese jieba tokens, space-separated (as indexed)
);
CREATE INDEX pairs_by_unit ON pairs (unit_pair_id);

-- Contiguous row ranges of each (level, document): last_row is inclusive.
CREATE TABLE ranges (
  level TEXT NOT NULL, doc_id TEXT NOT NULL, first_row INTEGER NOT NULL, last_row INTEGER NOT NULL,
  PRIMARY KEY (level, doc_id)
);

-- Word links of the sentence pairs with two sides, when index.word_links is on: each
-- token's span and its closest token on the other side (pipeline/search/word_links.py,
-- WordLinks.from_bytes). A pair without a row here is spotted live by the workbench.
-- Apart from pairs, so that queries reading pairs rows do not read the links.
CREATE TABLE word_links (row INTEGER PRIMARY KEY, data BLOB NOT NULL);

-- Row numbers of deleted pairs (their vectors stay until the next full build).
CREATE TABLE tombstones (row INTEGER PRIMARY KEY);

-- Full text, contentless (texts live in pairs; rowid = pairs.row). Tokenizer unicode61
-- (case-folded, diacritics removed). Columns:
--   zh_words  the Chinese text as jieba tokens separated by spaces (word search)
--   en_words  the English text (word search)
--   zh_chars  overlapping character bigrams of the Chinese text, whitespace removed
--             (substring search: a phrase of a term's bigrams)
CREATE VIRTUAL TABLE pairs_fts USING fts5 (
  zh_words, en_words, zh_chars, content = '', tokenize = 'unicode61 remove_diacritics 2'
);
"""


def read_meta(db: sqlite3.Connection) -> dict:
    return {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}


def write_meta(db: sqlite3.Connection, meta: dict) -> None:
    db.execute("DELETE FROM meta")
    db.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        [(k, json.dumps(v, ensure_ascii=False, sort_keys=True)) for k, v in sorted(meta.items())],
    )
