"""The sentence aligner: DP exactness, ladders and scoring, cache, symmetry, bad input."""

from __future__ import annotations

import dataclasses
import functools
import json

import numpy as np
import pytest

from pipeline.align import banded
from pipeline.align.overlaps import Side
from pipeline.align.sentence_aligner import SentenceAlignParams, align_sides
from pipeline.cli import main
from pipeline.embed.model import Embedder
from pipeline.evaluate import evalset
from pipeline.evaluate.ladder import format_bead, read_ladder, score
from pipeline.params import load_params

from .conftest import ROOT


@pytest.mark.parametrize("seed", range(60))
def test_banded_dp_is_exact_on_small_grids(seed):
    """Against brute force, with negative costs too (they happen: margin > offset)."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(0, 5)), int(rng.integers(0, 5))
    table = {}

    def cost_row(i, k, l, cols):
        return np.array([table.setdefault((i, k, l, int(j)), float(rng.uniform(-1, 1))) for j in cols])

    for i in range(n + 1):
        for j in range(m + 1):
            for k, l in banded.BEADS:
                if k and l and k <= i and l <= j:
                    cost_row(i, k, l, np.array([j]))

    @functools.lru_cache(None)
    def best(i, j):
        if i == 0 and j == 0:
            return 0.0
        return min(
            best(i - k, j - l) + (table[(i, k, l, j)] if k and l else 0.3 * (k + l))
            for k, l in banded.BEADS
            if k <= i and l <= j
        )

    path = banded.align(n, m, banded.Band.full(n, m), cost_row, 0.3)
    got = sum(table[(i + k, k, l, j + l)] if k and l else 0.3 * (k + l) for i, k, j, l in path)
    assert got == pytest.approx(best(n, m))
    assert sum(k for _, k, _, _ in path) == n and sum(l for _, _, _, l in path) == m


@pytest.mark.parametrize("seed", range(40))
def test_banded_dp_is_exact_with_a_skip_cost_per_sentence_and_larger_beads(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(0, 7)), int(rng.integers(0, 7))
    skip_a, skip_b = rng.uniform(0, 0.6, n), rng.uniform(0, 0.6, m)
    beads = banded.bead_types(5, 6)
    table = {}

    def cost_row(i, k, l, cols):
        return np.array([table.setdefault((i, k, l, int(j)), float(rng.uniform(-1, 1))) for j in cols])

    for i in range(n + 1):
        for j in range(m + 1):
            for k, l in beads:
                if k and l and k <= i and l <= j:
                    cost_row(i, k, l, np.array([j]))

    def step(i, k, j, l):  # the bead ending at (i, j)
        return table[(i, k, l, j)] if k and l else (skip_a[i - 1] if k else skip_b[j - 1])

    @functools.lru_cache(None)
    def best(i, j):
        if i == 0 and j == 0:
            return 0.0
        return min(best(i - k, j - l) + step(i, k, j, l) for k, l in beads if k <= i and l <= j)

    path = banded.align(n, m, banded.Band.full(n, m), cost_row, (skip_a, skip_b), beads)
    assert sum(step(i + k, k, j + l, l) for i, k, j, l in path) == pytest.approx(best(n, m))


def test_bead_types():
    assert banded.bead_types(3, 4) == banded.BEADS  # the default search, in its tie order
    assert (1, 5) in banded.bead_types(5, 6) and (2, 4) in banded.bead_types(5, 6)
    assert (2, 5) not in banded.bead_types(5, 6) and (3, 3) not in banded.bead_types(3, 5)


def test_band_is_symmetric_under_transpose():
    path = [(0, 0), (3, 2), (5, 6), (9, 9), (12, 10)]
    band = banded.Band.around(path, 12, 10, 2)
    band_t = banded.Band.around([(j, i) for i, j in path], 10, 12, 2)
    cells = {(i, j) for i in range(13) for j in range(band.lo[i], band.hi[i] + 1)}
    cells_t = {(j, i) for i in range(11) for j in range(band_t.lo[i], band_t.hi[i] + 1)}
    assert cells == cells_t


def test_params_yaml_equals_the_aligners_defaults():
    section = dict(load_params(ROOT / "configs" / "params.yaml")["sentence_align"])
    assert section == dataclasses.asdict(SentenceAlignParams())


def test_merge_with_an_unrelated_member_costs_more():
    """A sentence unrelated to the other side, absorbed into a merge, is penalised
    (member_weight): the omission is not hidden inside a 1-2 bead."""
    from pipeline.align.sentence_aligner import _Costs

    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.normal(size=(16, 16)))[0]
    src = Side(basis[[0, 1, 2]].astype(np.float32), np.array([40, 40, 40], np.float32), np.zeros((3, 64), np.float32))
    # target 1 is unrelated to every source sentence, and short: composition hides it
    tgt = Side(
        basis[[0, 9, 1, 2]].astype(np.float32), np.array([120, 10, 120, 120], np.float32), np.zeros((4, 64), np.float32)
    )
    beads = tuple(b for b in banded.BEADS if max(b) <= 3)
    band = banded.Band.full(3, 4)
    cost = {
        w: _Costs(src, tgt, band, SentenceAlignParams(member_weight=w), beads)(1, 1, 2, np.array([2]))[0]
        for w in (0.0, 1.0)
    }
    assert cost[1.0] > cost[0.0] + 0.1


def test_hubness_counts_distinct_runs_only():
    """Runs overlapping a better-matching run are not counted among a sentence's
    neighbours; single sentences never overlap, so they are counted as before."""
    from pipeline.align.sentence_aligner import _topk_mean, _topk_mean_distinct

    keys, ends = np.zeros(4, np.int64), np.array([5, 6, 4, 9])
    values = np.array([0.9, 0.85, 0.84, 0.5], np.float32)
    assert _topk_mean_distinct(keys, ends, values, 1, 2, 0.0, 2)[0] == pytest.approx(0.7)  # 5 and 9
    assert _topk_mean_distinct(keys, ends, values, 1, 2, 0.0, 1)[0] == pytest.approx(0.875)
    assert _topk_mean_distinct(keys, ends, values, 2, 3, 0.3, 3)[1] == pytest.approx(0.3)  # no values: the prior
    # against a plain greedy loop, on random bands
    rng = np.random.default_rng(1)
    for _ in range(50):
        size, run, k = int(rng.integers(1, 20)), int(rng.integers(1, 4)), int(rng.integers(1, 9))
        cells = np.unique(rng.integers(0, size * 40, int(rng.integers(0, 150))))
        keys, ends = cells // 40, cells % 40
        values = rng.random(len(cells)).astype(np.float32)
        expect = []
        for key in range(size):
            taken: list = []
            for value, end in sorted(zip(-values[keys == key], ends[keys == key])):
                if len(taken) < k and all(abs(end - e) >= run for e, _ in taken):
                    taken.append((end, -value))
            expect.append((sum(v for _, v in taken) + 0.3 * (k - len(taken))) / k)
        got = _topk_mean_distinct(keys, ends, values, size, k, 0.3, run)
        assert np.allclose(got, expect, atol=1e-6)
        if run == 1:
            assert np.allclose(got, _topk_mean(keys, values, size, k, 0.3), atol=1e-6)


def test_leftovers_between_the_same_beads_are_paired():
    from pipeline.align.sentence_aligner import _pair_leftovers

    # (i, k, j, l): a 1-0 and a 0-1 between two 1-1 beads become one 1-1 bead
    path = [(0, 1, 0, 1), (1, 1, 1, 0), (2, 0, 1, 1), (2, 1, 2, 1)]
    assert _pair_leftovers(path) == [(0, 1, 0, 1), (1, 1, 1, 1), (2, 1, 2, 1)]
    assert _pair_leftovers([(0, 0, 0, 1), (0, 1, 1, 0)]) == [(0, 1, 0, 1)]  # either order, at the edges
    # two sentences left on one side and one on the other: which would pair is unclear
    uneven = [(0, 1, 0, 1), (1, 1, 1, 0), (2, 1, 1, 0), (3, 0, 1, 1), (3, 1, 2, 1)]
    assert _pair_leftovers(uneven) == uneven
    # sentences that cannot translate each other stay omissions; the judge sees the gap's corner
    asked = []
    assert _pair_leftovers(path, lambda i, j: asked.append((i, j)) or False) == path
    assert asked == [(1, 1)]


def test_edge_windows():
    from pipeline.align.windows import edge_checks, edge_window

    text = "The report will be posted on the website. Statement by the President"
    assert edge_window(text, 12, head=False) == "the President"  # snapped to whole words
    assert edge_window(text, 5, head=True) == "The report"
    assert edge_window("主要要素过去几十年来", 4, head=True) == "主要要素"
    checks = edge_checks(range(0, 2), ["报告将登载在网站上。", "主席发言"], text, 3.0, 0.5)
    assert checks == [(1, "the President", "The report will")]  # the long member is not checked
    # a window over half the other run would overlap its opposite: no check
    assert edge_checks(range(0, 2), ["报告将登载在网站上。", "主席发言"], "Statement by the President", 3.0, 0.5) == []


def test_a_heading_glued_to_its_neighbour_is_found_but_a_missing_one_is_not(params):
    """English glued the heading "Statement by the Chair" to the sentence before it:
    that is a 2-1 bead, and the heading's edge window finds it; where English has no
    heading, the Chinese heading stays an omission and its window finds nothing."""
    from pipeline.align.sentence_aligner import _edge_window_gains, _median_ratio

    embedder = Embedder(params["embedding"], progress=False)
    zh = [
        "委员会在第一次会议上选举了主席团成员。",
        "委员会通过了临时议程。",
        "秘书处将在会议开幕前至少六周分发所有会议文件。",
        "主席发言",
        "主席向与会者致欢迎辞，并回顾了委员会的任务。",
        "委员会审议了执行主任的报告。",
        "若干代表团对报告表示欢迎。",
        "委员会决定将该项目推迟到下届会议审议。",
    ]
    body = "The secretariat will circulate all meeting documents at least six weeks before the opening of the session."
    en = [
        "At its first meeting, the Committee elected the members of its Bureau.",
        "The Committee adopted the provisional agenda.",
        body + " Statement by the Chair",
        "The Chair welcomed the participants and recalled the mandate of the Committee.",
        "The Committee considered the report of the Executive Director.",
        "Several delegations welcomed the report.",
        "The Committee decided to defer consideration of the item to its next session.",
    ]
    p = SentenceAlignParams.from_params(params["sentence_align"])
    vectors = embedder(zh + en + [body])
    src, tgt = Side.from_texts(zh, vectors[:8]), Side.from_texts(en, vectors[8:15])
    without_heading = Side.from_texts(
        en[:2] + [body] + en[3:], np.concatenate([vectors[8:10], vectors[15:], vectors[11:15]])
    )
    for tgt_side, expected in ((tgt, ((2, 3), (2,))), (without_heading, ((3,), ()))):
        forward = [(b.src, b.tgt) for b in align_sides(src, tgt_side, p, embedder)]
        assert expected in forward
        assert sorted(forward) == sorted((b.tgt, b.src) for b in align_sides(tgt_side, src, p, embedder))
    # the evidence itself: the heading's window gain in the merge (source 2-3 with target 2)
    path = [(0, 1, 0, 1), (1, 1, 1, 1), (2, 2, 2, 1), (4, 1, 3, 1), (5, 1, 4, 1), (6, 1, 5, 1), (7, 1, 6, 1)]
    glued = _edge_window_gains(path, src, tgt, p, _median_ratio(src, tgt), embedder)[(4, 2, 3, 1)][(0, 3)]
    missing = _edge_window_gains(path, src, without_heading, p, _median_ratio(src, without_heading), embedder)[
        (4, 2, 3, 1)
    ][(0, 3)]
    assert glued >= p.window_min_gain > missing


def test_ladder_round_trip_and_strict_scoring(tmp_path):
    gold = [((0,), (0,)), ((1,), (1, 2)), ((2,), ()), ((3, 4), (3,))]
    test = [((0,), (0,)), ((1,), (1,)), ((), (2,)), ((2,), ()), ((3, 4), (3,))]
    path = tmp_path / "x"
    path.write_text("".join(format_bead(a, b) + "\n" for a, b in gold))
    assert path.read_text().splitlines()[1] == "[1]:[1, 2]"
    assert read_ladder(path) == gold
    result = score(test, gold)
    assert (result["precision"], result["recall"]) == (0.6, 0.75)  # 3 of 5 test beads, 3 of 4 gold
    assert result["by_type"]["1-2"]["recall"] == 0.0


def test_evaluate_cli(tmp_path, capsys):
    for sub, beads in (("test", "[0]:[0]\n[1]:[]\n"), ("gold", "[0]:[0]\n[1]:[1]\n")):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "doc").write_text(beads)
    assert main(["evaluate", str(tmp_path / "test"), str(tmp_path / "gold")]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["precision"] == 0.5 and result["recall"] == 0.5


def test_unpc_lines_are_read_in_document_order(tmp_path):
    # the .ids file gives each line's place in its document; the files do not keep it
    ids = [
        "doc/a ar:9:1 en:7:2 zh:8:2",
        "doc/b en:1:1 zh:1:1",
        "doc/a ar:2:1 en:3:1 zh:3:1",
        "doc/a ar:9:1 en:7:1 zh:8:1",
    ]
    zh, en = ["甲二", "乙", "甲零", "甲一"], ["A2", "B", "A0", "A1"]
    for ext, lines in (("ids", ids), ("zh", zh), ("en", en)):
        (tmp_path / f"UNv1.0.devset.dev.{ext}").write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs = evalset.read_unpc(tmp_path)
    assert docs == {"doc/a": [("甲零", "A0"), ("甲一", "A1"), ("甲二", "A2")], "doc/b": [("乙", "B")]}


@pytest.fixture(scope="module")
def params(embedded_model_dir, tmp_path_factory):
    p = load_params(ROOT / "configs" / "params.yaml")
    p["embedding"]["embedded_dir"] = str(embedded_model_dir)
    p["embedding"]["cache_dir"] = str(tmp_path_factory.mktemp("cache"))
    return p


@pytest.fixture(scope="module")
def sample_tasks(tmp_path_factory):
    """A small seeded slice of the UNPC-derived set (joins, drops, several documents)."""
    out = tmp_path_factory.mktemp("evalset")
    evalset.build(ROOT / "raw" / "unpc-dev", out, evalset.EvalSetParams(seed=7, dev_share=0.95, task_sizes=(60, 90)))
    return out / "test"


def _sides(task_dir, name, embedder):
    from pipeline.stages.align_sentences import read_sentences

    zh, en = read_sentences(task_dir / "zh" / name), read_sentences(task_dir / "en" / name)
    return Side.pair(zh, en, embedder)


def test_directions_give_the_same_beads(sample_tasks, params):
    embedder = Embedder(params["embedding"], progress=False)
    p = SentenceAlignParams.from_params(params["sentence_align"])
    for gold in sorted((sample_tasks / "gold").iterdir()):
        zh, en = _sides(sample_tasks, gold.name, embedder)
        forward = {(b.src, b.tgt) for b in align_sides(zh, en, p, embedder)}
        backward = {(b.tgt, b.src) for b in align_sides(en, zh, p, embedder)}
        assert forward == backward
        assert score(sorted(forward), read_ladder(gold))["f1"] > 0.9


def test_banded_equals_full_grid_on_real_data(sample_tasks, params):
    embedder = Embedder(params["embedding"], progress=False)
    zh, en = _sides(sample_tasks, sorted((sample_tasks / "gold").iterdir())[0].name, embedder)
    base = SentenceAlignParams.from_params(params["sentence_align"])
    full = SentenceAlignParams(**{**base.__dict__, "full_grid_cells": 10**9})
    coarse = SentenceAlignParams(**{**base.__dict__, "full_grid_cells": 100})  # forces 3+ coarse levels
    assert [(b.src, b.tgt) for b in align_sides(zh, en, full)] == [(b.src, b.tgt) for b in align_sides(zh, en, coarse)]


def test_cached_embeddings_mean_no_encoder_call(params, tmp_path):
    p = {**params["embedding"], "cache_dir": str(tmp_path)}
    texts = ["技术援助需要。", "Technical assistance needs.", "技术援助需要。"]
    first = Embedder(p, progress=False)
    a = first(texts)
    assert first.encoded == 2  # each distinct text once
    second = Embedder(p, progress=False)  # a new process would start like this
    b = second(texts)
    assert second.encoded == 0 and second._model is None
    np.testing.assert_array_equal(a, b)


def test_realigning_with_cached_embeddings_makes_no_encoder_call(sample_tasks, params, tmp_path):
    """The whole aligner (first pass, merged runs and token vectors of the second pass)
    reads everything from the cache the second time."""
    p = {**params["embedding"], "cache_dir": str(tmp_path)}
    sp = SentenceAlignParams.from_params(params["sentence_align"])
    gold = sorted((sample_tasks / "gold").iterdir())[0]
    runs = []
    for _ in range(2):
        embedder = Embedder(p, progress=False)
        zh, en = _sides(sample_tasks, gold.name, embedder)
        runs.append(([(b.src, b.tgt) for b in align_sides(zh, en, sp, embedder)], embedder))
    assert runs[0][1].encoded > len(zh) + len(en)  # the second pass did encode merged runs and tokens
    assert runs[1][1].encoded == 0 and runs[1][1]._model is None
    assert runs[0][0] == runs[1][0]


def test_token_vectors_are_cached_and_drop_the_prompt(params, tmp_path):
    p = {**params["embedding"], "cache_dir": str(tmp_path)}
    first = Embedder(p, progress=False)
    a = first.tokens(["第一五六条", "Rule 156", ""])
    assert first.encoded == 3
    assert [len(t) for t in a] == [4, 2, 0]  # 第一 五 六 条 / ▁Rule ▁156: no "query:" tokens, no bare ▁
    np.testing.assert_allclose(np.linalg.norm(a[1], axis=1), 1.0, atol=1e-2)
    second = Embedder(p, progress=False)
    b = second.tokens(["Rule 156"])
    assert second.encoded == 0 and second._model is None
    np.testing.assert_array_equal(a[1], b[0])


def test_token_vectors_come_from_the_first_forward_pass(params, tmp_path):
    """With keep_tokens, the token vectors of texts just encoded cost no second pass and
    match what a separate token pass gives."""
    texts = ["第一五六条", "Rule 156 of the rules of procedure"]
    keeping = Embedder({**params["embedding"], "cache_dir": str(tmp_path / "a")}, progress=False, keep_tokens=10)
    vectors = keeping(texts)
    got = keeping.tokens(texts)
    assert keeping.encoded == 2
    plain = Embedder({**params["embedding"], "cache_dir": str(tmp_path / "b")}, progress=False)
    np.testing.assert_allclose(vectors, plain(texts), atol=1e-5)
    for a, b in zip(got, plain.tokens(texts)):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, atol=1e-2)


def test_coverage_gain_of_an_absorbed_member_is_zero():
    """A member whose tokens match none of the other side's tokens better adds nothing."""
    from pipeline.align.sentence_aligner import _coverage_gains

    def gains(members, other):  # best[o][u, t] from token vectors, as the aligner keeps them
        return _coverage_gains([np.stack([(o @ m.T).max(axis=1) for m in members]) for o in other])

    eye = np.eye(6, dtype=np.float32)
    other = [eye[[0, 1]], eye[[2, 3]]]  # the other side's tokens, two sentences
    true_merge = [eye[[0, 1]], eye[[2, 3]]]  # each member covers half
    absorbed = [eye[[0, 1, 2, 3]], eye[[4, 5]]]  # the second member is unrelated
    assert min(gains(true_merge, other)) == pytest.approx(0.5)
    assert gains(absorbed, other) == pytest.approx([1.0, 0.0])
    assert gains([eye[[0]]], other) == []  # a single sentence is no merge


