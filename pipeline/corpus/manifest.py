"""``bitext scan``: find the documents under raw/ and hash their files.

A document is a folder ``raw/<doc_id>/`` holding its language versions
(``zh.pdf``, ``en.docx``, ``fr.txt`` ...) and optional companions (``gold-units.tsv``).
The manifest has one row per file. Hashing is the slow part at corpus scale, so a file
whose size and mtime equal the previous manifest's keeps its hash.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from .. import io
from ..errors import PipelineError

_YEAR = re.compile(r"^(19[4-9]\d|20\d\d)$")
# A folder is a document when it holds at least one language version.
_VERSION = re.compile(r"^[a-z]{2}\.(pdf|docx|txt)$")
_HASH_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def symbol_facts(doc_id: str) -> tuple[str | None, int | None]:
    """Issuing body and year from a folder named after the symbol ('/' written '_')."""
    parts = [p for p in re.split(r"[_/]", doc_id) if p]
    body = parts[0] if parts and re.fullmatch(r"[A-Z][A-Z0-9.]*", parts[0]) else None
    year = next((int(p) for p in parts[1:] if _YEAR.match(p)), None)
    return body, year


def _files(raw: Path, skipped: list[str]) -> list[tuple[str, Path]]:
    found = []
    for doc in sorted(p for p in raw.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = [f for f in sorted(doc.iterdir()) if f.is_file() and not f.name.startswith(".")]
        if any(_VERSION.match(f.name) for f in files):
            found += [(doc.name, f) for f in files]
        else:
            skipped.append(doc.name)
    return found


def scan(
    raw: Path, previous: pd.DataFrame | None = None, progress: bool | None = None, skipped: list[str] | None = None
) -> pd.DataFrame:
    """The manifest of ``raw``: one row per file, sorted by document and file name.
    Folders without a language version (``<lang>.<pdf|docx|txt>``) go to ``skipped``."""
    raw = Path(raw)
    if not raw.is_dir():
        raise PipelineError(f"{raw}: not a folder of documents (raw/<doc_id>/<lang>.<pdf|docx|txt>)")
    known = {}
    if previous is not None:
        known = {(r.doc_id, r.file): (r.size, r.mtime_ns, r.sha256) for r in previous.itertuples()}
    rows = []
    for doc_id, path in tqdm(
        _files(raw, [] if skipped is None else skipped), desc="scan", unit="file", disable=progress is False or None
    ):
        stat = path.stat()
        size, mtime = stat.st_size, stat.st_mtime_ns
        old = known.get((doc_id, path.name))
        sha = old[2] if old and old[0] == size and old[1] == mtime else sha256_of(path)
        body, year = symbol_facts(doc_id)
        rows.append(
            {
                "doc_id": doc_id,
                "file": path.name,
                "role": path.name.split(".")[0],
                "size": size,
                "mtime_ns": mtime,
                "sha256": sha,
                "body": body,
                "year": year,
            }
        )
    return pd.DataFrame(rows, columns=io.schema_of("manifest").names)


def read_previous(path: Path) -> pd.DataFrame | None:
    try:
        return io.read_table("manifest", path) if Path(path).is_file() else None
    except PipelineError:
        return None  # unreadable: hash everything again
