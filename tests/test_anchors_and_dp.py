"""Anchor extraction and the alignment dynamic program on synthetic scores."""
from __future__ import annotations

from pipeline.align import dp
from pipeline.anchors import agreement, find_numbers, find_symbols


def test_symbols():
    text = "（E/CN.7/2009/CRP.6-E/CN.15/2009/CRP.6）, CTOC/COP/2006/8/Rev.1. decision 4/3 and questionnaires/checklists"
    assert find_symbols(text) == ["E/CN.7/2009/CRP.6", "E/CN.15/2009/CRP.6", "CTOC/COP/2006/8/Rev.1"]


def test_numbers_read_months_and_skip_symbols():
    assert find_numbers("opened at 10 a.m. on Thursday, 1 October 2009 (A/64/123)") == ["1", "10", "10", "2009"]
    assert find_numbers("将于 2009 年 10 月 1 日（星期四）上午 10 时召开（A/64/123）") == ["1", "10", "10", "2009"]
    assert agreement(["1", "2"], ["1", "2"]) == 1.0
    assert agreement([], []) is None
    assert agreement(["1"], ["2"]) == 0.0


def _score_from(gold: set[tuple[tuple[int, ...], tuple[int, ...]]]):
    def score(i, k, j, l):
        return 0.95 if (tuple(range(i, i + k)), tuple(range(j, j + l))) in gold else 0.05
    return score


def test_dp_finds_merges_and_omissions():
    gold = [((0,), (0,)), ((1,), (1, 2)), ((2, 3), (3,)), ((4,), ()), ((5,), (4,)), ((), (5,)), ((6,), (6,))]
    matched = {g for g in gold if g[0] and g[1]}
    ladder = dp.align(7, 7, _score_from(matched), skip_cost=0.5, merge_cost=0.05)
    assert [b for b, _ in ladder] == gold
    assert all(s == 0.0 for (a, b), s in ladder if not a or not b)


def test_dp_empty_sides():
    assert dp.align(0, 0, lambda *a: 1.0, 0.5, 0.05) == []
    assert [b for b, _ in dp.align(2, 0, lambda *a: 1.0, 0.5, 0.05)] == [((0,), ()), ((1,), ())]
