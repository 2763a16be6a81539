"""Spotting many pairs at once: renderings the encoder agreed on are reused by string
match (pipeline/search/spotting.py, Spotter.spot_many); the encoder itself is replaced by
a stand-in that records which pairs it was asked about."""

from __future__ import annotations

import re
import zlib

import numpy as np
import pytest

from pipeline.search.spotting import Spotter, SpottingSettings


class RecordingSpotter(Spotter):
    """``spot`` finds the first of ``renderings`` in the target; every call is recorded."""

    def __init__(self, renderings: list[str], **settings):
        super().__init__(model=None, settings=SpottingSettings(**settings))
        self.renderings = renderings
        self.spot_calls: list[str] = []  # targets the encoder was run on

    def tokens(self, texts):
        return []

    def spot(self, src, term_spans, tgt, tgt_lang):
        self.spot_calls.append(tgt)
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
    assert len(spotter.spot_calls) == 2  # the first round only
    for (_, _, tgt, _), got in zip(items, spans):
        assert [tgt[a:b] for a, b in got] == ["技术援助"]


def test_reuse_can_be_switched_off():
    spotter = RecordingSpotter(["技术援助"], round_size=2, reuse_after=0)
    spotter.spot_many([item(EN.format(k), "technical assistance", zh(k)) for k in range(10)])
    assert len(spotter.spot_calls) == 10


def test_a_rendering_found_once_is_not_copied():
    spotter = RecordingSpotter(["技术援助", "技术支助"], round_size=1, reuse_after=2)
    items = [item(EN.format(0), "technical assistance", zh(0, "技术支助"))]
    items += [item(EN.format(k), "technical assistance", zh(k)) for k in range(1, 6)]
    spotter.spot_many(items)
    # 技术支助 (once) never reused; 技术援助 reused once it was found twice (pairs 1 and 2)
    assert len(spotter.spot_calls) == 3


def test_ambiguous_targets_are_encoded():
    spotter = RecordingSpotter(["技术援助"], round_size=2, reuse_after=2)
    items = [item(EN.format(k), "technical assistance", zh(k)) for k in range(2)]
    items.append(item(EN.format(2), "technical assistance", "技术援助和技术援助"))  # twice in the target
    twice = "technical assistance and technical assistance"
    items.append((twice, [(0, 20), (25, 45)], zh(3), "zh"))  # the term twice in the source
    items.append(item(EN.format(4), "technical assistance", "没有这个词"))  # not there
    spotter.spot_many(items)
    assert len(spotter.spot_calls) == 5


def test_renderings_belong_to_their_term():
    spotter = RecordingSpotter(["技术援助"], round_size=2, reuse_after=2)
    items = [item(EN.format(k), "technical assistance", zh(k)) for k in range(2)]
    items += [item(f"Other words about assistance {k}.", "assistance", zh(k)) for k in range(3)]
    spotter.spot_many(items)
    assert len(spotter.spot_calls) == 4  # "assistance" has its own first round


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
        assert len(spotter.spot_calls) == 3
    else:
        assert len(spotter.spot_calls) == 2
        assert [target[a:b] for a, b in spans[2]] == [expected]


def test_chinese_renderings_match_across_spaces():
    spotter = RecordingSpotter(["技术援助"], round_size=2, reuse_after=2)
    items = [item(EN.format(k), "technical assistance", zh(k)) for k in range(2)]
    items.append(item(EN.format(2), "technical assistance", "提供技术 援助。"))
    spans = spotter.spot_many(items)
    assert len(spotter.spot_calls) == 2
    assert spans[2] == [(2, 7)]


def test_a_rendering_inside_a_longer_agreed_one_counts_as_the_longer():
    spotter = RecordingSpotter(["Security Council", "Security"], round_size=2, reuse_after=2)
    src = "安全理事会第{}次会议。"
    items = [item(src.format(k), "安全理事会", f"The Security Council met ({k}).", "en") for k in range(2)]
    items += [item(src.format(k), "安全理事会", f"Security matters ({k}).", "en") for k in range(2, 4)]
    items.append(item(src.format(9), "安全理事会", "Then the Security Council adjourned.", "en"))
    spans = spotter.spot_many(items)
    assert len(spotter.spot_calls) == 4
    assert spans[4] == [(9, 25)]


def test_batches_keep_padding_small_and_hold_every_text_once():
    class Tokenizer:
        def __call__(self, texts, **_):
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


