"""Translation spotting: where, in the other side of a pair, the searched term was translated.

The encoder's contextual token vectors of both sides are compared (the similarity of
every source token with every target token, as word aligners built on multilingual
encoders do). A target token is linked to the term when the term holds its most
similar source token (backward) or it is the most similar target token of a term
token (forward). The linked tokens closest to the strongest link, allowing a gap of
``max_gap`` tokens, form the translation; it is widened to whole words (English) or
jieba words (Chinese). Tokens are compared at hidden layer ``layer`` (a middle layer
aligns words better than the last, which is tuned for whole sentences).

All of this needs, per token, only its closest token on the other side and their
similarity: a pair's word links (:mod:`.word_links`). The index stores them for its
sentence pairs, so the workbench spots most hits with no forward pass (``spot_linked``);
a pair without stored links is encoded and goes through the same links (``spot``).

Many pairs spotted at once (a page of hits, the variants panel): the encoder runs on
``round_size`` pairs at a time, and a rendering it has found in ``reuse_after`` distinct
pairs for the same term is then taken, without encoding, by every pair left whose source holds the
term k times and whose target holds agreed renderings exactly k times (a rendering inside
a longer one, "Security" in "Security Council", counts as the longer). UN
text repeats its terminology, so most pairs of a frequent term need no forward pass; a
rendering must be found independently more than once so one wrong span is not copied.

Measured by ``benchmarks/spotting_bench.py`` on hand-marked spans.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from ..errors import PipelineError
from .terms import is_chinese
from .word_links import Side, WordLinks, link

_WORDCHAR = re.compile(r"[^\W_]")
# Words that link to anything: trimmed from the edges of a spotted translation.
EN_FUNCTION_WORDS = frozenset(
    "a an the of on in at to for from by with and or as its their his her this that these those is are was were be "
    "been among between into about".split()
)
ZH_FUNCTION_WORDS = frozenset(
    "的 之 和 与 及 以 在 对 为 于 将 把 被 并 或 等 了 中 上 其 这 该 各 有 是 由 向 从".split()
)


MAX_BATCH = 16  # texts per forward pass
PADDING_SLACK = 1.15  # a batch's padded size stays within 15 % of its real tokens


@dataclass(frozen=True)
class SpottingSettings:
    """params.yaml ``spotting``."""

    layer: int = 8  # hidden layer whose token vectors are compared
    max_gap: int = 0  # unlinked tokens allowed inside one translation (1: exact match 0.62 vs 0.68)
    min_similarity: float = 0.3  # weaker links are ignored
    cache_texts: int = 20000  # texts whose token vectors stay in memory
    round_size: int = 2  # pairs encoded at a time when many are spotted together
    reuse_after: int = 2  # a rendering found in this many distinct pairs is reused by string match (0: never)

    def __post_init__(self):
        """Value checks, run by the settings layer too (which puts the file's name first)."""
        if self.layer < 0:
            raise PipelineError(f"spotting.layer must be 0 (the embeddings) or more, not {self.layer}")
        if self.round_size < 1:
            raise PipelineError(f"spotting.round_size must be 1 or more, not {self.round_size}")
        if self.reuse_after < 0:
            raise PipelineError(f"spotting.reuse_after must be 0 (never) or more, not {self.reuse_after}")


class Spotter:
    """Finds the translation of a term span; holds the model and a cache of token vectors."""

    def __init__(self, model, prompt: str = "query: ", settings: SpottingSettings | None = None, threads: int = 1):
        """``threads``: torch threads for its forward passes (``embedding.query_threads``)."""
        self.model = model
        self.prompt = prompt
        self.settings = settings or SpottingSettings()
        self.threads = threads
        self._cache: OrderedDict[str, tuple[np.ndarray, list[tuple[int, int]]]] = OrderedDict()

    # --- token vectors -------------------------------------------------------------

    def _encode(self, texts: list[str]) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
        import torch

        from .embedder import torch_threads

        tok = self.model.tokenizer
        n = len(self.prompt)
        enc = tok(
            [self.prompt + t for t in texts],
            return_offsets_mapping=True,
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=512,
        )
        offsets = enc.pop("offset_mapping").tolist()
        with torch_threads(self.threads), torch.no_grad():
            hidden = torch.nn.functional.normalize(self._hidden_states(enc).float(), dim=-1).numpy()
        result = []
        for k, text in enumerate(texts):
            keep = [
                (i, (a - n, b - n))
                for i, (a, b) in enumerate(offsets[k])
                if b > a and a >= n and _WORDCHAR.search(text[a - n : b - n])
            ]
            result.append((hidden[k, [i for i, _ in keep]], [span for _, span in keep]))
        return result

    def _hidden_states(self, enc):
        """The token vectors after layer ``layer``: a forward hook on that layer stops the pass
        there (the layers above are not needed). The model is neither copied nor changed, so
        spotters that share it, or a query encoded meanwhile on another thread, are unaffected
        (a copy cut after the layer registered transformers' output hooks again on the shared
        layers, and every further copy shifted the layer that came out)."""
        full = self.model[0].auto_model
        layer, layers = self.settings.layer, full.encoder.layer
        if layer > len(layers):
            raise PipelineError(f"spotting.layer {layer}: the model has {len(layers)} layers (0-{len(layers)} allowed)")
        module = full.embeddings if layer == 0 else layers[layer - 1]
        caller = threading.get_ident()

        def stop(_module, _inputs, output):
            if threading.get_ident() == caller:
                raise _Reached(output[0] if isinstance(output, tuple) else output)

        handle = module.register_forward_hook(stop)
        try:
            full(**enc)
        except _Reached as reached:
            return reached.hidden
        finally:
            handle.remove()
        raise PipelineError(f"spotting.layer {layer}: the encoder's forward pass never reached it")

    def tokens(self, texts: list[str]) -> list[tuple[np.ndarray, list[tuple[int, int]]]]:
        """(vectors, character spans) of each text's word tokens (punctuation left out)."""
        for part in self._batches(sorted({t for t in texts if t not in self._cache})):
            for text, value in zip(part, self._encode(part)):
                self._cache[text] = value
        for t in texts:
            self._cache.move_to_end(t)
        result = [self._cache[t] for t in texts]  # before evicting: more texts than the cache holds still come back
        while len(self._cache) > self.settings.cache_texts:
            self._cache.popitem(last=False)
        return result

    def _batches(self, texts: list[str]) -> list[list[str]]:
        """Texts of similar token counts together: a batch is padded to its longest text,
        and the padding costs as much as real tokens (at most ``PADDING_SLACK`` of it)."""
        if not texts:
            return []
        ids = self.model.tokenizer([self.prompt + t for t in texts], truncation=True, max_length=512)["input_ids"]
        counts = [len(x) for x in ids]
        batches, batch, total = [], [], 0
        for n, text in sorted(zip(counts, texts)):
            if batch and (len(batch) == MAX_BATCH or n * (len(batch) + 1) > PADDING_SLACK * (total + n)):
                batches.append(batch)
                batch, total = [], 0
            batch.append(text)
            total += n
        return [*batches, batch]

    # --- spotting ------------------------------------------------------------------

    def links(self, zh: str, en: str) -> WordLinks:
        """The pair's word links (:mod:`.word_links`), from its token vectors."""
        (zv, zs), (ev, es) = self.tokens([zh, en])
        return link(zv, zs, ev, es)

    def spot(self, src: str, term_spans: list, tgt: str, tgt_lang: str) -> list[tuple[int, int]]:
        """Target character spans translating the term spans of ``src`` (at most one per span)."""
        if not src or not tgt or not term_spans:
            return []
        links = self.links(tgt, src) if tgt_lang == "zh" else self.links(src, tgt)
        return self.spot_linked(links, term_spans, tgt, tgt_lang)

    def spot_linked(self, links: WordLinks, term_spans: list, tgt: str, tgt_lang: str) -> list[tuple[int, int]]:
        """``spot`` from the pair's word links (stored in the index, or just computed)."""
        source, target = links.side("en" if tgt_lang == "zh" else "zh"), links.side(tgt_lang)
        if not len(source) or not len(target):
            return []
        out = []
        for a, b in term_spans:
            term = (source.spans[:, 0] < b) & (source.spans[:, 1] > a)
            if term.any():
                span = self._translation(source, target, term, tgt, tgt_lang)
                if span and span not in out:
                    out.append(span)
        return sorted(out)

    def spot_many(
        self, items: list[tuple[str, list, str, str]], stored: list | None = None
    ) -> list[list[tuple[int, int]]]:
        """``spot`` over (src, spans, tgt, tgt_lang) items: encoded ``round_size`` at a time,
        agreed renderings reused by string match (see the module's docstring). ``stored``:
        each item's stored word links, or None (that item is encoded); the result is the
        same either way, only faster."""
        s = self.settings
        stored = stored or [None] * len(items)
        if len(stored) != len(items):
            raise ValueError(f"{len(stored)} stored links for {len(items)} items")

        def encode(ks) -> None:  # one batched forward pass for the items without links
            self.tokens([t for k in ks if stored[k] is None for t in (items[k][0], items[k][2]) if t])

        def spot(k: int) -> list[tuple[int, int]]:
            src, spans, tgt, lang = items[k]
            if stored[k] is None or not src or not tgt or not spans:
                return self.spot(*items[k])
            return self.spot_linked(stored[k], spans, tgt, lang)

        if not s.reuse_after:
            encode(range(len(items)))
            return [spot(k) for k in range(len(items))]
        results: list = [[] for _ in items]
        found: dict[str, dict[str, set]] = {}  # term -> rendering (normalised) -> pairs it was found in
        pending = [k for k, (src, spans, tgt, _) in enumerate(items) if src and tgt and spans]
        while pending:
            left = []
            for k in pending:
                reused = _reuse(items[k], found, s.reuse_after)
                if reused is None:
                    left.append(k)
                else:
                    results[k] = reused
            batch, pending = left[: s.round_size], left[s.round_size :]
            encode(batch)
            for k in batch:
                results[k] = spot(k)
                src, spans, tgt, _ = items[k]
                terms = {_term_key(src, span) for span in spans}
                if len(terms) == 1 and len(results[k]) == len(spans):  # each occurrence got its rendering
                    renderings = found.setdefault(terms.pop(), {})
                    for a, b in results[k]:  # a pair counts once, however often it holds the term
                        renderings.setdefault(rendering_key(tgt[a:b]), set()).add((src, tgt))
        return results

    def _translation(self, source: Side, target: Side, term: np.ndarray, tgt: str, lang: str):
        min_sim = self.settings.min_similarity
        term_rows = np.flatnonzero(term)
        # forward: the closest target token of a term token; backward: a target token whose
        # closest source token is in the term
        forward = {int(source.closest[i]) for i in term_rows if source.sim[i] >= min_sim}
        from_term = term[target.closest]
        backward = set(np.flatnonzero(from_term & (target.sim >= min_sim)).tolist())
        linked = sorted(forward | backward)
        if not linked:
            return None
        # a target token's similarity to the term: its best similarity when its closest source
        # token is in the term, else that of the best term token whose closest it is
        strength = np.where(from_term, target.sim, 0).astype(np.float32)
        for i in term_rows:
            j = source.closest[i]
            strength[j] = max(strength[j], float(source.sim[i]))
        anchor = max(linked, key=lambda j: (j in forward and j in backward, strength[j]))
        gap = self.settings.max_gap
        lo = hi = anchor
        while True:  # grow from the strongest link over links at most max_gap tokens apart
            near_lo = [j for j in linked if lo - gap - 1 <= j < lo]
            near_hi = [j for j in linked if hi < j <= hi + gap + 1]
            if not near_lo and not near_hi:
                break
            lo, hi = min([lo, *near_lo]), max([hi, *near_hi])
        return _trim(tgt, *_whole_words(tgt, int(target.spans[lo, 0]), int(target.spans[hi, 1]), lang), lang)


class _Reached(Exception):
    """Carries a layer's output out of the forward pass."""

    def __init__(self, hidden):
        super().__init__("layer reached")
        self.hidden = hidden


def _term_key(src: str, span) -> str:
    return " ".join(src[span[0] : span[1]].split()).casefold()


def rendering_key(text: str) -> str:
    """Renderings that differ only in spacing or case are one: Chinese without spaces,
    English with single spaces, both case-folded (the renderings panel counts by it too)."""
    return "".join(text.split()).casefold() if is_chinese(text) else " ".join(text.split()).casefold()


def _reuse(item: tuple, found: dict[str, dict[str, set]], min_pairs: int) -> list[tuple[int, int]] | None:
    """Spans of agreed renderings in the target, one per term occurrence in the source,
    each as ``spot`` would mark it (whole words, no overlaps); None: encode the pair."""
    src, spans, tgt, lang = item
    keys = {_term_key(src, span) for span in spans}
    if len(keys) != 1:
        return None
    places = {
        m.span()
        for rendering, pairs in (found.get(keys.pop()) or {}).items()
        if len(pairs) >= min_pairs
        for m in _rendering_pattern(rendering, lang).finditer(tgt)
    }
    # a rendering inside a longer one found at the same place ("Security" in "Security Council") is that one
    places = sorted((a, b) for a, b in places if not any(c <= a and b <= d and (c, d) != (a, b) for c, d in places))
    if len(places) != len(spans) or any(b > c for (_, b), (c, _) in zip(places, places[1:])):
        return None
    if any(_trim(tgt, *_whole_words(tgt, a, b, lang), lang) != (a, b) for a, b in places):
        return None  # inside a longer word (援助 in 援助国): the encoder decides
    return places


def _rendering_pattern(rendering: str, lang: str) -> re.Pattern:
    """The rendering wherever its spacing differs, in any case, not inside a Latin word."""
    if lang == "zh":
        body = r"\s*".join(map(re.escape, "".join(rendering.split())))
        return re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])", re.IGNORECASE)
    body = r"\s+".join(map(re.escape, rendering.split()))
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])", re.IGNORECASE)