def test_token_evidence_raises_or_lowers_the_cost_of_a_merge():
    """A one-to-many merge whose every member covers tokens of the other side costs
    less (token_bonus), one with a member that covers nothing costs more
    (token_penalty); a merge on both sides gets no bonus."""
    from pipeline.align.sentence_aligner import _Costs

    eye = np.eye(8, dtype=np.float32)
    rng = np.random.default_rng(1)
    basis = np.linalg.qr(rng.normal(size=(16, 16)))[0].astype(np.float32)
    zeros = np.zeros((2, 64), np.float32)
    src = Side(basis[[0, 5]], np.array([40, 40], np.float32), zeros)
    tgt = Side(basis[[0, 1]], np.array([20, 20], np.float32), zeros)
    beads = tuple(b for b in banded.BEADS if max(b) <= 3)

    def cost(tgt_tokens, src_tokens=None, **params):
        tokens = (src_tokens or {0: eye[[0, 1, 2, 3]], 1: eye[[4]]}, tgt_tokens)
        costs = _Costs(src, tgt, banded.Band.full(2, 2), SentenceAlignParams(**params), beads, tokens=tokens)
        return costs, costs(1, 1, 2, np.array([2]))[0]  # source 0 with targets 0-1

    halves = {0: eye[[0, 1]], 1: eye[[2, 3]]}  # each target member renders half the source
    absorbed = {0: eye[[0, 1, 2, 3]], 1: eye[[6, 7]]}  # target 1 renders nothing of it
    costs, plain = cost(halves, token_bonus=0.0)
    assert costs._surplus(1, 1, 2, 2) == 1.0 and costs._shortfall(1, 1, 2, 2) == 0.0
    assert cost(halves, token_bonus=0.02)[1] == pytest.approx(plain - 1.5 * 0.02)
    costs, with_absorbed = cost(absorbed, token_bonus=0.02)
    assert costs._surplus(1, 1, 2, 2) == 0.0 and costs._shortfall(1, 1, 2, 2) == 1.0
    penalty = SentenceAlignParams().token_penalty
    assert with_absorbed == pytest.approx(cost(absorbed, token_bonus=0.0, token_penalty=0.0)[1] + 1.5 * penalty)
    # source 0-1 with targets 0-1 (a 2-2 bead): evidence on both sides is no reason for a bonus
    costs, _ = cost(halves, src_tokens={0: eye[[0, 1]], 1: eye[[2, 3]]}, token_bonus=0.02)
    assert costs._surplus(2, 2, 2, 2) == 0.0


