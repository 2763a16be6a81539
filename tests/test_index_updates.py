"""`bitext index` updates an existing index for the documents that changed, and the result
answers queries as a full build of the same tables does (issue 19, point 4)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline import io
from pipeline.embed.model import load_model
from pipeline.corpus import store
from pipeline.params import load_params
from pipeline.search import incremental, vectorfile
from pipeline.search.corpus import TABLE_NAMES
from pipeline.search.engine import Filters, SearchIndex
from pipeline.search.schema import FILES
from pipeline.search.spotting import Spotter
from pipeline.search.word_links import WordLinks

from .conftest import BUNDLED

N_DOCS = 12
TERMS = ["technical assistance", "Working Group", "国际合作", "技术援助", "agenda"]


def _renamed(value, old: str, new: str):
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, (list, np.ndarray)):
        return [_renamed(v, old, new) for v in value]
    return value


def _rename_columns(df, old: str, new: str) -> None:
    for col in df.columns:
        if not pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col]):
            df[col] = [_renamed(v, old, new) for v in df[col]]


def _clone(aligned: Path, work: Path, src: Path, src_work: Path, doc: str, old: str = BUNDLED) -> None:
    """A document's rows and embeddings (the bundled one's by default) under another doc id."""
    for name in TABLE_NAMES:
        df = io.read_table(name, store.doc_file(src, name, "zh-en", old))
        _rename_columns(df, old, doc)
        io.write_table(name, df, store.doc_file(aligned, name, "zh-en", doc))
    (work / doc).mkdir(parents=True, exist_ok=True)
    shutil.copy(src_work / old / "embeddings.parquet", work / doc / "embeddings.parquet")


def _edit_unit(aligned: Path, doc: str, old: str, new: str) -> None:
    """Replace a word in the English side of one document's unit and sentence pairs."""
    for name in ("alignments", "sentence_alignments"):
        path = store.doc_file(aligned, name, "zh-en", doc)
        df = io.read_table(name, path)
        df["en_text"] = [t.replace(old, new) for t in df.en_text]
        io.write_table(name, df, path)


@pytest.fixture()
def corpus(tmp_path, bundled_output):
    aligned, work = tmp_path / "aligned", tmp_path / "work"
    docs = [f"DOC_{i:02d}" for i in range(N_DOCS)]
    for doc in docs:
        _clone(aligned, work, bundled_output, bundled_output.parent / "work", doc)
    params = load_params(bundled_output.parent / "params.yaml")
    return {
        "aligned": aligned,
        "work": work,
        "docs": docs,
        "params": params,
        "index": tmp_path / "index",
        "bundled": bundled_output,
    }


def _index(c, rebuild=False, out=None) -> dict:
    return incremental.index_corpus(c["aligned"], c["work"], out or c["index"], c["params"], rebuild=rebuild)


def _answers(folder: Path, query_vector: np.ndarray) -> dict:
    """What a user sees: keyword hits (as sets of pair ids) and semantic top hits."""
    index = SearchIndex(folder)
    out = {}
    for level in ("sentence", "unit"):
        for term in TERMS:
            hits, _ = index.keyword(term, Filters(level=level), limit=1000)
            out[(level, term)] = sorted((h["pair_id"], h["zh_text"], h["en_text"]) for h in hits)
        top = index.semantic(query_vector, Filters(level=level), limit=15, exact=True)
        out[(level, "semantic")] = sorted((h["pair_id"], h["similarity"]) for h in top)
    db = sqlite3.connect(folder / FILES["db"])
    out["documents"] = list(db.execute("SELECT doc_id, symbol, position, source FROM documents ORDER BY position"))
    return out


def _word_links(folder: Path) -> dict[str, tuple[str, str, bytes]]:
    return SearchIndex(folder).word_links(
        [p for (p,) in sqlite3.connect(folder / FILES["db"]).execute("SELECT pair_id FROM pairs")]
    )


def _vectors_by_pair(folder: Path) -> dict[str, np.ndarray]:
    index = SearchIndex(folder)
    rows = dict(index.db.execute("SELECT pair_id, row FROM pairs"))
    zh = index.vectors("zh")
    return {p: np.asarray(zh[r]) for p, r in rows.items()}


