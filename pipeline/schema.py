"""The one place where every table's columns are defined.

Each table is a pyarrow schema plus a one-line description per column; the README's
table section is generated from here (``bitext schema``), and every writer goes
through :func:`pipeline.io.write_table`, which checks a frame against its schema.
"""

from __future__ import annotations

import pyarrow as pa

_str = pa.string()
_int = pa.int32()
_float = pa.float32()
_strs = pa.list_(pa.string())
_floats = pa.list_(pa.float32())


def _table(*columns: tuple[str, pa.DataType, str]) -> tuple[pa.Schema, dict[str, str]]:
    schema = pa.schema([pa.field(name, dtype) for name, dtype, _ in columns])
    return schema, {name: doc for name, _, doc in columns}


# Internal stage output (work/<DOC>/blocks.parquet): what ingestion read, before any
# structure is assigned. One row per block of consecutive lines.
BLOCKS, BLOCKS_DOC = _table(
    ("doc_id", _str, "document id: the symbol with '/' replaced by '_'"),
    ("lang", _str, "ISO 639-1 language code of this version (zh, en, ...)"),
    ("block_id", _int, "0-based order of the block in this version"),
    ("lines", _strs, "the block's lines, exactly as read (no line breaks)"),
    ("char_start", _int, "offset of the block's first character in the normalised input text"),
    ("char_end", _int, "offset just past the block's last character"),
    ("page", _int, "1-based page of the block's first line; null for text inputs"),
    ("page_end", _int, "1-based page of the block's last line; null for text inputs"),
    (
        "bbox",
        _floats,
        "[x0, top, x1, bottom] of the block on its first page, in PDF points from the "
        "top-left corner; null for text and Word inputs",
    ),
    (
        "kind",
        _str,
        "structure hint from a PDF/Word reader: meta, heading, paragraph, footnote, "
        "table_row; null for text inputs (the segmenter reads the lines)",
    ),
    ("label", _str, "mark of a footnote or table note block ('1', 'a', '*'); null otherwise"),
    ("cells", _strs, "cells of a table_row block (empty otherwise)"),
    ("refs", _strs, "footnote/table-note marks the block's text carries, in order"),
    ("group", _int, "blocks printed with no paragraph gap between them (a list) share a group; null for text inputs"),
)

# Unit kinds (segments.kind, alignments.kind), with what each one is.
KINDS: dict[str, str] = {
    "meta": "masthead and session lines",
    "title": "the document's title",
    "sponsors": "the sponsors line of a draft resolution or decision",
    "agenda_item": "an entry of an agenda list, also of an agenda quoted in a report",
    "heading": "a chapter, section, item or other heading",
    "paragraph": "a body paragraph, numbered or not",
    "summary": "a paragraph of a report's or note's summary",
    "preamble": "a preambular paragraph of a resolution or decision",
    "operative": "a numbered operative paragraph of a resolution or decision",
    "list_item": "a sub-paragraph (a)/(i) or a bullet",
    "doc_ref": "an entry of a documentation list",
    "footnote": "a footnote or table note body",
    "table_title": "a table's title",
    "table_row": "a table row (cells in `cells`)",
    "table_note": "a table's source line or notes",
    "signature": "the signature block of a letter or note verbale",
    "table_rule": "a text table's rule line (layout only, not aligned)",
}

DOC_TYPES: dict[str, str] = {
    "agenda": "provisional agenda (and annotations)",
    "report": "report of a body, the Secretary-General, a committee",
    "note": "note by the Secretariat or the Secretary-General",
    "resolution": "resolution adopted by an organ",
    "draft_resolution": "draft resolution",
    "decision": "decision or draft decision",
    "letter": "letter dated ... addressed to ...",
    "note_verbale": "note verbale",
    "other": "none of the above recognised from the title",
}

DOCUMENTS, DOCUMENTS_DOC = _table(
    ("doc_id", _str, "document id: the symbol with '/' replaced by '_'"),
    ("symbol", _str, "UN document symbol, e.g. CTOC/COP/WG.2/2009/1"),
    ("lang", _str, "language of this version"),
    (
        "doc_type",
        _str,
        "document type read from the title and masthead (see the types above; when the "
        "versions disagree, the original's)",
    ),
    ("version_doc_type", _str, "the type this version's own front matter gives"),
    (
        "alignment_warning",
        _str,
        "why the alignment of this document is probably wrong (too many "
        "omissions or disagreeing numbers) and where the versions first part; "
        "null when it looks plausible",
    ),
    ("source_path", _str, "input file, relative to the project root"),
    ("source_format", _str, "txt, pdf or docx"),
    ("source_sha256", _str, "hash of the input file's bytes"),
    ("n_chars", _int, "non-whitespace characters kept from the input (page furniture excluded)"),
    ("n_segments", _int, "segments cut from this version"),
    ("n_sentences", _int, "sentences cut from this version"),
    ("n_pages", _int, "pages of a PDF input; null for text and Word inputs"),
    (
        "n_furniture_chars",
        _int,
        "non-whitespace characters dropped as page furniture (running heads and "
        "feet, page and job numbers, barcode, masthead symbol, footnote rules, "
        "repeated table heads); 0 for text inputs",
    ),
    (
        "printed_symbol",
        _str,
        "document symbol printed in the masthead, rebuilt from its split characters; null when none was found",
    ),
    ("distribution", _str, "'Distr.:' line of the masthead: General, Limited, Restricted; null if none"),
    ("date", _str, "issue date from the masthead, ISO 8601 (YYYY-MM-DD) when it parses, else as printed"),
    ("language_line", _str, "language name printed under the date in translated versions ('Chinese')"),
    ("original_language", _str, "'Original:' language of the masthead ('English'); null if none"),
    ("job_number", _str, "UN job number from the first page's foot, e.g. 26-04865 (E)"),
)