def test_token_gains_per_share_put_short_and_long_members_on_one_scale():
    """A short member that renders its short part of the other side gains little
    coverage in absolute terms; divided by its share of the run it is on the scale of
    a long member (so a one-sentence rendering of a short clause is not mistaken for
    an absorbed sentence), while an absorbed member stays at zero."""
    from pipeline.align.sentence_aligner import _Costs

    eye = np.eye(10, dtype=np.float32)
    rng = np.random.default_rng(2)
    basis = np.linalg.qr(rng.normal(size=(16, 16)))[0].astype(np.float32)
    zeros = np.zeros((2, 64), np.float32)
    src = Side(basis[[0, 5]], np.array([100, 100], np.float32), zeros)
    tgt = Side(basis[[0, 1]], np.array([89, 9], np.float32), zeros)  # shares 0.9 and 0.1
    beads = tuple(b for b in banded.BEADS if max(b) <= 3)
    src_tokens = {0: eye[list(range(10))], 1: eye[[0]]}  # source 0: ten tokens

    def gains(tgt_tokens, per_share):
        p = SentenceAlignParams(token_gain_per_share=per_share)
        costs = _Costs(src, tgt, banded.Band.full(2, 2), p, beads, tokens=(src_tokens, tgt_tokens))
        return costs._token_gains(1, 1, 2, 2)  # source 0 with targets 0-1

    rendered = {0: eye[list(range(9))], 1: eye[[9]]}  # target 1 renders the tenth token
    plain = gains(rendered, per_share=False)
    assert plain[(1, 0)] == pytest.approx(0.9) and plain[(1, 1)] == pytest.approx(0.1)
    scaled = gains(rendered, per_share=True)
    assert scaled[(1, 0)] == pytest.approx(1.0) and scaled[(1, 1)] == pytest.approx(1.0)
    absorbed = gains({0: eye[list(range(10))], 1: eye[[0]]}, per_share=True)  # repeats a covered token
    assert absorbed[(1, 1)] == pytest.approx(0.0)


