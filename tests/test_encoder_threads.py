"""embedding.threads and embedding.query_threads reach torch: the pipeline's encoder, a
query's encoding, the vector scan and translation spotting run on the threads the
settings give (pipeline/embed/model.py, pipeline/search/embedder.py)."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from pipeline.embed.model import Embedder
from pipeline.search.embedder import QueryEncoder
from pipeline.search.engine import Filters, SearchIndex
from pipeline.search.spotting import Spotter
from pipeline.settings import validate

from .workbench_fixtures import hostile_index


class CountingModel:
    """Stands in for a SentenceTransformer: records torch's thread count at each encode."""

    def __init__(self, dim: int = 384):
        self.dim = dim
        self.threads: list[int] = []

    def encode(self, texts, **kwargs):
        self.threads.append(torch.get_num_threads())
        vectors = np.ones((len(texts), self.dim), dtype=np.float32)
        return vectors / np.sqrt(self.dim)


@pytest.fixture(autouse=True)
def torch_threads_restored(monkeypatch):
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def embedding(environ: dict | None = None, model: str = "a/hub-model") -> dict:
    """The embedding settings as the settings layer gives them (never loaded: a CountingModel stands in)."""
    return validate({"embedding": {"model": model, "cache_dir": None}}, "p.yaml", environ=environ or {})["embedding"]


@pytest.mark.parametrize("environ, expected", [({}, os.cpu_count()), ({"BITEXT__EMBEDDING__THREADS": "3"}, 3)])
def test_the_pipeline_encoder_runs_on_embedding_threads(environ, expected):
    embed = Embedder(embedding(environ), progress=False)
    embed._model = model = CountingModel()
    embed(["技术援助", "technical assistance"])
    assert model.threads == [expected]


def test_a_query_runs_on_query_threads():
    torch.set_num_threads(3)
    params = {"embedding": embedding({"BITEXT__EMBEDDING__QUERY_THREADS": "2"})}
    encoder = QueryEncoder(params, {"embedding_model": "a/hub-model"}, model=CountingModel())
    encoder.encode("technical assistance")
    assert encoder._model.threads == [2] and torch.get_num_threads() == 3 and encoder.threads == 2


def test_a_query_on_default_settings_uses_one_thread():
    encoder = QueryEncoder({"embedding": embedding()}, {}, model=CountingModel())
    encoder.encode("technical assistance")
    assert encoder._model.threads == [1] and encoder.threads == 1


def test_the_vector_scan_runs_on_the_threads_it_is_given(tmp_path, monkeypatch):
    index = SearchIndex(hostile_index(tmp_path / "index"), threads=2)
    params = {"embedding": embedding({"BITEXT__EMBEDDING__QUERY_THREADS": "2"}, model="embedded")}
    vector = QueryEncoder(params, index.meta, model=CountingModel()).encode("technical assistance")
    scanned, scan = [], SearchIndex._scan

    def counting_scan(self, *args):
        scanned.append(torch.get_num_threads())
        return scan(self, *args)

    monkeypatch.setattr(SearchIndex, "_scan", counting_scan)
    assert index.semantic(vector, Filters(level="unit"), limit=1)
    assert scanned and set(scanned) == {2}


def test_spotting_runs_on_the_threads_it_is_given(monkeypatch):
    spotter = Spotter(model=None, threads=2)
    seen = []

    class Tokenizer:
        def __call__(self, texts, **kwargs):
            return {"input_ids": torch.zeros((len(texts), 1), dtype=torch.long), "offset_mapping": torch.zeros(1, 1, 2)}

    def forward(enc):
        seen.append(torch.get_num_threads())
        raise RuntimeError("stop after the forward pass started")

    spotter.model = type("M", (), {"tokenizer": Tokenizer()})()
    monkeypatch.setattr(spotter, "_hidden_states", forward)
    with pytest.raises(RuntimeError, match="stop after"):
        spotter.tokens(["technical assistance"])
    assert seen == [2]
