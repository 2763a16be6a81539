"""Spotting many pairs at once: renderings the encoder agreed on are reused by string
match (pipeline/search/spotting.py, Spotter.spot_many); the encoder itself is replaced by
a stand-in that records which pairs it was asked about."""

from __future__ import annotations

import re

import pytest

from pipeline.search.spotting import Spotter, SpottingSettings


class RecordingSpotter(Spotter):
    """``spot`` finds the first of ``renderings`` in the target; every call is recorded."""

    def __init__(self, renderings: list[str], **settings):
        super().__init__(model=None, settings=SpottingSettings(**settings))
        self.renderings = renderings
        self.encoded: list[str] = []

    def tokens(self, texts):
        self.encoded += texts
        return []

    def spot(self, src, term_spans, tgt, tgt_lang):
        self.encoded_pairs = getattr(self, "encoded_pairs", []) + [tgt]
        for r in self.renderings:
            m = re.search(re.escape(r), tgt, re.IGNORECASE)
            if m:
                return [m.span()]
        return []


def item(src: str, term: str, tgt: str, lang: str = "zh"):
    a = src.index(term)
    return (src, [(a, a + len(term))], tgt, lang)


EN = "We discussed technical assistance today, number {}."


def zh(k: int, rendering: str = "技术援助") -> str:
    return f"第{k}段：今天讨论了{rendering}问题。"


def test_a_rendering_found_twice_is_reused_by_later_pairs_without_encoding():
    spotter = RecordingSpotter(["技术援助"], round_size=2, reuse_after=2)
    items = [item(EN.format(k), "technical assistance", zh(k)) for k in range(10)]
    spans = spotter.spot_many(items)
    assert len(spotter.encoded_pairs) == 2  # the first round only
    for (_, _, tgt, _), got in zip(items, spans):
        assert [tgt[a:b] for a, b in got] == ["技术援助"]


def test_reuse_can_be_switched_off():
    spotter = RecordingSpotter(["技术援助"], round_size=2, reuse_after=0)
    spotter.spot_many([item(EN.format(k), "technical assistance", zh(k)) for k in range(10)])
    assert len(spotter.encoded_pairs) == 10


def test_a_rendering_found_once_is_not_copied():
    spotter = RecordingSpotter(["技术援助", "技术支助"], round_size=1, reuse_after=2)
    items = [item(EN.format(0), "technical assistance", zh(0, "技术支助"))]
    items += [item(EN.format(k), "technical assistance", zh(k)) for k in range(1, 6)]
    spotter.spot_many(items)
    # 技术支助 (once) never reused; 技术援助 reused once it was found twice (pairs 1 and 2)
    assert len(spotter.encoded_pairs) == 3


def test_ambiguous_targets_are_encoded():
    spotter = RecordingSpotter(["技术援助"], round_size=2, reuse_after=2)
    items = [item(EN.format(k), "technical assistance", zh(k)) for k in range(2)]
    items.append(item(EN.format(2), "technical assistance", "技术援助和技术援助"))  # twice in the target
    twice = "technical assistance and technical assistance"
    items.append((twice, [(0, 20), (25, 45)], zh(3), "zh"))  # the term twice in the source
    items.append(item(EN.format(4), "technical assistance", "没有这个词"))  # not there
    spotter.spot_many(items)
    assert len(spotter.encoded_pairs) == 5


def test_renderings_belong_to_their_term():
    spotter = RecordingSpotter(["技术援助"], round_size=2, reuse_after=2)
    items = [item(EN.format(k), "technical assistance", zh(k)) for k in range(2)]
    items += [item(f"Other words about assistance {k}.", "assistance", zh(k)) for k in range(3)]
    spotter.spot_many(items)
    assert len(spotter.encoded_pairs) == 4  # "assistance" has its own first round


@pytest.mark.parametrize(
    "target, expected",
    [
        ("They asked for Technical  Assistance twice.", "Technical  Assistance"),
        ("They asked for technical\nassistance.", "technical\nassistance"),
        ("Nontechnical assistance is different.", None),  # not a whole word
        ("technical assistances are plural.", None),
    ],
)
def test_english_renderings_match_whole_words_any_case_and_spacing(target, expected):
    spotter = RecordingSpotter(["technical assistance"], round_size=2, reuse_after=2)
    src = "讨论了技术援助问题{}。"
    items = [item(src.format(k), "技术援助", f"We discussed technical assistance {k}.", "en") for k in range(2)]
    items.append(item(src.format(9), "技术援助", target, "en"))
    spans = spotter.spot_many(items)
    if expected is None:
        assert len(spotter.encoded_pairs) == 3
    else:
        assert len(spotter.encoded_pairs) == 2
        assert [target[a:b] for a, b in spans[2]] == [expected]


def test_chinese_renderings_match_across_spaces():
    spotter = RecordingSpotter(["技术援助"], round_size=2, reuse_after=2)
    items = [item(EN.format(k), "technical assistance", zh(k)) for k in range(2)]
    items.append(item(EN.format(2), "technical assistance", "提供技术 援助。"))
    spans = spotter.spot_many(items)
    assert len(spotter.encoded_pairs) == 2
    assert spans[2] == [(2, 7)]


def test_a_rendering_inside_a_longer_agreed_one_counts_as_the_longer():
    spotter = RecordingSpotter(["Security Council", "Security"], round_size=2, reuse_after=2)
    src = "安全理事会第{}次会议。"
    items = [item(src.format(k), "安全理事会", f"The Security Council met ({k}).", "en") for k in range(2)]
    items += [item(src.format(k), "安全理事会", f"Security matters ({k}).", "en") for k in range(2, 4)]
    items.append(item(src.format(9), "安全理事会", "Then the Security Council adjourned.", "en"))
    spans = spotter.spot_many(items)
    assert len(spotter.encoded_pairs) == 4
    assert spans[4] == [(9, 25)]


def test_batches_keep_padding_small_and_hold_every_text_once():
    class Tokenizer:
        def __call__(self, texts):
            return {"input_ids": [t.split() for t in texts]}

    spotter = Spotter(model=type("M", (), {"tokenizer": Tokenizer()})(), prompt="")
    texts = [" ".join(["w"] * n) + f" #{k}" for k, n in enumerate([3, 50, 4, 5, 48, 120, 3, 3, 3, 3] * 3)]
    batches = spotter._batches(texts)
    assert sorted(t for b in batches for t in b) == sorted(texts)
    for batch in batches:
        sizes = [len(t.split()) for t in batch]
        assert len(batch) <= 16
        assert len(batch) == 1 or max(sizes) * len(batch) <= 1.15 * sum(sizes)
    assert spotter._batches([]) == []