SEGMENTS, SEGMENTS_DOC = _table(
    ("doc_id", _str, "document id"),
    ("lang", _str, "language of this version"),
    ("seg_id", _str, "'<lang>-<position>', unique within a document"),
    ("position", _int, "0-based reading order within this version"),
    ("kind", _str, "what the unit is: one of the unit kinds above"),
    (
        "item",
        _str,
        "agenda item the segment belongs to ('1', '1(a)', ...), only in documents with agenda "
        "items (agendas; the entries of an agenda a report quotes); null elsewhere",
    ),
    (
        "path",
        _str,
        "where the unit sits in the document's numbered structure, with English numbering in "
        "every language: 'III.B' (chapter III, section B), 'III.B.12' (its paragraph 12), "
        "'III.B.12(a)', 'PP3'/'OP5(b)' (preambular/operative paragraphs), 'Summary', "
        "'Annex.I.A', 'fn2' (footnote 2); unnumbered units take the path of the numbered "
        "heading above them; null for front matter",
    ),
    (
        "label",
        _str,
        "the segment's own number or marker, with English numbering ('2.', '(a)', 'I.' for "
        "一、, '1' for a footnote); null if none",
    ),
    ("text", _str, "the segment's text; lines joined (with a space, none between CJK characters)"),
    ("char_start", _int, "offset of the first character in the normalised input text"),
    ("char_end", _int, "offset just past the last character"),
    ("page", _int, "1-based page where the segment starts; null for text inputs"),
    ("page_end", _int, "1-based page where the segment ends; null for text inputs"),
    (
        "bbox",
        _floats,
        "[x0, top, x1, bottom] of the segment on its first page, in PDF points from the "
        "top-left corner; null for text and Word inputs",
    ),
    ("symbols", _strs, "UN document symbols cited in the text (e.g. CTOC/COP/2008/16)"),
    ("footnote_ids", _strs, "seg_ids of the footnotes whose markers this segment carries"),
    ("cells", _strs, "table cells of a table_row (empty otherwise)"),
    ("alignable", pa.bool_(), "false for layout-only segments (table rules) that carry no text to translate"),
)

SENTENCES, SENTENCES_DOC = _table(
    ("doc_id", _str, "document id"),
    ("lang", _str, "language"),
    ("sent_id", _str, "'<seg_id>.<n>', unique within a document"),
    ("seg_id", _str, "the segment this sentence belongs to"),
    ("n", _int, "0-based order of the sentence in its segment"),
    ("text", _str, "sentence text"),
    ("tokens", _strs, "word tokens (jieba for Chinese, a word/punctuation splitter otherwise)"),
)

ALIGNMENTS, ALIGNMENTS_DOC = _table(
    ("doc_id", _str, "document id"),
    ("pair_id", _str, "'<doc_id>:<n>', n the 0-based pair order"),
    ("item", _str, "agenda item of the pair (of the zh side, or the en side for 0-1 pairs)"),
    ("path", _str, "structural path of the pair (of the zh side, or the en side for 0-1 pairs)"),
    ("kind", _str, "segment kind (of the zh side, or the en side for 0-1 pairs)"),
    ("zh_seg_ids", _strs, "Chinese segments in the pair (empty for 0-1)"),
    ("en_seg_ids", _strs, "English segments in the pair (empty for 1-0)"),
    ("zh_text", _str, "Chinese text, segments joined"),
    ("en_text", _str, "English text, segments joined"),
    ("score", _float, "confidence in [0, 1]; 0 for omissions"),
    ("link", _str, "'<n zh>-<n en>', e.g. 1-1, 2-1, 1-0"),
    ("semantic", _float, "embedding similarity mapped to [0, 1]; null for omissions"),
    ("numbers_agree", _float, "agreement of numbers in [0, 1]; null when neither side has any"),
    ("symbols_agree", _float, "agreement of document symbols in [0, 1]; null when neither side has any"),
    (
        "anchored",
        pa.bool_(),
        "true when both sides carry a structural number (paragraph, item, "
        "chapter, footnote mark) and the numbers agree",
    ),
    (
        "flags",
        _strs,
        "for translator review: omission, low_score, numbers_differ, symbols_differ, "
        "labels_differ (the two sides' structural numbers disagree)",
    ),
)

