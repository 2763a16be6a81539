"""Output formats are writers of one pair model (pipeline/writers.py)."""

from __future__ import annotations

import csv

from pipeline.cli import main
from pipeline.writers import WRITERS, PairModel, Writer, register


def test_a_new_format_is_one_class_and_one_registration(bundled_output, tmp_path):
    @register
    class CsvWriter(Writer):
        name, suffix = "toy-csv", ".csv"
        help = "pair id and both texts, one line per pair"

        def write(self, model, out, params, **options):
            model.rows[["level", "pair_id", "zh_text", "en_text"]].to_csv(out, index=False)
            return {"written": len(model.rows)}

    try:
        out = tmp_path / "pairs.csv"
        params = bundled_output.parent / "params.yaml"
        assert main(["--params", str(params), "write", "toy-csv", str(bundled_output), "--out", str(out)]) == 0
        with open(out, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == 61 + 66  # unit pairs and sentence pairs of the bundled document
        assert {r["level"] for r in rows} == {"unit", "sentence"}
    finally:
        WRITERS.pop("toy-csv")


def test_the_stages_formats_are_registered_writers_of_one_model(bundled_output, tmp_path):
    assert {"parquet", "jsonl", "tmx", "index"} <= set(WRITERS)
    params = str(bundled_output.parent / "params.yaml")
    # the tmx stage and the generic command write the same file
    assert main(["--params", params, "tmx", str(bundled_output), "--out", str(tmp_path / "a.tmx")]) == 0
    assert main(["--params", params, "write", "tmx", str(bundled_output), "--out", str(tmp_path / "b.tmx")]) == 0
    assert (tmp_path / "a.tmx").read_bytes() == (tmp_path / "b.tmx").read_bytes()
    # the model is built once: its rows are computed on first use and kept
    model = PairModel.read(bundled_output, {})
    assert model.rows is model.rows


def test_an_unknown_format_is_one_line(bundled_output, tmp_path, capsys):
    params = str(bundled_output.parent / "params.yaml")
    assert main(["--params", params, "write", "xliff", str(bundled_output), "--out", str(tmp_path / "x")]) == 2
    assert "unknown output format" in capsys.readouterr().err