def test_one_changed_document_is_the_only_one_reindexed(corpus, tmp_path):
    assert _index(corpus)["update"]["mode"] == "full"
    before = _vectors_by_pair(corpus["index"])
    rows_before = dict(sqlite3.connect(corpus["index"] / FILES["db"]).execute("SELECT pair_id, row FROM pairs"))
    q = SearchIndex(corpus["index"]).vectors("en")[5].astype(np.float32)

    assert _index(corpus)["update"] == {"mode": "none", "documents": 0}

    _edit_unit(corpus["aligned"], "DOC_03", "technical assistance", "technical quokkawork")
    meta = _index(corpus)
    assert meta["update"] == {"mode": "incremental", "documents": 1, "docs": ["DOC_03"]}
    rows_after = dict(sqlite3.connect(corpus["index"] / FILES["db"]).execute("SELECT pair_id, row FROM pairs"))
    moved = {p for p in rows_after if rows_before.get(p) != rows_after[p]}
    assert moved and all(p.startswith("DOC_03:") for p in moved)  # only its rows are new
    assert meta["dead"] == len(moved) and meta["rows"] == len(rows_before) + len(moved)
    after = _vectors_by_pair(corpus["index"])
    assert all(np.array_equal(before[p], after[p]) for p in after if not p.startswith("DOC_03:"))

    hits, _ = SearchIndex(corpus["index"]).keyword("technical quokkawork", Filters(level="unit"))
    assert hits and {h["doc_id"] for h in hits} == {"DOC_03"}

    # the updated index answers as a full build of the same tables does
    _index(corpus, out=tmp_path / "full", rebuild=True)
    assert _answers(corpus["index"], q) == _answers(tmp_path / "full", q)
    # and stores the same word links, each with the texts of its pair
    links = [_word_links(folder) for folder in (corpus["index"], tmp_path / "full")]
    assert links[0] == links[1]
    edited = {p: v for p, v in links[0].items() if p.startswith("DOC_03:") and "quokkawork" in v[1]}
    assert edited and all(WordLinks.from_bytes(data).fits(zh, en) for zh, en, data in links[0].values())
    zh, en, data = next(iter(edited.values()))  # made for the edited text: as a spotter makes them now
    spotter = Spotter(load_model("embedded", corpus["params"]["embedding"]["embedded_dir"]), "query: ")
    assert data == spotter.links(zh, en).to_bytes()


def test_added_and_removed_documents(corpus):
    _index(corpus)
    _clone(corpus["aligned"], corpus["work"], corpus["aligned"], corpus["work"], "NEW_DOC", old="DOC_00")
    assert _index(corpus)["update"]["docs"] == ["NEW_DOC"]
    index = SearchIndex(corpus["index"])
    assert "NEW_DOC" in [d["doc_id"] for d in index.documents]
    assert index.keyword("agenda", Filters(level="unit", docs=["NEW_DOC"]))[0]

    store.unpublish(corpus["aligned"], "DOC_05")
    meta = _index(corpus)
    assert meta["update"]["docs"] == ["DOC_05"] and meta["documents"] == N_DOCS
    index = SearchIndex(corpus["index"])
    assert "DOC_05" not in [d["doc_id"] for d in index.documents]
    assert index.db.execute("SELECT count(*) FROM pairs WHERE doc_id = 'DOC_05'").fetchone() == (0,)
    for level in ("sentence", "unit"):
        hits, _ = index.keyword("agenda", Filters(level=level), limit=10000)
        assert "DOC_05" not in {h["doc_id"] for h in hits}
        top = index.semantic(index.vectors("en")[0].astype(np.float32), Filters(level=level), limit=50, exact=True)
        assert "DOC_05" not in {h["doc_id"] for h in top}


def test_many_changes_compact_into_a_full_build(corpus):
    _index(corpus)
    for doc in corpus["docs"][:6]:  # 6 dead of 12 + 6 documents' rows: over the default 0.3 share
        _edit_unit(corpus["aligned"], doc, "agenda", "wombatgenda")
    meta = _index(corpus)
    assert meta["update"]["mode"] == "full" and "index.compact_dead_share" in meta["update"]["reason"]
    assert meta["dead"] == 0


def test_changed_settings_rebuild(corpus):
    _index(corpus)
    corpus["params"]["index"]["ivf_candidates"] = 777
    meta = _index(corpus)
    assert meta["update"]["mode"] == "full" and meta["ivf_candidates"] == 777


