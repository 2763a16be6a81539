"""The development corpus of UN document types (docs/dev-corpus.md), end to end.

One pipeline run over every development document from its text versions, and one per
UN layout from PDFs drawn by tests/un_pdf.py: each gold unit (text, kind, item, path)
must come out as an alignment row and nothing else; the type must be read right; the
alignment must beat pairing the units in order (the versions diverge on purpose) and
raise no warning; a document with one version scrambled must be flagged.
"""

from __future__ import annotations

import json
import random
import shutil

import pandas as pd
import pytest

from pipeline.gold import match, read_gold

from . import devcorpus
from .conftest import run_pipeline, write_params
from .un_pdf import LAYOUTS, render

FOLDERS = devcorpus.folders()
DOCS = [f.name for f in FOLDERS]
SCRAMBLED = "SCRAMBLED_A_81_590"


def _copy_texts(src, dst) -> None:
    dst.mkdir(parents=True)
    for name in ("zh.txt", "en.txt", "gold-units.tsv"):
        shutil.copy(src / name, dst / name)


def _scramble(folder) -> None:
    """Shuffle the English body's blocks (the masthead kept): a version whose structure is
    nothing like the other's, as a wrong file or a broken extraction gives."""
    blocks = (folder / "en.txt").read_text(encoding="utf-8").split("\n\n")
    head, body = blocks[:6], blocks[6:]
    random.Random(7).shuffle(body)
    (folder / "en.txt").write_text("\n\n".join(head + body), encoding="utf-8")


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory, embedded_model_dir):
    tmp = tmp_path_factory.mktemp("doctypes")
    raw = tmp / "raw"
    for folder in FOLDERS:
        _copy_texts(folder, raw / folder.name)
    _copy_texts(devcorpus.ROOT / "A_81_590", raw / SCRAMBLED)
    _scramble(raw / SCRAMBLED)
    docs = DOCS + [SCRAMBLED]
    params = write_params(tmp / "params.yaml", embedded_model_dir, **{"ingest.formats": ["txt"]})
    out = run_pipeline(raw, docs, tmp, params)
    return {
        "pairs": pd.read_parquet(out / "alignments.parquet"),
        "segments": pd.read_parquet(out / "segments.parquet"),
        "documents": pd.read_parquet(out / "documents.parquet"),
        "metrics": json.loads((out / "metrics.json").read_text()),
        "raw": raw,
    }


@pytest.fixture(scope="module")
def pdf_runs(tmp_path_factory, embedded_model_dir):
    """layout -> alignments of every development document read from its rendered PDFs."""
    runs = {}
    for layout in LAYOUTS:
        tmp = tmp_path_factory.mktemp(f"doctypes-{layout}")
        raw = tmp / "raw"
        for folder in FOLDERS:
            (raw / folder.name).mkdir(parents=True)
            doc = devcorpus.SourceDoc.load(folder)
            for lang in devcorpus.LANGS:
                render(doc, raw / folder.name / f"{lang}.pdf", layout, lang=lang)
        params = write_params(tmp / "params.yaml", embedded_model_dir, **{"ingest.formats": ["pdf"]})
        out = run_pipeline(raw, DOCS, tmp, params)
        runs[layout] = {
            "pairs": pd.read_parquet(out / "alignments.parquet"),
            "documents": pd.read_parquet(out / "documents.parquet"),
        }
    return runs


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("doc", DOCS)
def test_every_gold_unit_recovered_from_pdf(doc, layout, pdf_runs):
    gold = read_gold(devcorpus.ROOT / doc / "gold-units.tsv")
    pairs = pdf_runs[layout]["pairs"]
    result = match(gold, pairs[pairs.doc_id == doc].to_dict("records"))
    assert result["missing_units"] == [], f"{doc} ({layout} PDFs): gold units not recovered"
    assert result["pairs_not_in_gold"] == []
    rows = pdf_runs[layout]["documents"]
    rows = rows[rows.doc_id == doc]
    assert set(rows.doc_type) == {devcorpus.SourceDoc.load(devcorpus.ROOT / doc).doc_type}
    assert rows.alignment_warning.isna().all()


def test_corpus_covers_the_types():
    docs = [devcorpus.SourceDoc.load(f) for f in FOLDERS]
    assert len(docs) >= 8
    assert len({d.doc_type for d in docs}) >= 6
    assert all(d.hard_cases for d in docs)


def test_generated_files_are_current():
    assert devcorpus.main(["--check"]) == 0, "run `python -m tests.devcorpus`"


@pytest.mark.parametrize("doc", DOCS)
def test_every_gold_unit_recovered(doc, corpus_run):
    gold = read_gold(corpus_run["raw"] / doc / "gold-units.tsv")
    pairs = corpus_run["pairs"]
    result = match(gold, pairs[pairs.doc_id == doc].to_dict("records"))
    assert result["missing_units"] == [], f"{doc}: gold units not recovered"
    assert result["pairs_not_in_gold"] == []


