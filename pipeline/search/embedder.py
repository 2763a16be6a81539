"""The query vector: the model of the stored vectors, with the index's query prompt.

A query is one short text: it is encoded on ``embedding.query_threads`` torch threads
(default 1; 0: every core), and so are the scan of the stored vectors and translation
spotting. More threads do not make one sentence faster, and on a busy machine OpenMP
threads that wait for each other make it 10-40 times slower.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import numpy as np

from ..embed.model import EmbeddingSettings, thread_count
from ..errors import PipelineError


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run with ``n`` torch threads (0: every core); restore the count after."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(thread_count(n))
    try:
        yield
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


class QueryEncoder:
    """Loads the configured embedding model once; checks it is the one the index was built with."""

    def __init__(self, params: dict, index_meta: dict | None = None, model=None):
        emb = params.get("embedding") or {}
        meta = index_meta or {}
        built = meta.get("embedding_model")
        if built and emb.get("model") and built != emb["model"]:
            raise PipelineError(
                f"the index was built with embedding.model={built!r} but the parameters say "
                f"{emb['model']!r}; re-run `bitext index` (or `dvc repro`)"
            )
        self.spec = emb.get("model") or built
        if not self.spec:
            raise PipelineError("no embedding model: set embedding.model in configs/params.yaml")
        self.embedded_dir = emb.get("embedded_dir", "models/multilingual-e5-small")
        self.threads = emb.get("query_threads", EmbeddingSettings.query_threads)
        # The index says how to ask: "query: " against "passage: " vectors (e5's retrieval
        # prompts); an index from before meta.query_prompt used one prompt for both.
        self.prompt = meta.get("query_prompt", meta.get("embedding_prompt", emb.get("prompt", "")))
        self._model = model

    @property
    def model(self):
        if self._model is None:
            from ..embed.model import load_model

            self._model = load_model(self.spec, self.embedded_dir)
        return self._model

    def encode(self, text: str) -> np.ndarray:
        from ..embed.model import encode

        model = self.model
        with torch_threads(self.threads):
            return encode(model, [text], self.prompt, 1, progress=False, threads=self.threads)[0]