def test_an_interrupted_update_leaves_the_old_index_working(corpus, monkeypatch):
    _index(corpus)
    q = SearchIndex(corpus["index"]).vectors("en")[7].astype(np.float32)
    before = _answers(corpus["index"], q)
    _edit_unit(corpus["aligned"], "DOC_07", "Working Group", "Working Zebraparty")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # after the vectors and rows.npz were appended, before the commit

    monkeypatch.setattr(incremental, "insert_pairs", crash)
    with pytest.raises(KeyboardInterrupt):
        _index(corpus)
    assert _answers(corpus["index"], q) == before
    monkeypatch.undo()
    assert _index(corpus)["update"]["mode"] == "incremental"
    hits, _ = SearchIndex(corpus["index"]).keyword("Working Zebraparty", Filters(level="unit"))
    assert {h["doc_id"] for h in hits} == {"DOC_07"}
    assert np.load(corpus["index"] / FILES["zh"], mmap_mode="r").shape[0] == SearchIndex(corpus["index"]).meta["rows"]


def test_ivf_lists_take_the_new_rows(corpus):
    corpus["params"]["index"]["exact_max_pairs"] = 100  # the sentence level (12 x 66 pairs) gets IVF lists
    meta = _index(corpus)
    assert meta["ivf_levels"] == ["sentence", "unit"] or "sentence" in meta["ivf_levels"]
    _edit_unit(corpus["aligned"], "DOC_02", "agenda", "wombatgenda")
    assert _index(corpus)["update"]["mode"] == "incremental"
    index = SearchIndex(corpus["index"])
    row = index.db.execute(
        "SELECT row FROM pairs WHERE doc_id = 'DOC_02' AND level = 'sentence' AND en_text LIKE '%wombatgenda%'"
    ).fetchone()[0]
    arrays = index._load_arrays()
    assert arrays["ivf_list"][row] >= 0 and arrays["live"].sum() == index.meta["pairs"]
    query = (index.vectors("en")[row]).astype(np.float32)
    top = index.semantic(query, Filters(level="sentence"), limit=3)  # through the IVF lists
    assert top[0]["similarity"] > 0.99 and top[0]["doc_id"] in corpus["docs"]


def test_a_reader_open_during_updates_follows_them(corpus):
    """A long-running reader (`bitext serve`) sees updates and full builds without a restart,
    and never fails on rows an update deleted."""
    _index(corpus)
    index = SearchIndex(corpus["index"])
    q = index.vectors("en")[3].astype(np.float32)
    for level in ("sentence", "unit"):  # caches of the old index: arrays, vectors
        assert index.semantic(q, Filters(level=level), limit=50)
    _edit_unit(corpus["aligned"], "DOC_04", "technical assistance", "technical quokkawork")
    assert _index(corpus)["update"]["mode"] == "incremental"
    hits, _ = index.keyword("technical quokkawork", Filters(level="unit"))
    assert {h["doc_id"] for h in hits} == {"DOC_04"}
    for level in ("sentence", "unit"):  # the rows the update appended are searched too
        top = index.semantic(q, Filters(level=level, docs=["DOC_04"]), limit=1000, exact=True)
        assert any("quokkawork" in h["en_text"] for h in top)
        assert len({h["pair_id"] for h in top}) == len(top)
    generation = index.generation
    _clone(corpus["aligned"], corpus["work"], corpus["aligned"], corpus["work"], "NEW_DOC", old="DOC_00")
    assert _index(corpus, rebuild=True)["update"]["mode"] == "full"  # a new database file
    top = index.semantic(q, Filters(level="unit", docs=["NEW_DOC"]), limit=5)
    assert top and index.generation > generation
    assert "NEW_DOC" in [d["doc_id"] for d in index.documents]


def test_the_workbench_follows_updates(corpus, tmp_path):
    from pipeline.serve.workbench import Query, Workbench

    _index(corpus)
    wb = Workbench(corpus["index"], None, tmp_path, corpus["params"])
    assert wb.search(Query(text="agenda", level="unit")).hits
    _clone(corpus["aligned"], corpus["work"], corpus["aligned"], corpus["work"], "NEW_DOC", old="DOC_00")
    store.unpublish(corpus["aligned"], "DOC_01")
    assert _index(corpus)["update"]["docs"] == ["DOC_01", "NEW_DOC"]
    page = wb.search(Query(text="agenda", level="unit"))
    assert "NEW_DOC" in wb.symbols and "DOC_01" not in wb.symbols
    assert page.hits and all(h["doc_id"] != "DOC_01" for h in page.hits)