@pytest.mark.parametrize("doc", DOCS)
def test_pairing_in_order_fails_where_the_pipeline_passes(doc, corpus_run):
    """The versions diverge (hard cases), so zipping their segments in reading order
    cannot reproduce the gold that the pipeline reproduces."""
    gold = read_gold(corpus_run["raw"] / doc / "gold-units.tsv")
    seg = corpus_run["segments"]
    seg = seg[(seg.doc_id == doc) & seg.alignable].sort_values("position")
    zh, en = seg[seg.lang == "zh"], seg[seg.lang == "en"]
    zipped = [
        {"pair_id": str(n), "zh_text": a.text, "en_text": b.text, "kind": a.kind, "item": a.item, "path": a.path}
        for n, (a, b) in enumerate(zip(zh.itertuples(), en.itertuples()))
    ]
    assert match(gold, zipped)["missing_units"], f"{doc}: in-order pairing already gives the gold"


@pytest.mark.parametrize("doc", DOCS)
def test_document_type(doc, corpus_run):
    expected = devcorpus.SourceDoc.load(devcorpus.ROOT / doc).doc_type
    rows = corpus_run["documents"][corpus_run["documents"].doc_id == doc]
    assert set(rows.doc_type) == {expected}
    assert set(rows.version_doc_type) == {expected}
    assert corpus_run["metrics"]["documents"][doc]["doc_type"] == expected


@pytest.mark.parametrize("doc", DOCS)
def test_no_false_warning(doc, corpus_run):
    rows = corpus_run["documents"][corpus_run["documents"].doc_id == doc]
    assert rows.alignment_warning.isna().all(), rows.alignment_warning.iloc[0]
    assert corpus_run["metrics"]["documents"][doc]["suspect"] is False


def test_scrambled_version_is_flagged(corpus_run):
    rows = corpus_run["documents"][corpus_run["documents"].doc_id == SCRAMBLED]
    warning = rows.alignment_warning.iloc[0]
    assert isinstance(warning, str) and "first part at" in warning
    assert corpus_run["metrics"]["documents"][SCRAMBLED]["suspect"] is True
    assert corpus_run["metrics"]["suspect_documents"] == 1


@pytest.mark.parametrize("source", ["txt", "newyork", "geneva"])
def test_bundled_document_in_every_format_and_layout(source, tmp_path, embedded_model_dir):
    """The bundled agenda stays 61/61 from its text files and from PDFs in both layouts."""
    from .conftest import BUNDLED, RAW_DOC
    from .un_pdf import render_bundled

    raw = tmp_path / "raw"
    folder = raw / BUNDLED
    folder.mkdir(parents=True)
    for name in ("zh.txt", "en.txt", "gold-units.tsv"):
        shutil.copy(RAW_DOC / name, folder / name)
    if source != "txt":
        render_bundled(out_dir=folder, layout=source)
    fmt = ["txt"] if source == "txt" else ["pdf"]
    params = write_params(tmp_path / "params.yaml", embedded_model_dir, **{"ingest.formats": fmt})
    out = run_pipeline(raw, [BUNDLED], tmp_path, params)
    metrics = json.loads((out / "metrics.json").read_text())["documents"][BUNDLED]
    assert metrics["gold_units_matched"] == metrics["gold_units"] == 61
    assert metrics["pairs_not_in_gold"] == 0 and metrics["suspect"] is False


@pytest.mark.parametrize("doc", DOCS)
def test_nothing_lost(doc, corpus_run):
    """Every non-whitespace character of each text version is in exactly one segment."""
    seg = corpus_run["segments"]
    for lang in devcorpus.LANGS:
        version = seg[(seg.doc_id == doc) & (seg.lang == lang)].sort_values("position")
        source = (corpus_run["raw"] / doc / f"{lang}.txt").read_text(encoding="utf-8")
        assert "".join("".join(version.text).split()) == "".join(source.split())


def _pair(n: int, zh: str, en: str) -> dict:
    return {
        "pair_id": str(n),
        "zh_seg_ids": ["z"] if zh else [],
        "en_seg_ids": ["e"] if en else [],
        "zh_text": zh,
        "en_text": en,
        "flags": [],
        "path": None,
    }


def test_verdict_tolerates_one_shift_and_flags_a_broken_numbering():
    from pipeline.align.verdict import assess

    # paragraph 3 of the Chinese is missing in English: the numbering shifts once
    shifted = [_pair(0, "1. 甲。", "1. A."), _pair(1, "2. 乙。", "2. B."), _pair(2, "3. 丙。", "")] + [
        _pair(n, f"{n + 1}. 丁。", f"{n}. D.") for n in range(3, 12)
    ]
    assert assess(shifted, 0.15, 0.25).warning is None
    scrambled = [_pair(n, f"{n}. 甲。", f"{(n * 7) % 12 + 1}. A.") for n in range(1, 13)]
    verdict = assess(scrambled, 0.15, 0.25)
    assert verdict.numbering_break_share > 0.5 and "numbering" in verdict.warning