SENTENCE_ALIGNMENTS, SENTENCE_ALIGNMENTS_DOC = _table(
    ("doc_id", _str, "document id"),
    ("pair_id", _str, "the unit pair this sentence pair lies in"),
    ("sent_pair_id", _str, "'<pair_id>.<n>'"),
    ("zh_sent_ids", _strs, "Chinese sentences (empty for 0-1)"),
    ("en_sent_ids", _strs, "English sentences (empty for 1-0)"),
    ("zh_text", _str, "Chinese text"),
    ("en_text", _str, "English text"),
    ("score", _float, "confidence in [0, 1]; 0 for omissions"),
    ("link", _str, "'<n zh>-<n en>'"),
)

# Internal stage output (work/<DOC>/embeddings.parquet).
EMBEDDINGS, EMBEDDINGS_DOC = _table(
    ("text_sha1", _str, "sha1 of the text as encoded (without prompt)"),
    ("vector", pa.list_(pa.float32()), "L2-normalised embedding"),
)

TABLES: dict[str, tuple[pa.Schema, dict[str, str]]] = {
    "documents": (DOCUMENTS, DOCUMENTS_DOC),
    "segments": (SEGMENTS, SEGMENTS_DOC),
    "sentences": (SENTENCES, SENTENCES_DOC),
    "alignments": (ALIGNMENTS, ALIGNMENTS_DOC),
    "sentence_alignments": (SENTENCE_ALIGNMENTS, SENTENCE_ALIGNMENTS_DOC),
}
# `bitext scan`'s memory of each file (work/stat-cache.parquet), so that a re-scan reads
# only files whose size or mtime changed. Not a stage output: mtimes differ from clone to
# clone, and dvc.lock must not.
STAT_CACHE, STAT_CACHE_DOC = _table(
    ("path", _str, "the file, as scanned (raw/<doc_id>/<file>)"),
    ("size", pa.int64(), "bytes when it was hashed"),
    ("mtime_ns", pa.int64(), "modification time (ns) when it was hashed"),
    ("sha256", _str, "content hash"),
)
INTERNAL_TABLES = {
    "blocks": (BLOCKS, BLOCKS_DOC),
    "embeddings": (EMBEDDINGS, EMBEDDINGS_DOC),
    "stat_cache": (STAT_CACHE, STAT_CACHE_DOC),
}

# The corpus run's bookkeeping: what `bitext scan` found (work/manifest.parquet) and
# where `bitext process` left each document (aligned/ledger.parquet).
MANIFEST, MANIFEST_DOC = _table(
    ("doc_id", _str, "document id: the folder under raw/"),
    ("file", _str, "file name inside the document folder, e.g. zh.pdf"),
    ("role", _str, "the file's stem: a language code (zh, en, ...) or another role (gold-units, layout)"),
    ("size", pa.int64(), "bytes"),
    ("sha256", _str, "content hash: what the document's fingerprint is made of"),
    ("body", _str, "issuing body, the symbol's first part (CTOC, A, S, E, ...), where known"),
    ("year", _int, "year in the symbol (e.g. 2009 in CTOC/COP/WG.2/2009/1), where known"),
)

# Only what is the same in every clone: the facts of a run (seconds, worker, attempts,
# steps run) are in its run record, work/runs/<time>.jsonl (pipeline/corpus/runlog.py).
LEDGER, LEDGER_DOC = _table(
    ("doc_id", _str, "document id"),
    ("fingerprint", _str, "sha256 over the document's inputs, the code, parameters, model and calibration it used"),
    ("status", _str, "done or failed"),
    ("error", _str, "one-line reason when failed, else null"),
)
CORPUS_TABLES = {"manifest": (MANIFEST, MANIFEST_DOC), "ledger": (LEDGER, LEDGER_DOC)}


def markdown() -> str:
    """The tables as README markdown (kept in sync by a test)."""
    out = ["#### Document types (`documents.doc_type`)\n\n| type | what |\n|---|---|"]
    out += [f"| `{k}` | {v} |" for k, v in DOC_TYPES.items()]
    out += ["", "#### Unit kinds (`segments.kind`, `alignments.kind`)\n\n| kind | what |\n|---|---|"]
    out += [f"| `{k}` | {v} |" for k, v in KINDS.items()]
    out.append("")
    for name, (schema, docs) in {**TABLES, **CORPUS_TABLES}.items():
        out.append(f"#### `{name}`\n\n| column | type | meaning |\n|---|---|---|")
        for field in schema:
            out.append(f"| `{field.name}` | {field.type} | {docs[field.name]} |")
        out.append("")
    return "\n".join(out)
