"""Word links of a sentence pair: for every word token of each side, its closest token on
the other side and their similarity (the encoder's contextual token vectors at
``spotting.layer``, compared as in :mod:`.spotting`).

That is all translation spotting needs, so the index stores the links of its sentence
pairs (table ``word_links``, made by ``bitext index``, cached by text pair) and the
workbench spots a translation with no forward pass; a pair without stored links is
spotted live, through the same links. Stored form (little-endian; spans are offsets in
Python characters, i.e. code points, of the pair's ``zh_text`` / ``en_text``):

    header  uint8 format, uint16 zh tokens, uint16 en tokens
    per side (zh, then en), one entry per token:
            uint16 start, uint8 length, uint16 closest token on the other side, float16 similarity

A pair whose spans do not fit (a token of 256+ characters, a text of 65,536+) has no
stored links and is spotted live.
"""

from __future__ import annotations

import hashlib
import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# The stored form and the way tokens are chosen (pipeline/search/spotting.py, Spotter._encode):
# raise it when either changes, so caches and indexes made before are not read.
FORMAT_VERSION = 1
_HEADER = struct.Struct("<BHH")
_ENTRY = np.dtype([("start", "<u2"), ("length", "u1"), ("closest", "<u2"), ("sim", "<f2")])
CHUNK = 64  # pairs encoded together when the index links many


@dataclass(frozen=True, eq=False)
class Side:
    """One side's word tokens: character spans (n, 2), and per token the index of its
    closest token on the other side and their similarity (float16, as stored)."""

    spans: np.ndarray
    closest: np.ndarray
    sim: np.ndarray

    def __len__(self) -> int:
        return len(self.spans)


@dataclass(frozen=True, eq=False)
class WordLinks:
    zh: Side
    en: Side

    def side(self, lang: str) -> Side:
        return self.zh if lang == "zh" else self.en

    def fits(self, zh_text: str, en_text: str) -> bool:
        """Whether the spans lie inside these texts (links read back for another text do not)."""
        return all(
            not len(side) or int(side.spans[:, 1].max()) <= len(text)
            for side, text in ((self.zh, zh_text), (self.en, en_text))
        )

    def to_bytes(self) -> bytes | None:
        """The stored form; None when a span does not fit it."""
        parts = []
        for side in (self.zh, self.en):
            starts, lengths = side.spans[:, 0], side.spans[:, 1] - side.spans[:, 0]
            if len(side) > 65535 or len(side) and (starts.max() > 65535 or lengths.max() > 255 or lengths.min() < 0):
                return None
            entries = np.empty(len(side), dtype=_ENTRY)
            entries["start"], entries["length"] = starts, lengths
            entries["closest"], entries["sim"] = side.closest, side.sim
            parts.append(entries.tobytes())
        return _HEADER.pack(FORMAT_VERSION, len(self.zh), len(self.en)) + b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> WordLinks:
        """Raises ValueError on another format or a short blob."""
        version, n_zh, n_en = _HEADER.unpack_from(data)
        if version != FORMAT_VERSION:
            raise ValueError(f"word links of format {version}; this program reads {FORMAT_VERSION}")
        sides = []
        offset = _HEADER.size
        for n in (n_zh, n_en):
            entries = np.frombuffer(data, dtype=_ENTRY, count=n, offset=offset)
            offset += n * _ENTRY.itemsize
            starts = entries["start"].astype(np.int32)
            spans = np.stack([starts, starts + entries["length"]], axis=1) if n else np.zeros((0, 2), np.int32)
            sides.append(Side(spans, entries["closest"].astype(np.int32), entries["sim"].copy()))
        return cls(*sides)


def link(zh_vectors: np.ndarray, zh_spans, en_vectors: np.ndarray, en_spans) -> WordLinks:
    """The links of a pair from its sides' normalised token vectors and character spans."""
    n_zh, n_en = len(zh_spans), len(en_spans)
    if not n_zh or not n_en:  # nothing to link to
        return WordLinks(
            _side(zh_spans, np.zeros(n_zh), np.zeros(n_zh)), _side(en_spans, np.zeros(n_en), np.zeros(n_en))
        )
    sim = (zh_vectors @ en_vectors.T).astype(np.float16)  # rounded here, so live and stored links agree
    return WordLinks(
        _side(zh_spans, sim.argmax(axis=1), sim.max(axis=1)),
        _side(en_spans, sim.argmax(axis=0), sim.max(axis=0)),
    )


def _side(spans, closest: np.ndarray, sim: np.ndarray) -> Side:
    return Side(np.asarray(spans, dtype=np.int32).reshape(-1, 2), closest.astype(np.int32), sim.astype(np.float16))


def made_with(layer: int, prompt: str) -> dict:
    """How links are made: stored in the index's meta; links made otherwise are not used."""
    return {"format": FORMAT_VERSION, "layer": layer, "prompt": prompt}


# --- index time ------------------------------------------------------------------------


class LinkCache:
    """Stored links by (zh text, en text), one SQLite file per model, prompt, layer and
    format, so a rebuild or an update computes only the new pairs' links."""

    def __init__(self, cache_dir: str | Path, fingerprint: str):
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(Path(cache_dir) / f"word-links-{fingerprint}.sqlite")
        self.db.execute("CREATE TABLE IF NOT EXISTS links (key TEXT PRIMARY KEY, data BLOB)")

    def get(self, keys: list[str]) -> dict[str, bytes | None]:
        found = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            marks = ",".join("?" * len(part))
            found.update(self.db.execute(f"SELECT key, data FROM links WHERE key IN ({marks})", part))
        return found

    def put(self, items: dict[str, bytes | None]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO links VALUES (?, ?)", list(items.items()))
        self.db.commit()


def pair_key(zh: str, en: str) -> str:
    return hashlib.sha1(f"{zh}\0{en}".encode()).hexdigest()


def stored_links(pairs: list[tuple[str, str]], make_spotter, cache: LinkCache | None = None, say=None) -> list:
    """The stored form of each (zh, en) pair's links (None: a side is empty or a span does
    not fit), through ``cache``; ``make_spotter()`` gives the spotter that encodes the
    pairs not in it (called only then). ``say``: a progress bar and messages when given."""
    keys = [pair_key(zh, en) for zh, en in pairs]
    known = cache.get(sorted(set(keys))) if cache else {}
    todo = sorted({(k, zh, en) for k, (zh, en) in zip(keys, pairs) if k not in known and zh.strip() and en.strip()})
    spotter = make_spotter() if todo else None
    steps = range(0, len(todo), CHUNK)
    if say and todo:
        from tqdm import tqdm

        say(f"word links of {len(todo)} sentence pairs not in the cache")
        steps = tqdm(steps, desc="word links", unit="chunk", mininterval=2)
    for start in steps:
        part = todo[start : start + CHUNK]
        tokens = spotter.tokens([t for _, zh, en in part for t in (zh, en)])  # one batched encoding
        new = {k: link(*tokens[2 * i], *tokens[2 * i + 1]).to_bytes() for i, (k, _, _) in enumerate(part)}
        known.update(new)
        if cache:
            cache.put(new)
    return [known.get(k) for k in keys]