def test_one_pair_counts_once_however_often_it_holds_the_term_or_repeats():
    spotter = RecordingSpotter(["技术援助"], round_size=1, reuse_after=2)
    twice = "technical assistance and technical assistance"
    items = [(twice, [(0, 20), (25, 45)], "技术援助与技术援助", "zh")]
    items += [item(EN.format(0), "technical assistance", zh(0))] * 2  # the same pair twice
    items += [item(EN.format(k), "technical assistance", zh(k)) for k in range(1, 4)]
    spotter.spot_many(items)
    assert len(spotter.spot_calls) == 4  # found in the 2nd distinct pair (the 4th item), reused after


def test_renderings_inside_longer_words_are_not_reused():
    spotter = RecordingSpotter(["援助"], round_size=2, reuse_after=2)
    items = [item(f"assistance {k}", "assistance", f"提供援助。{k}") for k in range(2)]
    items.append(item("assistance 7", "assistance", "援助国提供了资金。"))  # 援助国: donor country
    items.append(item("assistance 8", "assistance", "WTO援助X计划"))  # Latin letters around it
    spotter.spot_many(items)
    assert len(spotter.spot_calls) == 4


def test_overlapping_renderings_are_not_reused():
    spotter = RecordingSpotter(["human rights", "rights council"], round_size=4, reuse_after=2)
    src = "人权人权{}"
    items = [item(src.format(k), "人权", f"human rights {k}", "en") for k in range(2)]
    items += [item(src.format(k), "人权", f"rights council {k}", "en") for k in range(2, 4)]
    items.append(("人权和人权", [(0, 2), (3, 5)], "the human rights council", "en"))
    spotter.spot_many(items)
    assert len(spotter.spot_calls) == 5


def test_pairs_with_nothing_to_spot_are_not_encoded():
    spotter = RecordingSpotter(["技术援助"], round_size=2, reuse_after=2)
    got = spotter.spot_many(
        [("", [(0, 1)], "技术援助", "zh"), (EN.format(1), [], zh(1), "zh"), (EN, [(0, 3)], "", "zh")]
    )
    assert got == [[], [], []] and spotter.spot_calls == []
    assert spotter.spot_many([]) == []


@pytest.mark.parametrize("key, value", [("round_size", 0), ("round_size", -1), ("reuse_after", -1), ("layer", -1)])
def test_spotting_settings_are_checked(key, value):
    from pipeline.errors import PipelineError

    with pytest.raises(PipelineError, match=f"spotting.{key}"):
        SpottingSettings(**{key: value})


class HashEncoder(Spotter):
    """A deterministic stand-in encoder: a word's vector depends on the word only, and a
    Chinese word is linked to its English translation through a small dictionary."""

    WORDS = {"technical": "技术", "assistance": "援助", "was": "是", "given": "提供", "we": "我们"}

    def tokens(self, texts):
        out = []
        for text in texts:
            spans = [m.span() for m in re.finditer(r"[A-Za-z]+|技术|援助|提供|我们|是", text)]
            vecs = []
            for a, b in spans:
                w = text[a:b].lower()
                w = self.WORDS.get(w, w)
                v = [float(zlib.crc32(w.encode()) % 97 == i) + (0.01 if i == len(w) else 0.0) for i in range(97)]
                vecs.append(v)
            arr = np.array(vecs or [[0.0] * 97], dtype=float)
            arr /= np.linalg.norm(arr, axis=1, keepdims=True) + 1e-9
            out.append((arr if spans else arr[:0], spans))
        return out


def technical_assistance_items(n: int = 8) -> list[tuple]:
    """English sentences holding the term once, each with a Chinese translation."""
    en = ["technical assistance was given {}", "we gave technical assistance {}"]
    items = []
    for k in range(n):
        src = en[k % 2].format(k)
        a = src.index("technical assistance")
        items.append((src, [(a, a + 20)], f"我们提供了技术援助{k}", "zh"))
    return items


def test_reused_spans_equal_what_the_encoder_marks():
    items = technical_assistance_items()
    reused = HashEncoder(model=None, settings=SpottingSettings(round_size=2, reuse_after=2)).spot_many(items)
    each = HashEncoder(model=None, settings=SpottingSettings(reuse_after=0)).spot_many(items)
    assert reused == each
    assert all(tgt[a:b] == "技术援助" for (_, _, tgt, _), spans in zip(items, each) for a, b in spans)
