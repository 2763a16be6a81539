"""Stage 1, ingest: raw/<DOC>/<lang>.<ext> -> blocks of lines per language version.

Readers (one per format) turn a file into an :class:`~.extracted.Extracted`: the
plain-text reader gives text that :func:`text_to_blocks` cuts into blocks (runs of
non-blank lines); the PDF and Word readers yield blocks directly, one per unit, with
pages, bounding boxes, structure hints and masthead metadata (see extracted.py).
Everything a user can get wrong about an input raises
:class:`~pipeline.errors.InputError` naming the file; odd but readable inputs only
warn (``Extracted.warnings``, printed by the stage and logged).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..langs import UN_LANGUAGES, script_share
from ..records import Block
from .docx import read_docx
from .extracted import Extracted, text_to_blocks  # noqa: F401  (part of the package API)
from .parallel import map_in_order, n_workers, single_process
from .pdf import PdfSettings, read_pdf
from .text import read_txt


@dataclass(frozen=True)
class IngestSettings:
    """params.yaml ``ingest``: which files are read and how (see configs/params.yaml)."""

    formats: list[str] = field(default_factory=lambda: ["pdf", "docx", "txt"])  # tried in this order
    min_script_share: float = 0.5  # below this share of letters in the expected script: wrong language
    workers: int = 0  # processes reading versions and pages: 0 = one per core, 1 = no pool
    pdf: PdfSettings = field(default_factory=PdfSettings)


def _read_text(path: Path, lang: str, params: dict) -> Extracted:
    return Extracted.from_text(read_txt(path), lang)


def _read_pdf(path: Path, lang: str, params: dict) -> Extracted:
    pdf = params.get("pdf") or {}
    return read_pdf(path, lang, {**pdf, "workers": pdf.get("workers", params.get("workers", 0))})


def _read_docx(path: Path, lang: str, params: dict) -> Extracted:
    return read_docx(path, lang, params.get("pdf"))


# Formats this version can read, and the reader of each: (path, lang, ingest params) -> Extracted.
READERS = {"txt": _read_text, "pdf": _read_pdf, "docx": _read_docx}


_log = logging.getLogger("pipeline.ingest")


@dataclass(frozen=True)
class Source:
    lang: str
    path: Path
    format: str
    sha256: str


def doc_symbol(doc_id: str) -> str:
    """raw/ folder name -> UN symbol (UN symbols never contain '_')."""
    return doc_id.replace("_", "/")


def find_sources(doc_dir: Path, languages: list[str], formats: list[str]) -> dict[str, Source]:
    """Pick one input file per language version, by the order of ``formats``."""
    doc_dir = Path(doc_dir)
    if not doc_dir.is_dir():
        raise InputError(doc_dir, "no such document folder")
    found: dict[str, dict[str, Path]] = {}
    for path in sorted(doc_dir.iterdir()):
        lang, dot, ext = path.name.partition(".")
        if not dot or lang not in UN_LANGUAGES or not path.is_file():
            continue  # gold files, READMEs and the like are not versions
        if ext not in READERS:
            raise InputError(path, f"unsupported format '.{ext}' (supported: {', '.join('.' + f for f in READERS)})")
        found.setdefault(lang, {})[ext] = path
    missing = [lang for lang in languages if lang not in found]
    if missing:
        have = ", ".join(sorted(p.name for v in found.values() for p in v.values())) or "no language versions"
        raise InputError(
            doc_dir, f"missing the {'/'.join(missing)} version (found: {have}); expected files like {missing[0]}.txt"
        )
    sources = {}
    for lang in sorted(found):
        ext = next((f for f in formats if f in found[lang]), None)
        if ext is None:
            raise InputError(found[lang][next(iter(found[lang]))], f"format not enabled in ingest.formats {formats}")
        path = found[lang][ext]
        sources[lang] = Source(lang, path, ext, hashlib.sha256(path.read_bytes()).hexdigest())
    return sources


def check_language(text: str, lang: str, path: Path, min_share: float) -> None:
    share = script_share(text, lang)
    if share is not None and share < min_share:
        raise InputError(
            path,
            f"does not look like {lang}: only {share:.0%} of its letters are in the "
            f"{lang} script (minimum {min_share:.0%}); is the file in the wrong language?",
        )


def _read(args) -> Extracted:
    src, params = args
    return read_source(src, params)


def read_sources(sources: list[Source], params: dict) -> list[Extracted]:
    """Extracted for each source, in order; layout formats in parallel when there are several."""
    heavy = [s for s in sources if s.format != "txt"]
    workers = n_workers(params, len(heavy))
    read = dict(zip(map(id, heavy), map_in_order(_read, [(s, single_process(params)) for s in heavy], workers)))
    return [read[id(s)] if id(s) in read else read_source(s, params) for s in sources]


def read_source(src: Source, params: dict | None = None) -> Extracted:
    """One language version through its format's reader (picklable: used by the process pool)."""
    return READERS[src.format](src.path, src.lang, params or {})


