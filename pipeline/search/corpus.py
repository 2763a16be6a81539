"""The aligned pairs as flat rows: one per sentence pair and one per unit pair.

Both the search index and the TMX export start from here. A folder of tables is either
``aligned/`` (every document) or one ``work/<DOC>/`` (the same file names, one
document). Each row carries its document's symbol and original language, the agenda
item and kind of its unit, and the Chinese jieba tokens of its text (taken from the
``sentences`` table, so nothing is segmented twice).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .. import io
from ..errors import PipelineError
from ..langs import CJK_RANGES

LEVELS = ("sentence", "unit")
LANG_NAMES = {
    "english": "en",
    "chinese": "zh",
    "french": "fr",
    "spanish": "es",
    "russian": "ru",
    "arabic": "ar",
    "英文": "en",
    "中文": "zh",
    "法文": "fr",
    "西班牙文": "es",
    "俄文": "ru",
    "阿拉伯文": "ar",
}
_ORIGINAL = re.compile(rf"(?:Original|原文)\s*[:：]\s*([A-Za-z]+|[{CJK_RANGES}]+文)", re.IGNORECASE)
TABLE_NAMES = ("documents", "segments", "sentences", "alignments", "sentence_alignments")


def read_tables(folder: Path, producer: str = "process") -> dict[str, pd.DataFrame]:
    """The five tables of ``folder``; a missing one says which command makes it."""
    folder = Path(folder)
    tables = {}
    for name in TABLE_NAMES:
        path = folder / f"{name}.parquet"
        if not path.exists():  # a file (one document's stage output) or a folder (the corpus tables)
            raise PipelineError(f"{path}: not found; run `bitext {producer}` (or `dvc repro`) first")
        tables[name] = io.read_table(name, path)
    return tables


def original_language(doc_id: str, documents: pd.DataFrame, segments: pd.DataFrame) -> str | None:
    """The language the document was drafted in, if the tables say so.

    A column ``original_lang`` or ``original_language`` of ``documents`` (a code or a
    name: 'en', 'English') wins; otherwise the "Original: English" line that UN
    documents print in their front matter (either language version).
    """
    docs = documents[documents.doc_id == doc_id]
    for column in ("original_lang", "original_language"):  # a code ('en') or a name ('English')
        if column in docs.columns:
            for value in docs[column]:
                if isinstance(value, str) and value.strip():
                    v = value.strip()
                    code = v.lower() if v.lower() in LANG_NAMES.values() else LANG_NAMES.get(v.lower())
                    if code:
                        return code
    meta = segments[(segments.doc_id == doc_id) & (segments.kind == "meta")]
    for text in meta.text:
        m = _ORIGINAL.search(text)
        if m and m.group(1).lower() in LANG_NAMES:
            return LANG_NAMES[m.group(1).lower()]
    return None


def documents_of(tables: dict[str, pd.DataFrame], default_srclang: str) -> pd.DataFrame:
    """doc_id, symbol, original_lang (null when unknown), srclang (zh or en), in table order."""
    docs = tables["documents"]
    rows = []
    for doc_id in dict.fromkeys(docs.doc_id):
        symbol = docs.loc[docs.doc_id == doc_id, "symbol"].iloc[0]
        original = original_language(doc_id, docs, tables["segments"])
        rows.append(
            {
                "doc_id": doc_id,
                "symbol": symbol,
                "original_lang": original,
                "srclang": original if original in ("zh", "en") else default_srclang,
            }
        )
    return pd.DataFrame(rows, columns=["doc_id", "symbol", "original_lang", "srclang"])


def _pair_order(pair_id: str) -> tuple:
    """'DOC:12' -> (12,), 'DOC:12.3' -> (12, 3): numeric order inside a document."""
    tail = pair_id.rsplit(":", 1)[-1]
    return tuple(int(p) if p.isdigit() else p for p in tail.split("."))


def _flags(table: pd.DataFrame) -> list:
    """Review flags of each pair, when the table has them (null otherwise)."""
    if "flags" not in table.columns:
        return [None] * len(table)
    return [None if v is None else list(v) for v in table["flags"]]


def flat_rows(
    tables: dict[str, pd.DataFrame], levels: tuple[str, ...] = LEVELS, with_tokens: bool = True
) -> pd.DataFrame:
    """One row per pair, ordered by level (as given), document (table order), pair order.

    Columns: level, pair_id, unit_pair_id, doc_id, item, kind, link, score, semantic,
    numbers_agree, symbols_agree, anchored, flags, zh_ids, en_ids, zh_text, en_text, and
    zh_tokens (if asked); ``zh_members``/``en_members`` hold the texts of the sentences
    or segments each side is made of (for composing vectors).
    """
    units = tables["alignments"]
    sents = tables["sentence_alignments"]
    seg_text = {
        (d, s): t for d, s, t in zip(tables["segments"].doc_id, tables["segments"].seg_id, tables["segments"].text)
    }
    sentences = tables["sentences"].sort_values(["doc_id", "seg_id", "n"], kind="stable")
    sent_text = {(d, s): t for d, s, t in zip(sentences.doc_id, sentences.sent_id, sentences.text)}
    sent_tokens = {(d, s): list(t) for d, s, t in zip(sentences.doc_id, sentences.sent_id, sentences.tokens)}
    seg_sents: dict[tuple[str, str], list[str]] = {}
    for d, seg, sid in zip(sentences.doc_id, sentences.seg_id, sentences.sent_id):
        seg_sents.setdefault((d, seg), []).append(sid)
    doc_rank = {d: i for i, d in enumerate(dict.fromkeys(tables["documents"].doc_id))}
    unit_info = {p: (i, k, a) for p, i, k, a in zip(units.pair_id, units.item, units.kind, units.anchored)}

    def tokens_of(doc: str, sent_ids: list[str], text: str) -> list[str]:
        toks = [t for s in sent_ids for t in sent_tokens.get((doc, s), [])]
        if not toks and text.strip():
            from .terms import zh_tokens

            toks = zh_tokens(text)
        return toks

    frames = []
    for level in levels:
        if level == "unit":
            f = pd.DataFrame(
                {
                    "level": "unit",
                    "pair_id": units.pair_id,
                    "unit_pair_id": units.pair_id,
                    "doc_id": units.doc_id,
                    "item": units.item,
                    "kind": units.kind,
                    "link": units.link,
                    "score": units.score,
                    "semantic": units.semantic,
                    "numbers_agree": units.numbers_agree,
                    "symbols_agree": units.symbols_agree,
                    "anchored": units.anchored,
                    "flags": _flags(units),
                    "zh_ids": units.zh_seg_ids.map(list),
                    "en_ids": units.en_seg_ids.map(list),
                    "zh_text": units.zh_text,
                    "en_text": units.en_text,
                }
            )
            for lang in ("zh", "en"):
                f[f"{lang}_members"] = [
                    [seg_text.get((d, s), "") for s in ids] for d, ids in zip(f.doc_id, f[f"{lang}_ids"])
                ]
            if with_tokens:
                f["zh_tokens"] = [
                    tokens_of(d, [s for seg in ids for s in seg_sents.get((d, seg), [])], t)
                    for d, ids, t in zip(f.doc_id, f.zh_ids, f.zh_text)
                ]
        elif level == "sentence":
            info = [unit_info.get(p, (None, None, None)) for p in sents.pair_id]
            f = pd.DataFrame(
                {
                    "level": "sentence",
                    "pair_id": sents.sent_pair_id,
                    "unit_pair_id": sents.pair_id,
                    "doc_id": sents.doc_id,
                    "item": [i[0] for i in info],
                    "kind": [i[1] for i in info],
                    "link": sents.link,
                    "score": sents.score,
                    "semantic": None,
                    "numbers_agree": None,
                    "symbols_agree": None,
                    "anchored": [i[2] for i in info],
                    "flags": _flags(sents),
                    "zh_ids": sents.zh_sent_ids.map(list),
                    "en_ids": sents.en_sent_ids.map(list),
                    "zh_text": sents.zh_text,
                    "en_text": sents.en_text,
                }
            )
            for lang in ("zh", "en"):
                f[f"{lang}_members"] = [
                    [sent_text.get((d, s), "") for s in ids] for d, ids in zip(f.doc_id, f[f"{lang}_ids"])
                ]
            if with_tokens:
                f["zh_tokens"] = [tokens_of(d, ids, t) for d, ids, t in zip(f.doc_id, f.zh_ids, f.zh_text)]
        else:
            raise ValueError(f"unknown level {level!r}")
        f["_doc"] = f.doc_id.map(doc_rank).fillna(len(doc_rank)).astype(int)
        f["_order"] = f.pair_id.map(_pair_order)
        frames.append(f.sort_values(["_doc", "_order"], kind="stable").drop(columns=["_doc", "_order"]))
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    out["item"] = out["item"].astype(object).where(out["item"].notna(), None)
    return out