def test_headers_left_behind_by_a_crash_after_the_commit_are_repaired(corpus):
    _index(corpus)
    rows = SearchIndex(corpus["index"]).meta["rows"]
    _edit_unit(corpus["aligned"], "DOC_06", "agenda", "wombatgenda")
    assert _index(corpus)["update"]["mode"] == "incremental"
    for lang in ("zh", "en"):  # the state a crash between COMMIT and the header rewrite leaves
        vectorfile.set_rows(corpus["index"] / FILES[lang], rows)
    assert _index(corpus)["update"]["mode"] == "none"
    committed = SearchIndex(corpus["index"]).meta["rows"]
    for lang in ("zh", "en"):
        assert np.load(corpus["index"] / FILES[lang], mmap_mode="r").shape[0] == committed > rows


def test_an_empty_index_takes_its_first_document(corpus):
    _index(corpus)
    for doc in corpus["docs"]:
        store.unpublish(corpus["aligned"], doc)
    meta = _index(corpus)
    assert meta["pairs"] == 0 and meta["documents"] == 0
    _clone(corpus["aligned"], corpus["work"], corpus["bundled"], corpus["bundled"].parent / "work", "DOC_00")
    meta = _index(corpus)
    assert meta["update"]["mode"] == "full" and meta["update"]["reason"] == "the index is empty"
    assert SearchIndex(corpus["index"]).keyword("agenda", Filters(level="unit"))[0]


def test_an_index_of_another_schema_version_is_rebuilt_and_says_why(corpus):
    _index(corpus)
    db = sqlite3.connect(corpus["index"] / FILES["db"])
    db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    meta = _index(corpus)
    assert meta["update"]["mode"] == "full" and "schema version 1" in meta["update"]["reason"]


def test_a_second_index_run_waits_for_the_first(corpus, monkeypatch):
    """Two updates of one index never overlap: the second waits until the first is done."""
    import threading

    _index(corpus)
    inside, release, overlap = threading.Event(), threading.Event(), []
    real_apply = incremental.apply_update

    def slow_apply(*args, **kwargs):
        overlap.append(inside.is_set())
        inside.set()
        release.wait(30)
        try:
            return real_apply(*args, **kwargs)
        finally:
            inside.clear()

    monkeypatch.setattr(incremental, "apply_update", slow_apply)
    _edit_unit(corpus["aligned"], "DOC_08", "agenda", "wombatgenda")
    said: list[str] = []
    first = threading.Thread(target=_index, args=(corpus,))
    first.start()
    assert inside.wait(30)
    second = threading.Thread(
        target=incremental.index_corpus,
        args=(corpus["aligned"], corpus["work"], corpus["index"], corpus["params"], said.append),
    )
    second.start()
    second.join(1.0)
    assert second.is_alive() and any("waiting for another" in m for m in said)
    release.set()
    first.join(60)
    second.join(60)
    assert not first.is_alive() and not second.is_alive()
    assert overlap == [False] and "up to date: no document changed" in said  # the first did the update


def test_removing_more_documents_than_one_sql_statement_takes(corpus, monkeypatch):
    _index(corpus)
    monkeypatch.setattr(incremental, "SQL_CHUNK", 2)
    for doc in ("DOC_09", "DOC_10", "DOC_11"):
        store.unpublish(corpus["aligned"], doc)
    meta = _index(corpus)
    assert meta["update"] == {"mode": "incremental", "documents": 3, "docs": ["DOC_09", "DOC_10", "DOC_11"]}
    db = sqlite3.connect(corpus["index"] / FILES["db"])
    assert db.execute("SELECT count(*) FROM pairs WHERE doc_id IN ('DOC_09', 'DOC_10', 'DOC_11')").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM ranges WHERE doc_id = 'DOC_10'").fetchone() == (0,)


def test_a_vector_file_shorter_than_committed_forces_a_full_build(corpus):
    _index(corpus)
    path = corpus["index"] / FILES["en"]
    os.truncate(path, path.stat().st_size - 100)  # a write a crash lost
    meta = _index(corpus)
    assert meta["update"]["mode"] == "full" and "damaged" in meta["update"]["reason"]
    assert np.load(path, mmap_mode="r").shape[0] == meta["rows"]