@pytest.mark.parametrize(
    "zh, en, expect",
    [
        ("", "", []),
        ("", "One.\nTwo.\n", ["[]:[0]", "[]:[1]"]),
        ("一。\n", "", ["[0]:[]"]),
        ("技术援助需要。\n", "Technical assistance needs.\n", ["[0]:[0]"]),
    ],
)
def test_align_sentences_degenerate_inputs(zh, en, expect, tmp_path, params, capsys):
    (tmp_path / "zh").write_text(zh, encoding="utf-8")
    (tmp_path / "en").write_text(en, encoding="utf-8")
    params_file = tmp_path / "params.yaml"
    import yaml

    params_file.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    assert main(["--params", str(params_file), "align-sentences", str(tmp_path / "zh"), str(tmp_path / "en")]) == 0
    assert capsys.readouterr().out.split() == expect


def test_align_sentences_wildly_different_lengths(tmp_path, params, capsys):
    zh = [f"第 {i} 条规定了缔约国的义务。" for i in range(100)]
    (tmp_path / "zh").write_text("\n".join(zh) + "\n", encoding="utf-8")
    (tmp_path / "en").write_text("Article 57 sets out the obligations of States parties.\n", encoding="utf-8")
    import yaml

    (tmp_path / "p.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    assert (
        main(
            [
                "--params",
                str(tmp_path / "p.yaml"),
                "align-sentences",
                str(tmp_path / "zh"),
                str(tmp_path / "en"),
                "--out",
                str(tmp_path / "ladder"),
            ]
        )
        == 0
    )
    beads = read_ladder(tmp_path / "ladder")
    assert sorted(i for a, _ in beads for i in a) == list(range(100))
    assert [b for _, b in beads if b] == [(0,)]
    assert ((57,), (0,)) in beads  # "第 57 条" = "Article 57": the number picks the pair


def test_align_sentences_rejects_non_utf8(tmp_path, capsys):
    (tmp_path / "zh").write_bytes("技术援助".encode("gb18030"))
    (tmp_path / "en").write_text("x\n")
    assert main(["align-sentences", str(tmp_path / "zh"), str(tmp_path / "en")]) == 2
    err = capsys.readouterr().err
    assert "not valid UTF-8" in err and "zh" in err and err.count("\n") == 1