def _whole_words(text: str, a: int, b: int, lang: str) -> tuple[int, int]:
    """[a, b) widened to the words it touches (jieba words for Chinese)."""
    if lang == "zh":
        pos = 0
        start, end = a, b
        for word in zh_tokens_with_spaces(text):
            w_end = pos + len(word)
            if pos < b and w_end > a and word.strip():
                start, end = min(start, pos), max(end, w_end)
            pos = w_end
        return start, end
    while a > 0 and _WORDCHAR.match(text[a - 1]):
        a -= 1
    while b < len(text) and _WORDCHAR.match(text[b]):
        b += 1
    while a < b and text[a].isspace():
        a += 1
    return a, b


def _trim(text: str, a: int, b: int, lang: str) -> tuple[int, int] | None:
    """The span without function words at its edges (None if nothing else is left)."""
    if lang == "zh":
        words, pos = [], a
        for w in zh_tokens_with_spaces(text[a:b]):
            words.append((pos, pos + len(w), w.strip()))
            pos += len(w)
    else:
        words = [(a + m.start(), a + m.end(), m.group(0).lower()) for m in re.finditer(r"\S+", text[a:b])]
    stop = ZH_FUNCTION_WORDS if lang == "zh" else EN_FUNCTION_WORDS
    keep = [w for w in words if w[2]]
    while keep and keep[0][2].strip(".,;:()\"'") in stop:
        keep.pop(0)
    while keep and keep[-1][2].strip(".,;:()\"'") in stop:
        keep.pop()
    if not keep:
        return None
    start, end = keep[0][0], keep[-1][1]
    while end > start and not _WORDCHAR.match(text[end - 1]):
        end -= 1
    return (start, end) if end > start else None


def zh_tokens_with_spaces(text: str) -> list[str]:
    """jieba tokens covering the text exactly (whitespace kept as tokens)."""
    from .terms import _jieba

    return list(_jieba().cut(text))
