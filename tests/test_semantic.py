"""`bitext query --semantic`: English paraphrases find the right Chinese side.

The five queries are paraphrases written by hand for this test (no words copied from
the English version beyond a few content words); each names the Chinese sentence it
should find by a phrase only that sentence has. The search compares the query with the
Chinese vectors only (side="zh"), so a hit is a cross-lingual match.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from pipeline import io
from pipeline.api import Corpus
from pipeline.cli import main
from pipeline.search.build import build_from_tables, write_index
from pipeline.search.engine import Filters, SearchIndex

from .conftest import BUNDLED

PARAPHRASES = {
    # "... two plenary meetings per day with interpretation in the six official languages"
    "Each day there will be two full sessions, interpreted into all six UN official languages.": "六种正式语文",
    # "... encouraged donor States ... to allocate funds to the ... Criminal Justice Fund ..."
    "Donor countries were urged to give money to the UN fund for crime prevention and criminal justice "
    "to strengthen its role as an aid provider.": "拨出资金",
    # list item (a): recipient States analyse their needs on the basis of their responses ...
    "Recipient countries should examine their own needs using their answers to the questionnaires "
    "and the discussions at the Conference.": "受援国必须根据",
    # list item (d): effective coordination within the States providing and receiving assistance
    "Countries that give and receive aid must coordinate effectively inside their own borders.": "有效的协调",
    # "... sharing the results of evaluations of the technical assistance provided ..."
    "Sharing evaluation findings about delivered aid helps build a shared understanding of what is "
    "effective and what is not.": "评价结果",
}


@pytest.fixture(scope="module")
def corpus(bundled_output, bundled_index) -> Corpus:
    return Corpus(bundled_output, index=bundled_index, params=bundled_output.parent / "params.yaml")


@pytest.mark.parametrize("side", ["zh", "both"])
def test_english_paraphrases_find_the_chinese_sentence(corpus, side):
    # With passage:/query: prompts (issue 20) one of the five, "Sharing evaluation findings",
    # falls out of the top 3 against the Chinese side only (a known regression); over 24
    # paraphrases of the development documents recall@1 rose from 0.875 to 0.958
    # (benchmarks/semantic_recall.py).
    first = 0
    for text, phrase in PARAPHRASES.items():
        hits = corpus.semantic(text, side=side, limit=3)
        first += phrase in hits.zh_text.iloc[0]
        assert hits.similarity.is_monotonic_decreasing
        if side == "zh":
            assert set(hits.match_lang) == {"zh"}
    assert first >= len(PARAPHRASES) - 1


def test_unit_level_and_filters(corpus):
    text = next(iter(PARAPHRASES))
    hits = corpus.semantic(text, level="unit", limit=5, kind="paragraph", item="1")
    assert "六种正式语文" in hits.zh_text.iloc[0]
    assert set(hits.kind) == {"paragraph"} and all(i.startswith("1") for i in hits["item"])
    assert (
        corpus.semantic(text, level="unit", doc="CTOC/COP/WG.2/2009/1", limit=1).pair_id.iloc[0] == hits.pair_id.iloc[0]
    )


def test_english_query_finds_a_chinese_only_pair(corpus, bundled_output, tmp_path):
    """Unit 20 made a 1-0 pair (its English side removed): found through its Chinese side."""
    aligned = tmp_path / "aligned"
    for name in ("documents", "segments", "sentences"):
        io.write_table(name, io.read_table(name, bundled_output / f"{name}.parquet"), aligned / f"{name}.parquet")
    target = f"{BUNDLED}:20"
    for name, ids in (("alignments", "en_seg_ids"), ("sentence_alignments", "en_sent_ids")):
        table = io.read_table(name, bundled_output / f"{name}.parquet")
        rows = table.pair_id == target
        table.loc[rows, "en_text"] = ""
        table.loc[rows, "link"] = "1-0"
        table.loc[rows, "score"] = 0.0
        table[ids] = [[] if r else list(v) for r, v in zip(rows, table[ids])]
        io.write_table(name, table, aligned / f"{name}.parquet")
    params = yaml.safe_load((bundled_output.parent / "params.yaml").read_text(encoding="utf-8"))
    build_from_tables(aligned, bundled_output.parent / "work", tmp_path / "index", params)
    index = SearchIndex(tmp_path / "index")
    vector = corpus.vector(next(iter(PARAPHRASES)))
    for level in ("sentence", "unit"):
        top = index.semantic(vector, Filters(level=level), limit=3)[0]
        assert top["unit_pair_id"] == target and top["link"] == "1-0" and top["en_text"] == ""
        assert top["match_lang"] == "zh"
    assert all(r["unit_pair_id"] != target for r in index.semantic(vector, Filters(), limit=60, side="en"))


def test_cli_semantic_json(bundled_output, bundled_index, capsys):
    params = bundled_output.parent / "params.yaml"
    code = main(
        [
            "--params",
            str(params),
            "query",
            "--semantic",
            "Countries that give and receive aid must coordinate effectively inside their own borders.",
            "--index",
            str(bundled_index),
            "--format",
            "json",
            "--limit",
            "2",
            "--side",
            "zh",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["query"]["mode"] == "semantic" and len(data["results"]) == 2
    assert "有效的协调" in data["results"][0]["zh_text"] and data["results"][0]["similarity"] > 0.5


def test_ivf_agrees_with_the_exact_scan(tmp_path):
    """Above exact_max_pairs a level gets k-means lists; on clustered data they find what
    the exact scan finds."""
    rng = np.random.default_rng(7)
    dim, clusters, per = 32, 40, 100
    centres = rng.standard_normal((clusters, dim))
    zh = np.repeat(centres, per, axis=0) + 0.35 * rng.standard_normal((clusters * per, dim))
    en = zh + 0.1 * rng.standard_normal(zh.shape)
    zh /= np.linalg.norm(zh, axis=1, keepdims=True)
    en /= np.linalg.norm(en, axis=1, keepdims=True)
    n = len(zh)
    rows = pd.DataFrame(
        {
            "level": "sentence",
            "pair_id": [f"D:{i}.0" for i in range(n)],
            "unit_pair_id": [f"D:{i}" for i in range(n)],
            "doc_id": "D",
            "kind": "paragraph",
            "link": "1-1",
            "score": 1.0,
            "zh_ids": [[]] * n,
            "en_ids": [[]] * n,
            "zh_text": "文本",
            "en_text": "text",
            "zh_tokens": [["文本"]] * n,
        }
    )
    docs = pd.DataFrame({"doc_id": ["D"], "symbol": ["D"], "original_lang": ["en"], "srclang": ["en"]})
    meta = write_index(
        tmp_path / "index",
        rows,
        docs,
        zh,
        en,
        {"index": {"exact_max_pairs": 500, "ivf_candidates": 400, "vector_dtype": "float32"}},
    )
    assert meta["ivf_levels"] == ["sentence"]
    index = SearchIndex(tmp_path / "index")
    agree = 0
    for i in rng.choice(n, 50, replace=False):
        q = zh[i] + 0.05 * rng.standard_normal(dim)
        q /= np.linalg.norm(q)
        approx = [r["pair_id"] for r in index.semantic(q, limit=5)]
        exact = [r["pair_id"] for r in index.semantic(q, limit=5, exact=True)]
        agree += approx[0] == exact[0]
    assert agree >= 48
