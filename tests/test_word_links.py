"""Stored word links (pipeline/search/word_links.py): spotting from them gives the spans
live spotting gives, they survive the stored form, and the index computes each pair once."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.search.spotting import SpottingSettings
from pipeline.search.word_links import LinkCache, Side, WordLinks, link, stored_links

from .test_spotting import HashEncoder, technical_assistance_items

PAIRS = [
    ("我们提供了技术援助", "we gave technical assistance"),
    ("技术援助是我们提供的", "technical assistance was given by us"),
    ("没有英文", ""),
]


def spotter(**settings) -> HashEncoder:
    return HashEncoder(model=None, settings=SpottingSettings(**settings))


@pytest.mark.parametrize("zh, en", PAIRS[:2])
def test_stored_links_spot_what_live_spotting_spots(zh, en):
    s = spotter()
    stored = WordLinks.from_bytes(s.links(zh, en).to_bytes())
    for src, tgt, tgt_lang, term in ((en, zh, "zh", "technical assistance"), (zh, en, "en", "技术援助")):
        a = src.index(term)
        live = s.spot(src, [(a, a + len(term))], tgt, tgt_lang)
        assert live and s.spot_linked(stored, [(a, a + len(term))], tgt, tgt_lang) == live
    assert [tgt[a:b] for a, b in live] == ["technical assistance"]


def test_the_stored_form_round_trips_exactly():
    links = spotter().links(*PAIRS[1])
    back = WordLinks.from_bytes(links.to_bytes())
    for lang in ("zh", "en"):
        a, b = links.side(lang), back.side(lang)
        assert np.array_equal(a.spans, b.spans) and np.array_equal(a.closest, b.closest)
        assert a.sim.dtype == b.sim.dtype == np.float16 and np.array_equal(a.sim, b.sim)


def test_spans_that_do_not_fit_are_not_stored():
    long_token = Side(np.array([[0, 300]]), np.array([0]), np.array([0.5], np.float16))
    far = Side(np.array([[70000, 70002]]), np.array([0]), np.array([0.5], np.float16))
    ok = Side(np.array([[0, 2]]), np.array([0]), np.array([0.5], np.float16))
    assert WordLinks(long_token, ok).to_bytes() is None
    assert WordLinks(ok, far).to_bytes() is None
    assert WordLinks(ok, ok).to_bytes() is not None


def test_a_side_without_tokens_links_nothing():
    links = link(np.zeros((0, 4)), [], np.ones((1, 4)), [(0, 3)])
    assert len(links.zh) == 0 and len(links.en) == 1
    assert spotter().spot_linked(links, [(0, 3)], "abc", "zh") == []


def test_the_index_computes_each_pair_once_through_the_cache(tmp_path):
    made = []

    def make():
        made.append(1)
        return spotter()

    cache = LinkCache(tmp_path, "test")
    first = stored_links(PAIRS, make, cache)
    assert first[0] and first[1] and first[2] is None  # no English side: nothing to store
    assert made == [1]
    again = stored_links(PAIRS, make, LinkCache(tmp_path, "test"))
    assert again == first and made == [1]  # all from the cache: no encoder


def test_unknown_formats_are_refused():
    data = bytearray(spotter().links(*PAIRS[0]).to_bytes())
    data[0] = 99
    with pytest.raises(ValueError, match="format 99"):
        WordLinks.from_bytes(bytes(data))


def test_spotters_sharing_a_model_read_the_layer_they_are_set_to(embedded_model_dir):
    import torch

    from pipeline.embed.model import load_model
    from pipeline.errors import PipelineError
    from pipeline.search.spotting import Spotter

    model = load_model("embedded", embedded_model_dir)
    enc = model.tokenizer(["query: 缔约方会议请技术援助提供者加强协调。"], return_tensors="pt")
    with torch.no_grad():
        expected = model[0].auto_model(**enc, output_hidden_states=True).hidden_states
    for layer in (8, 6, 8):  # each a new spotter on the same model
        with torch.no_grad():
            got = Spotter(model, settings=SpottingSettings(layer=layer))._hidden_states(enc)
        assert torch.equal(got, expected[layer])
    with pytest.raises(PipelineError, match="has 12 layers"):
        Spotter(model, settings=SpottingSettings(layer=13))._hidden_states(enc)


def test_a_page_spotted_from_stored_links_equals_live_spotting_and_encodes_nothing():
    items = technical_assistance_items()
    live = spotter(round_size=2, reuse_after=2).spot_many(items)
    s = spotter(round_size=2, reuse_after=2)
    stored = [WordLinks.from_bytes(s.links(tgt, src).to_bytes()) for src, _, tgt, _ in items]
    encoded = []
    s.tokens = lambda texts, tokens=s.tokens: encoded.extend(texts) or tokens(texts)
    assert s.spot_many(items, stored) == live
    assert encoded == []
    # an item without links is encoded, the others are not
    assert s.spot_many(items, [None, *stored[1:]]) == live
    assert set(encoded) == {items[0][0], items[0][2]}


def test_the_benchmark_moves_links_past_replaced_numbers_and_joins_pairs():
    """benchmarks/query_bench.py: a synthetic pair's links come from its UNPC pair's."""
    import re

    from benchmarks.query_bench import _NUMBER, synthetic_word_links

    zh, en = ["第1998号决议和第7段"], ["resolution 1998 and paragraph 7"]

    def side(text):
        spans = np.array([m.span() for m in re.finditer(r"\d+|[A-Za-z]+|[^\W\d]", text)])
        return Side(spans, np.arange(len(spans)) % 3, np.full(len(spans), 0.5, np.float16))

    base = [WordLinks(side(zh[0]), side(en[0]))]
    swap = {"1998": "5", "7": "123"}
    swapped, joined = synthetic_word_links([(0, -1, swap), (0, 0, None)], zh, en, base)
    new_zh, new_en = (_NUMBER.sub(lambda m: swap[m.group(0)], t) for t in (zh[0], en[0]))
    moved = WordLinks.from_bytes(swapped)
    assert [new_zh[a:b] for a, b in moved.zh.spans] == ["第", "5", "号", "决", "议", "和", "第", "123", "段"]
    assert [new_en[a:b] for a, b in moved.en.spans] == ["resolution", "5", "and", "paragraph", "123"]
    both = WordLinks.from_bytes(joined)
    assert [(zh[0] * 2)[a:b] for a, b in both.zh.spans] == [zh[0][a:b] for a, b in base[0].zh.spans] * 2
    assert [(en[0] + " " + en[0])[a:b] for a, b in both.en.spans] == [en[0][a:b] for a, b in base[0].en.spans] * 2
    n_en = len(base[0].en)
    assert list(both.zh.closest) == [*base[0].zh.closest, *(base[0].zh.closest + n_en)]  # the second pair's own
