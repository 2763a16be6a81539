"""`bitext query TERM`: the bilingual concordance on the bundled document.

The expected pairs were found by reading raw/CTOC_COP_WG.2_2009_1/{zh,en}.txt: every
unit (and sentence) whose Chinese text contains 技术援助 and whose English text
contains "technical assistance". The two sets are the same: the English rendering
translates the term consistently. Unit n is pair 'CTOC_COP_WG.2_2009_1:n' (the gold
order of the 61 units); a sentence m of unit n is 'CTOC_COP_WG.2_2009_1:n.m'.
"""

from __future__ import annotations

import json

import pytest

from pipeline.cli import main
from pipeline.search.engine import RESULT_FIELDS, Filters, SearchIndex
from pipeline.search.terms import char_bigrams, compile_term, word_forms

from .conftest import BUNDLED

# Units: the provisional agenda items 2 and 3, the meeting's title line, the annotations
# that name the Working Group or the assistance, documentation entries 27, 28, 46 and
# the annex table rows for items 2 and 3 (55-58). Not: 26 (技术合作 / technical
# cooperation), 36 (援助 / assistance alone), 44 (协助 / assisting).
TERM_UNITS = [2, 7, 8, 14, 16, 17, 18, 21, 22, 23, 27, 28, 30, 31, 34, 35, 38, 39, 43, 46, 55, 56, 57, 58]
# Sentences, as '<unit>.<k>' = the k-th sentence pair of unit <unit> (0-based; mapped
# to the sent_pair_ids of the table by `sentence_ids`): units with several sentences
# contribute only those with the term: 17.0 and 17.1, 22.0 and 22.1, 23.0 (23.1 speaks
# of technical cooperation), 31.0 and 31.1, 43.0 and 43.1.
TERM_SENTENCES = [
    "2.0",
    "7.0",
    "8.0",
    "14.0",
    "16.0",
    "17.0",
    "17.1",
    "18.0",
    "21.0",
    "22.0",
    "22.1",
    "23.0",
    "27.0",
    "28.0",
    "30.0",
    "31.0",
    "31.1",
    "34.0",
    "35.0",
    "38.0",
    "39.0",
    "43.0",
    "43.1",
    "46.0",
    "55.0",
    "56.0",
    "57.0",
    "58.0",
]
# "provider(s)": 8/30/57/58 (coordination among ... providers), 17, 22, 34, 38
# ("technical assistance providers"), 35 ("providers of technical assistance"),
# 43 ("a provider and coordinator"). Not "provided" (19, 31, 33) or "providing" (36, 38).
PROVIDER_UNITS = [8, 17, 22, 30, 34, 35, 38, 43, 57, 58]


def ids(results) -> list[str]:
    return [r["pair_id"].split(":", 1)[1] for r in results]


def units(numbers) -> list[str]:
    return [str(n) for n in numbers]


@pytest.fixture(scope="module")
def index(bundled_index) -> SearchIndex:
    return SearchIndex(bundled_index)


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


# --- the expected pairs ------------------------------------------------------------


@pytest.mark.parametrize("term", ["技术援助", "technical assistance", "Technical Assistance"])
def test_term_finds_the_expected_unit_pairs(index, term):
    results, truncated = index.keyword(term, Filters(level="unit"), limit=100)
    assert ids(results) == units(TERM_UNITS) and not truncated


@pytest.fixture(scope="module")
def sentence_ids(bundled_output) -> dict[str, str]:
    """'<unit>.<k>' -> sent_pair_id of the k-th sentence pair of the unit, in table order."""
    import pandas as pd

    table = pd.read_parquet(bundled_output / "sentence_alignments.parquet")
    out = {}
    for unit, group in table.groupby("pair_id", sort=False):
        for k, sid in enumerate(group.sent_pair_id):
            out[f"{unit.split(':', 1)[1]}.{k}"] = sid
    return out


@pytest.mark.parametrize("term", ["技术援助", "technical assistance"])
def test_term_finds_the_expected_sentence_pairs(index, sentence_ids, term):
    results, _ = index.keyword(term, Filters(level="sentence"), limit=100)
    assert [r["pair_id"] for r in results] == [sentence_ids[k] for k in TERM_SENTENCES]
    assert [r["unit_pair_id"] for r in results] == [f"{BUNDLED}:{k.split('.')[0]}" for k in TERM_SENTENCES]


