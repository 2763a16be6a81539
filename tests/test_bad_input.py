"""Bad inputs: one-line error naming the file and the problem, exit 2, no outputs left."""

from __future__ import annotations

import shutil

import pytest

from pipeline.cli import main

from .conftest import RAW_DOC

ZH = (RAW_DOC / "zh.txt").read_bytes()
EN = (RAW_DOC / "en.txt").read_bytes()


def _make(tmp_path, files: dict[str, bytes]):
    doc = tmp_path / "raw" / "X_2009_1"
    doc.mkdir(parents=True)
    for name, data in files.items():
        (doc / name).write_bytes(data)
    out = tmp_path / "work" / "X_2009_1"
    out.mkdir(parents=True)
    # stale outputs of an earlier good run must not survive a failed one
    for name in ("documents.parquet", "blocks.parquet"):
        (out / name).write_bytes(b"stale")
    return doc, out


CASES = {
    "empty file": ({"zh.txt": b"", "en.txt": EN}, "zh.txt", "empty"),
    "whitespace only": ({"zh.txt": ZH, "en.txt": b" \n\t\n"}, "en.txt", "empty"),
    "only one language": ({"zh.txt": ZH}, "X_2009_1", "missing the en version"),
    "English in zh.txt": ({"zh.txt": EN, "en.txt": EN}, "zh.txt", "does not look like zh"),
    "Chinese in en.txt": ({"zh.txt": ZH, "en.txt": ZH}, "en.txt", "does not look like en"),
    "invalid UTF-8": ({"zh.txt": ZH.decode().encode("gb18030"), "en.txt": EN}, "zh.txt", "not valid UTF-8"),
    "unknown extension": ({"zh.rtf": ZH, "en.txt": EN}, "zh.rtf", "unsupported format '.rtf'"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input(case, tmp_path, capsys):
    files, names, says = CASES[case]
    doc, out = _make(tmp_path, files)
    assert main(["ingest", str(doc), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert names in err and says in err, err
    assert sorted(p.name for p in out.iterdir()) == [], "partial or stale outputs left behind"


def test_good_input_still_ingests(tmp_path):
    doc, out = _make(tmp_path, {"zh.txt": ZH, "en.txt": EN})
    assert main(["ingest", str(doc), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["blocks.parquet", "documents.parquet"]


def test_missing_stage_input_says_what_to_run(tmp_path, capsys):
    assert main(["segment", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "blocks.parquet" in err and "ingest" in err, err


def test_extra_files_in_document_folder_are_ignored(tmp_path):
    # a gold file or a README beside the versions is not a language version
    doc, out = _make(tmp_path, {"zh.txt": ZH, "en.txt": EN})
    shutil.copy(RAW_DOC / "gold-units.tsv", doc)
    (doc / "README.md").write_text("notes")
    assert main(["ingest", str(doc), "--out", str(out)]) == 0


def test_both_versions_corrupt_pdfs_read_in_the_pool(tmp_path, capsys):
    """The versions are read in a process pool; its error must come back as one line
    (an InputError that could not be unpickled broke the pool with a traceback)."""
    broken = b"%PDF-1.4\n%no objects, no xref\n"
    doc, out = _make(tmp_path, {"zh.pdf": broken, "en.pdf": broken})
    params = tmp_path / "params.yaml"
    params.write_text("ingest:\n  workers: 2\n", encoding="utf-8")
    assert main(["--params", str(params), "ingest", str(doc), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "truncated or corrupt PDF" in err and "Traceback" not in err