METADATA_COLUMNS = ("printed_symbol", "distribution", "date", "language_line", "original_language", "job_number")


def document_row(doc_id: str, src: Source, extracted: Extracted) -> dict:
    meta = extracted.metadata
    return {
        "doc_id": doc_id,
        "symbol": doc_symbol(doc_id),
        "lang": src.lang,
        "source_path": src.path.as_posix(),
        "source_format": src.format,
        "source_sha256": src.sha256,
        "n_chars": sum(1 for ch in extracted.text if not ch.isspace()),
        "n_segments": None,
        "n_sentences": None,
        "n_pages": extracted.n_pages,
        "n_furniture_chars": extracted.n_furniture_chars,
        **{column: meta.get(column) for column in METADATA_COLUMNS},
    }


def ingest_document(
    doc_dir: Path,
    languages: list[str],
    formats: list[str],
    min_script_share: float,
    params: dict | None = None,
    warnings: list[str] | None = None,
) -> tuple[list[dict], list[Block]]:
    """Read every language version of one document: (document rows, blocks).

    ``params`` is the ``ingest`` section (PDF tolerances, ``workers``); versions that
    need layout analysis are read in parallel (see parallel.py). Warnings about odd
    but readable inputs are appended to ``warnings`` (and logged).
    """
    doc_dir = Path(doc_dir)
    doc_id = doc_dir.name
    documents, blocks = [], []
    sources = find_sources(doc_dir, languages, formats)
    for src, extracted in zip(sources.values(), read_sources(list(sources.values()), params or {})):
        check_language(extracted.text, src.lang, src.path, min_script_share)
        _check_symbol(doc_id, src, extracted)
        for message in extracted.warnings:
            _log.warning("%s: %s", src.path, message)
            if warnings is not None:
                warnings.append(f"{src.path}: {message}")
        blocks.extend(extracted.blocks)
        documents.append(document_row(doc_id, src, extracted))
    return documents, blocks


def _check_symbol(doc_id: str, src: Source, extracted: Extracted) -> None:
    printed = extracted.metadata.get("printed_symbol")
    if printed and printed.replace(" ", "") != doc_symbol(doc_id).replace(" ", ""):
        extracted.warnings.append(f"the masthead prints the symbol {printed}, the folder says {doc_symbol(doc_id)}")


def _ingest_one(args):
    doc_dir, languages, formats, min_share, params = args
    return ingest_document(doc_dir, languages, formats, min_share, params)


def ingest_many(
    doc_dirs: list[Path], languages: list[str], formats: list[str], min_script_share: float, params: dict | None = None
) -> list[tuple[list[dict], list]]:
    """ingest_document for many documents, one per process; results in the order given."""
    params = dict(params or {})
    jobs = [(d, languages, formats, min_script_share, single_process(params)) for d in doc_dirs]
    return map_in_order(_ingest_one, jobs, n_workers(params, len(doc_dirs)))


def _read_file(args):
    path, lang, params = args
    return READERS[Path(path).suffix.lstrip(".")](Path(path), lang, params)


def read_files(paths: list[Path], lang: str, params: dict | None = None) -> list:
    """Extracted for loose files (any supported format), one process per file; in order."""
    params = dict(params or {})
    jobs = [(str(p), lang, single_process(params)) for p in paths]
    return map_in_order(_read_file, jobs, n_workers(params, len(paths)))