def test_highlight_spans_cover_the_term(index):
    for term, lang in (("技术援助", "zh"), ("technical assistance", "en")):
        for r in index.keyword(term, Filters(level="unit"), limit=100)[0]:
            assert r["match_lang"] == lang and r["match_spans"]
            text = r[f"{lang}_text"]
            assert all(text[a:b].lower() == term for a, b in r["match_spans"])


def test_chinese_word_and_substring_matches(index):
    results, _ = index.keyword("技术援助", Filters(level="unit"), limit=100)
    assert {r["match_type"] for r in results} <= {"word", "substring"}
    assert sum(r["match_type"] == "word" for r in results) >= len(results) // 2
    # 术援 crosses the jieba words 技术|援助: found as a substring only, in the same pairs.
    crossing, _ = index.keyword("术援", Filters(level="unit"), limit=100)
    assert ids(crossing) == units(TERM_UNITS)
    assert {r["match_type"] for r in crossing} == {"substring"}


def test_chinese_substring_ignores_whitespace_between_characters(index):
    # The text says "2009 年 10 月 1 日" (unit 14); the term is written without spaces.
    results, _ = index.keyword("2009年10月1日", Filters(level="unit"), limit=100)
    assert "14" in ids(results)


def test_english_inflection_singular_and_plural(index):
    singular, _ = index.keyword("provider", Filters(level="unit"), limit=100)
    plural, _ = index.keyword("providers", Filters(level="unit"), limit=100)
    assert ids(singular) == ids(plural) == units(PROVIDER_UNITS)
    assert {r["match_type"] for r in plural} == {"exact", "inflected"}
    # derivations are not inflections: "assistance" does not find "assisting" (unit 44)
    assistance, _ = index.keyword("assistance", Filters(level="unit"), limit=100)
    assert "44" not in ids(assistance) and "36" in ids(assistance)


def test_english_matches_whole_words_only(index):
    # "port" is inside "report", "support", "opportunity": none is a match.
    results, _ = index.keyword("port", Filters(level="unit"), limit=100)
    assert results == []


def test_word_forms():
    assert "providers" in word_forms("provider") and "provider" in word_forms("providers")
    assert {"needs", "needed", "needing"} <= set(word_forms("need"))
    assert "agency" in word_forms("agencies") and "agencies" in word_forms("agency")
    assert "assist" not in word_forms("assistance") and "assistance" not in word_forms("assist")
    assert word_forms("of") == ["of"]
    assert compile_term("4/3").pattern.search("decision 4/3 of") and not compile_term("4/3").pattern.search("4/35")
    assert char_bigrams("技术 援助。会") == "技术 术援 援助 会"


# --- filters -----------------------------------------------------------------------


