"""Sentence pairs inside units, and pairing by content where the structure disagrees."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from .conftest import BUNDLED, RAW_DOC, run_pipeline, write_params


def test_bundled_sentence_pairs_are_right(bundled_output):
    sent = pd.read_parquet(bundled_output / "sentence_alignments.parquet")
    assert (sent.link == "1-1").all()
    pairs = dict(zip(sent.zh_text, sent.en_text))
    assert pairs[
        "在该决定中，缔约方会议回顾技术援助提供者有必要提高认识并强调该公约及其各项议定书的重要性以及联合国毒品和犯罪问题办公室在执行这些文书方面的作用。"
    ].startswith("In that decision, the Conference recalled the need")
    assert pairs[
        "缔约方会议还请公约缔约国和签署国为毒品和犯罪问题办公室的技术援助活动提供自愿捐款以推动执行公约及其各项议定书，尤其是在上述建议和秘书处所编写的工作文件中所载的各项建议方面。"
    ].startswith("The Conference also invited States parties and signatories")
    assert pairs["1. 组织事项："] == "1. Organizational matters:"


def _variant(tmp_path, edit) -> pd.DataFrame:
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DOC, raw / BUNDLED)
    for pdf in (raw / BUNDLED).glob("*.pdf"):  # the edits are made to the text versions
        pdf.unlink()
    en = raw / BUNDLED / "en.txt"
    en.write_text(edit(en.read_text(encoding="utf-8")), encoding="utf-8")
    return raw


@pytest.fixture(scope="module")
def variant_run(tmp_path_factory, embedded_model_dir):
    """The bundled document with two English-only changes:
    - item 1(a)'s sentence rendered as two English sentences;
    - item 5's paragraph split into two paragraphs, and its heading misnumbered "6.",
      so the sections of item 5 no longer match (structure anchors disagree there).
    """
    tmp = tmp_path_factory.mktemp("variant")

    def edit(text: str) -> str:
        text = text.replace(
            "will be opened at 10 a.m. on Thursday, 1 October 2009.",
            "will be opened on Thursday, 1 October 2009. The opening will take place at 10 a.m.",
        )
        text = text.replace("5. Adoption of the report\n\nThe Working", "6. Adoption of the report\n\nThe Working")
        return text.replace(
            "a report on its meeting, the draft of which will be prepared by the Secretariat.",
            "a report on its meeting.\n\nThe draft report will be prepared by the Secretariat.",
        )

    raw = _variant(tmp, edit)
    params = write_params(tmp / "params.yaml", embedded_model_dir)
    run_pipeline(raw, [BUNDLED], tmp, params)
    return tmp / "work" / BUNDLED, params


@pytest.fixture(scope="module")
def variant_output(variant_run):
    work, _ = variant_run
    return pd.read_parquet(work / "alignments.parquet"), pd.read_parquet(work / "sentence_alignments.parquet")


def test_sentence_beads_in_a_document_are_those_of_align_sentences(variant_run):
    """The align stage runs the sentence aligner that `bitext align-sentences` runs (and
    the eval stage measures), all passes included, on each unit pair's sentences."""
    from pipeline.align.overlaps import Side
    from pipeline.align.sentence_aligner import Background, SentenceAlignParams, _join_run
    from pipeline.embed.model import ALIGNER_TOKEN_MEMORY, Embedder
    from pipeline.params import load_params
    from pipeline.stages.align_sentences import align_files

    work, params_path = variant_run
    params = load_params(params_path)
    embedder = Embedder(params["embedding"], progress=False, keep_tokens=ALIGNER_TOKEN_MEMORY)
    sentences = pd.read_parquet(work / "sentences.parquet")
    sentences["sent_id"] = sentences.seg_id + "." + sentences.n.astype(str)
    text = dict(zip(sentences.sent_id, sentences.text))
    zh_all, en_all = (list(sentences[sentences.lang == lang].text) for lang in ("zh", "en"))
    max_run = SentenceAlignParams.from_params(params["sentence_align"]).max_run
    background = Background.of(*Side.pair(zh_all, en_all, embedder), max_run)  # the document's, as the stage has
    pairs = pd.read_parquet(work / "alignments.parquet")
    beads = pd.read_parquet(work / "sentence_alignments.parquet")
    # the second pass ran: the merged English runs of the 1-2 beads were encoded (are cached)
    merged = [_join_run([text[s] for s in run]) for run in beads[beads.link == "1-2"].en_sent_ids]
    assert merged
    embedder(merged)
    assert embedder.encoded == 0
    compared = 0
    for pair in pairs.itertuples():
        zh = [
            s
            for seg in pair.zh_seg_ids
            for s in sentences[(sentences.lang == "zh") & (sentences.seg_id == seg)].sent_id
        ]
        en = [
            s
            for seg in pair.en_seg_ids
            for s in sentences[(sentences.lang == "en") & (sentences.seg_id == seg)].sent_id
        ]
        if len(zh) <= 1 and len(en) <= 1:
            continue  # one sentence a side: the unit pair itself (its score is the unit's)
        ours = beads[beads.pair_id == pair.pair_id]
        got = [(list(a), list(b)) for a, b in zip(ours.zh_sent_ids, ours.en_sent_ids)]
        expected = align_files([text[s] for s in zh], [text[s] for s in en], params, embedder, background)
        assert got == [([zh[i] for i in b.src], [en[j] for j in b.tgt]) for b, _ in expected], pair.pair_id
        compared += 1
    assert compared >= 2  # the 1-2 sentence split and the merged paragraph at least


def test_one_chinese_sentence_as_two_english_ones(variant_output):
    _, sent = variant_output
    row = sent[sent.zh_text.str.startswith("技术援助问题不限成员名额政府专家临时工作组会议将于")]
    assert len(row) == 1
    assert row.iloc[0].link == "1-2"
    assert row.iloc[0].en_text.endswith("The opening will take place at 10 a.m.")


def test_split_paragraph_under_a_misnumbered_heading_is_paired_by_content(variant_output):
    pairs, _ = variant_output
    row = pairs[pairs.zh_text == "工作组应通过其会议报告，报告草稿将由秘书处编写。"]
    assert len(row) == 1
    row = row.iloc[0]
    assert row.link == "1-2" and not row.anchored
    assert row.en_text == (
        "The Working Group will adopt a report on its meeting. The draft report will be prepared by the Secretariat."
    )
    heading = pairs[pairs.zh_text == "5. 通过报告"].iloc[0]
    assert heading.en_text == "6. Adoption of the report" and not heading.anchored
    assert "labels_differ" in list(heading["flags"])
    # everything else is untouched by the disagreement: every numbered pair agrees
    assert pairs[pairs.anchored].link.eq("1-1").all()
    assert pairs.anchored.sum() == 19 and len(pairs) == 61
