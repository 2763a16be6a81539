"""Stage 1, ingest: raw/<DOC>/<lang>.<ext> -> blocks of lines per language version.

Readers (one per format) turn a file into normalised text; :func:`text_to_blocks`
cuts text into blocks (runs of non-blank lines). Everything a user can get wrong
about an input raises :class:`~pipeline.errors.InputError` naming the file.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..langs import UN_LANGUAGES, script_share
from ..records import Block
from .text import read_txt

# Formats this version can read, and the reader of each.
READERS = {"txt": read_txt}


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
        raise InputError(doc_dir, f"missing the {'/'.join(missing)} version (found: {have}); "
                                  f"expected files like {missing[0]}.txt")
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
        raise InputError(path, f"does not look like {lang}: only {share:.0%} of its letters are in the "
                               f"{lang} script (minimum {min_share:.0%}); is the file in the wrong language?")


def text_to_blocks(text: str, lang: str) -> list[Block]:
    """Blocks = runs of non-blank lines, with their character offsets in ``text``."""
    blocks: list[Block] = []
    lines: list[str] = []
    start = offset = 0
    for raw_line in text.split("\n"):
        if raw_line.strip():
            if not lines:
                start = offset
            lines.append(raw_line)
            end = offset + len(raw_line)
        elif lines:
            blocks.append(Block(lang, len(blocks), tuple(lines), start, end))
            lines = []
        offset += len(raw_line) + 1
    if lines:
        blocks.append(Block(lang, len(blocks), tuple(lines), start, end))
    return blocks


def ingest_document(doc_dir: Path, languages: list[str], formats: list[str], min_script_share: float
                    ) -> tuple[list[dict], list[Block]]:
    """Read every language version of one document: (document rows, blocks)."""
    doc_dir = Path(doc_dir)
    doc_id = doc_dir.name
    documents, blocks = [], []
    for lang, src in find_sources(doc_dir, languages, formats).items():
        text = READERS[src.format](src.path)
        check_language(text, lang, src.path, min_script_share)
        version_blocks = text_to_blocks(text, lang)
        blocks.extend(version_blocks)
        documents.append({
            "doc_id": doc_id, "symbol": doc_symbol(doc_id), "lang": lang,
            "source_path": src.path.as_posix(), "source_format": src.format, "source_sha256": src.sha256,
            "n_chars": sum(1 for ch in text if not ch.isspace()), "n_segments": None, "n_sentences": None,
        })
    return documents, blocks
