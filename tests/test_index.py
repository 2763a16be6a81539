"""The index folder and pairs.jsonl as a downstream system sees them."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd

from pipeline import io
from pipeline.embed.cache import text_key
from pipeline.writers import JSONL_FIELDS
from pipeline.search.schema import FILES

from .conftest import BUNDLED


def test_jsonl_has_every_pair_with_all_fields(bundled_output, bundled_index):
    lines = (bundled_index.parent / "pairs.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    units = io.read_table("alignments", bundled_output / "alignments.parquet")
    sents = io.read_table("sentence_alignments", bundled_output / "sentence_alignments.parquet")
    assert len(records) == len(units) + len(sents)
    assert [r["row"] for r in records] == list(range(len(records)))
    for line, r in zip(lines, records):
        assert list(r) == sorted(JSONL_FIELDS) and line.startswith('{"anchored"')
    by_level = {lvl: [r for r in records if r["level"] == lvl] for lvl in ("sentence", "unit")}
    assert [r["pair_id"] for r in by_level["unit"]] == list(units.pair_id)
    assert sorted(r["pair_id"] for r in by_level["sentence"]) == sorted(sents.sent_pair_id)
    unit = next(r for r in by_level["unit"] if r["pair_id"] == f"{BUNDLED}:7")
    assert unit["symbol"] == "CTOC/COP/WG.2/2009/1" and unit["srclang"] == "en" and unit["item"] == "2"
    assert "".join(unit["zh_tokens"]).replace(" ", "") == unit["zh_text"].replace(" ", "")
    assert unit["semantic"] is not None and isinstance(unit["anchored"], bool)


def test_sqlite_schema_and_full_text_search(bundled_index):
    db = sqlite3.connect(bundled_index / FILES["db"])
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    assert {"meta", "documents", "pairs", "ranges", "pairs_fts"} <= tables
    meta = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
    assert meta["dim"] == 384 and meta["vector_dtype"] == "float16"
    assert meta["embedding_prompt"] == "passage: " and meta["query_prompt"] == "query: "  # e5 retrieval prompts
    # what a downstream system would run: a jieba-word query on the Chinese column
    rows = db.execute(
        "SELECT p.pair_id FROM pairs_fts JOIN pairs p ON p.row = pairs_fts.rowid "
        "WHERE pairs_fts MATCH '{zh_words} : 筹集 资源' AND p.level = 'unit' ORDER BY p.row"
    ).fetchall()
    assert [r[0] for r in rows] == [f"{BUNDLED}:{n}" for n in (9, 42, 59)]
    # a full build: each level one contiguous block of rows, as the ranges table says
    first, last, count = db.execute("SELECT min(row), max(row), count(*) FROM pairs WHERE level = 'unit'").fetchone()
    assert last - first + 1 == count == meta["level_pairs"]["unit"] == meta["pairs"] - meta["level_pairs"]["sentence"]
    assert db.execute("SELECT min(first_row), max(last_row) FROM ranges WHERE level = 'unit'").fetchone() == (
        first,
        last,
    )


def _unit_rows_match(index_dir, bundled_output, vector_of) -> None:
    db = sqlite3.connect(index_dir / FILES["db"])
    zh = np.load(index_dir / FILES["zh"], mmap_mode="r")
    en = np.load(index_dir / FILES["en"], mmap_mode="r")
    assert zh.shape == en.shape and zh.shape[0] == db.execute("SELECT count(*) FROM pairs").fetchone()[0]
    segments = io.read_table("segments", bundled_output / "segments.parquet")
    seg_text = dict(zip(segments.seg_id, segments.text))
    for row, zh_ids, en_ids in db.execute("SELECT row, zh_ids, en_ids FROM pairs WHERE level = 'unit' LIMIT 20"):
        (z,), (e,) = json.loads(zh_ids), json.loads(en_ids)
        np.testing.assert_allclose(zh[row], vector_of(seg_text[z]), atol=1e-3)
        np.testing.assert_allclose(en[row], vector_of(seg_text[e]), atol=1e-3)


def test_vectors_are_row_aligned_passages(bundled_output, bundled_index):
    from pipeline.embed.model import Embedder
    from pipeline.params import load_params

    params = load_params(bundled_output.parent / "params.yaml")
    embedder = Embedder({**params["embedding"], "prompt": "passage: "}, progress=False)
    _unit_rows_match(bundled_index, bundled_output, lambda text: embedder([text])[0])


def test_without_a_passage_prompt_the_embed_stage_vectors_are_reused(bundled_output, tmp_path):
    from pipeline.params import load_params
    from pipeline.search.build import build_from_tables

    params = load_params(bundled_output.parent / "params.yaml")
    params["index"]["passage_prompt"] = None
    meta = build_from_tables(bundled_output, bundled_output.parent / "work", tmp_path / "index", params)
    assert meta["embedding_prompt"] == meta["query_prompt"] == params["embedding"]["prompt"]
    emb = io.read_table("embeddings", bundled_output.parent / "work" / BUNDLED / "embeddings.parquet")
    stored = dict(zip(emb.text_sha1, emb.vector))
    _unit_rows_match(tmp_path / "index", bundled_output, lambda text: stored[text_key(text)])


def test_composed_vectors_are_length_weighted():
    from pipeline.search.build import compose_vectors

    a, b = np.array([1.0, 0.0], np.float32), np.array([0.0, 1.0], np.float32)
    rows = pd.DataFrame(
        {"zh_members": [["一二三", "四"]], "zh_text": ["一二三 四"], "en_members": [[]], "en_text": [""]}
    )
    zh, en = compose_vectors(rows, {text_key("一二三"): a, text_key("四"): b}, 2)
    np.testing.assert_allclose(zh[0], np.array([3, 1]) / np.sqrt(10), rtol=1e-6)
    assert not en.any()
