"""The int8 ONNX Runtime encoder (embedding.backend: onnx-int8) beside the torch one."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.embed.cache import model_fingerprint
from pipeline.embed.model import EmbeddingSettings, Embedder, encode, load_model
from pipeline.embed.onnx_runtime import ONNX_FILES
from pipeline.errors import PipelineError

ONNX_FILE = ONNX_FILES["onnx-int8"]

TEXTS = [
    "技术援助需要",
    "technical assistance needs",
    "缔约国会议决定设立一个不限成员名额的临时政府间工作组。",
    "The Conference of the Parties decided to establish an open-ended interim working group of government experts.",
    "天气很好",
]


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("onnx")


@pytest.fixture(scope="module")
def onnx_model(embedded_model_dir, onnx_dir):
    return load_model("embedded", embedded_model_dir, "onnx-int8", onnx_dir)


def test_unknown_backend_is_refused_in_one_line():
    with pytest.raises(PipelineError, match="embedding.backend must be one of torch, onnx, onnx-int8"):
        EmbeddingSettings(backend="tensorrt")


def test_runtimes_get_separate_cache_keys():
    assert model_fingerprint("m", "query: ", "onnx-int8") != model_fingerprint("m", "query: ", "torch")
    assert model_fingerprint("m", "query: ") == model_fingerprint("m", "query: ", "torch")


def test_onnx_export_is_made_once_and_close_to_torch(embedded_model_dir, onnx_dir, onnx_model):
    exports = list(onnx_dir.rglob(ONNX_FILE))
    assert len(exports) == 1
    int8 = encode(onnx_model, TEXTS, "query: ", 8, progress=False)
    fp32 = encode(load_model("embedded", embedded_model_dir), TEXTS, "query: ", 8, progress=False)
    assert np.allclose(np.linalg.norm(int8, axis=1), 1, atol=1e-5)
    agreement = np.sum(int8 * fp32, axis=1)
    assert agreement.min() > 0.98, agreement
    assert not np.array_equal(int8, fp32)  # the int8 runtime really ran
    load_model("embedded", embedded_model_dir, "onnx-int8", onnx_dir)  # a second load re-uses the export
    assert list(onnx_dir.rglob(ONNX_FILE)) == exports


def test_onnx_vector_depends_on_the_text_only(onnx_model):
    # Dynamic int8 quantisation scales by the whole input tensor: a text must not be
    # batched with others, or its vector would depend on which texts the cache lacked.
    together = encode(onnx_model, TEXTS, "query: ", 8, progress=False)
    alone = np.stack([encode(onnx_model, [t], "query: ", 8, progress=False)[0] for t in TEXTS])
    np.testing.assert_array_equal(together, alone)
    np.testing.assert_array_equal(together, encode(onnx_model, TEXTS, "query: ", 2, progress=False))


def test_onnx_token_vectors_come_from_the_same_pass(embedded_model_dir, onnx_dir, tmp_path):
    params = {
        "model": "embedded",
        "embedded_dir": str(embedded_model_dir),
        "prompt": "query: ",
        "batch_size": 8,
        "cache_dir": str(tmp_path / "cache"),
        "backend": "onnx-int8",
        "onnx_dir": str(onnx_dir),
    }
    embedder = Embedder(params, progress=False, keep_tokens=100)
    vectors = embedder(TEXTS)
    tokens = embedder.tokens(TEXTS)
    assert embedder.encoded == len(TEXTS)  # token vectors kept from the same forward pass
    pooled = np.stack([t.mean(axis=0) for t in tokens])
    pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
    assert np.sum(pooled * vectors, axis=1).min() > 0.9
    np.testing.assert_array_equal(Embedder(params, progress=False)(TEXTS), vectors)  # from the cache, per runtime


def test_float_onnx_gives_the_torch_vectors(embedded_model_dir, onnx_dir):
    fp32 = encode(load_model("embedded", embedded_model_dir, "onnx", onnx_dir), TEXTS, "query: ", 8, progress=False)
    ref = encode(load_model("embedded", embedded_model_dir), TEXTS, "query: ", 8, progress=False)
    np.testing.assert_allclose(fp32, ref, atol=2e-5)
