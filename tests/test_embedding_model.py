"""Model selection by configuration: the embedded default, any other folder or hub id."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from pipeline.embed.model import encode, load_model, resolve_model
from pipeline.errors import PipelineError

from .conftest import BUNDLED, RAW_DOC, run_pipeline, write_params


def test_missing_embedded_model_says_what_to_run(tmp_path):
    with pytest.raises(PipelineError, match="dvc repro model"):
        resolve_model("embedded", tmp_path / "absent")


def test_model_by_folder_path_equals_embedded(embedded_model_dir, tmp_path):
    # A user's own sentence-transformers folder (here a copy of the embedded one) by path.
    other = tmp_path / "my-model"
    shutil.copytree(embedded_model_dir, other)
    texts = ["技术援助需要", "technical assistance needs"]
    a = encode(load_model("embedded", embedded_model_dir), texts, "query: ", 8, progress=False)
    b = encode(load_model(str(other), "unused"), texts, "query: ", 8, progress=False)
    assert a.shape == (2, 384) and np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(a, b, atol=1e-6)
    assert float(a[0] @ a[1]) > 0.85  # a translation pair is close


def test_hub_id_offline_fails_in_one_clear_line(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(PipelineError, match="cannot load embedding model 'sentence-transformers/LaBSE'") as err:
        load_model("sentence-transformers/LaBSE", "unused")
    assert "\n" not in str(err.value)


def test_pipeline_runs_on_a_configured_model_folder(embedded_model_dir, tmp_path):
    other = tmp_path / "models" / "custom"
    shutil.copytree(embedded_model_dir, other)
    raw = tmp_path / "raw"
    shutil.copytree(RAW_DOC, raw / BUNDLED)
    params = write_params(tmp_path / "params.yaml", tmp_path / "nowhere", **{"embedding.model": str(other)})
    out = run_pipeline(raw, [BUNDLED], tmp_path, params)
    assert len(pd.read_parquet(out / "alignments.parquet")) == 61