def test_filters(index):
    def found(**kw):
        return ids(index.keyword("技术援助", Filters(level="unit", **kw), limit=100)[0])

    assert found(items=["2"]) == ["7", "21", "22", "23", "27", "28"]
    assert found(items=["1"]) == ["14", "16", "17", "18"]  # '1' includes 1(a) and 1(b)
    assert found(items=["1(b)"]) == ["16", "17", "18"]
    assert found(kinds=["list_item"]) == ["34", "35"]
    assert found(kinds=["table_row"]) == ["55", "56", "57", "58"]
    assert found(items=["3"], kinds=["paragraph", "list_item"]) == ["31", "34", "35", "38", "39"]
    assert found(docs=["CTOC/COP/WG.2/2009/1"]) == found(docs=[BUNDLED]) == units(TERM_UNITS)
    scores = sorted(r["score"] for r in index.keyword("技术援助", Filters(level="unit"), limit=100)[0])
    cut = scores[len(scores) // 2]  # a threshold some hits are below (scores are calibrated, most are high)
    assert scores[0] < cut
    strict = index.keyword("技术援助", Filters(level="unit", min_score=cut), limit=100)[0]
    assert strict and all(r["score"] >= cut for r in strict)
    assert set(ids(strict)) < set(units(TERM_UNITS))


def test_limit_keeps_corpus_order_and_says_truncated(index):
    results, truncated = index.keyword("技术援助", Filters(level="unit"), limit=3)
    assert ids(results) == ["2", "7", "8"] and truncated
    assert [r["rank"] for r in results] == [1, 2, 3]


# --- the command line --------------------------------------------------------------


def test_cli_json_parses_with_sorted_documented_fields(bundled_index, capsys):
    code, out, _ = run_cli(
        capsys,
        "query",
        "技术援助",
        "--index",
        str(bundled_index),
        "--level",
        "unit",
        "--item",
        "3",
        "--kind",
        "list_item",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert list(data) == sorted(data) == ["query", "results", "truncated"]
    assert [r["pair_id"] for r in data["results"]] == [f"{BUNDLED}:34", f"{BUNDLED}:35"]
    for r in data["results"]:
        assert list(r) == sorted(RESULT_FIELDS)
        assert r["symbol"] == "CTOC/COP/WG.2/2009/1" and r["item"] == "3" and r["kind"] == "list_item"
    assert data["query"]["filters"]["kind"] == ["list_item"] and data["query"]["mode"] == "keyword"


def test_cli_tsv(bundled_index, capsys):
    code, out, _ = run_cli(
        capsys, "query", "technical assistance", "--index", str(bundled_index), "--format", "tsv", "--limit", "5"
    )
    lines = out.rstrip("\n").split("\n")
    assert code == 0 and lines[0].split("\t") == list(RESULT_FIELDS)
    assert len(lines) == 6 and all(len(line.split("\t")) == len(RESULT_FIELDS) for line in lines)


def test_cli_table_fits_80_columns_and_marks_the_term(bundled_index, capsys):
    from rich.cells import cell_len

    code, out, _ = run_cli(capsys, "query", "技术援助", "--index", str(bundled_index), "--min-score", "0.5")
    assert code == 0
    assert "«技术援助»" in out and "CTOC/COP/WG.2/2009/1" in out and "Review of technical assistance" in out
    assert max(cell_len(line) for line in out.splitlines()) <= 80


def test_cli_no_match_is_not_an_error(bundled_index, capsys):
    code, out, _ = run_cli(capsys, "query", "photosynthesis", "--index", str(bundled_index), "--format", "json")
    assert code == 0 and json.loads(out)["results"] == []


# --- errors ------------------------------------------------------------------------


def test_missing_index_says_what_to_run(tmp_path, capsys):
    code, _, err = run_cli(capsys, "query", "技术援助", "--index", str(tmp_path / "index"))
    assert code == 2 and err.startswith("error: ") and "run `bitext index`" in err and err.count("\n") == 1


def test_empty_corpus_says_what_to_run(tmp_path, capsys):
    from pipeline import io
    from pipeline.schema import TABLES

    from .conftest import ROOT

    for name in TABLES:  # empty tables, as of a corpus whose documents all failed
        io.write_table(name, [], tmp_path / "aligned" / f"{name}.parquet")
    params = str(ROOT / "configs" / "params.yaml")
    assert main(["--params", params, "index", str(tmp_path / "aligned"), "--work", str(tmp_path / "work")]) == 0
    capsys.readouterr()
    for argv in (["技术援助"], ["--semantic", "technical assistance"]):
        code, _, err = run_cli(
            capsys, "--params", params, "query", *argv, "--index", str(tmp_path / "aligned" / "index")
        )
        assert code == 2 and "corpus is empty" in err and "raw/<DOC>" in err and "dvc repro" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["query"],  # no term
        ["query", "x", "--min-score", "2"],  # out of range
        ["query", "x", "--min-score", "high"],
        ["query", "x", "--limit", "0"],
        ["query", "x", "--format", "xml"],
        ["query", "x", "--kind", "chapter"],
        ["query", "x", "--level", "word"],
        ["query", "x", "--bogus"],
    ],
)
def test_bad_flags_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "usage: bitext" in err and "error:" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--doc", "A/64/999"], "unknown document 'A/64/999'"),
        (["--side", "zh"], "--semantic"),
        (["--exact"], "--semantic"),
    ],
)
def test_bad_combinations_are_one_line_errors(bundled_index, capsys, argv, message):
    code, _, err = run_cli(capsys, "query", "技术援助", "--index", str(bundled_index), *argv)
    assert code == 2 and err.startswith("error: ") and message in err and err.count("\n") == 1


def test_term_without_letters_is_an_error(bundled_index, capsys):
    code, _, err = run_cli(capsys, "query", "。！", "--index", str(bundled_index))
    assert code == 2 and "no letters or digits" in err


def test_help_explains_the_output(capsys):
    with pytest.raises(SystemExit):
        main(["query", "--help"])
    out = capsys.readouterr().out
    assert "--semantic" in out and "match_spans" in out and "examples:" in out
