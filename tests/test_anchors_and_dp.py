"""Anchor extraction and the alignment dynamic program on synthetic scores."""

from __future__ import annotations

import pytest

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


@pytest.mark.parametrize(
    "zh, en",
    [
        ("违反总数 -- -- 2 784次", "Total number of violations -- 2,784"),  # thousands, spaced or with commas
        ("已收到捐款136 000美元", "more than $136,000 had been donated"),
        ("1.35亿美元的认捐，还有5.85亿美元的缺口", "$135 million in pledges, leaving a shortfall of $585 million"),
        ("预算外捐款3 300万美元", "extrabudgetary contributions of 33 million"),
        ("超过289亿苏姆", "over 28.9 billion sum"),
        ("拥有约200万居民的城镇", "a town of almost two million inhabitants"),  # number word and scale word
        ("一百万人", "a million people"),
        ("第一五六条", "Rule 156"),  # digit-by-digit Chinese numerals
        ("《宪章》第三十三条第一项", "the Charter, in Article 33, paragraph 1"),
        ("第四十八届会议", "the forty-eighth session"),
        ("方案预算委员会第三十一届会议", "the thirty-first session of the Programme and Budget Committee"),
        ("5个选项", "five options"),
        ("本报告第一节", "section I of the present report"),
        ("《联合国宪章》第六章和附件二", "Chapter VI of the Charter of the United Nations and annex II"),
        ("上午9时30分举行", "to be held at 9.30 a.m."),
        ("面积：948.2平方公里。", "Land area: 948.2 km²."),
        (
            "十二、 议事规则的修正和暂停适用",
            "XII. Amendment and suspension of the rules of procedure",
        ),  # heading numbers
        (
            "五. 任命全权证书委员会成员六. 与会者",
            "V. Appointment of the members of the Credentials Committee VI. Participants",
        ),
    ],
)
def test_numbers_agree_across_languages(zh, en):
    assert find_numbers(zh) == find_numbers(en) != []


@pytest.mark.parametrize(
    "text",
    [
        "Each Conference of the Parties may wish to adopt a decision",  # "may" the verb, not May
        "protesters will march to the square",
        "第一次会议",  # "first meeting": ordinals of 1 are left out on both sides ...
        "the first meeting",
        "一些国家统一行动十分重要",  # ... and so are 一 and 十 inside ordinary words
        "a two-thirds majority",
        "这两个方面",  # 两 is as often "both"
        "I have the honour to",
        "统一、协调的办法",
    ],
)
def test_words_that_are_not_numbers(text):
    assert find_numbers(text) == []


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
