"""``bitext scan``: find the documents under raw/ and hash their files.

A document is a folder ``raw/<doc_id>/`` holding its language versions
(``zh.pdf``, ``en.docx``, ``fr.txt`` ...) and optional companions (``gold-units.tsv``).
The manifest has one row per file. Hashing is the slow part at corpus scale, so a file
whose size and mtime equal those of the last scan keeps its hash. Those sizes and mtimes
live in a stat cache beside the manifest, not in it: mtimes differ from clone to clone,
and the manifest is a stage output whose hash dvc.lock records.
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


class StatCache:
    """Each file's size, mtime and hash when it was last hashed (``stat_cache`` table).

    A file whose size and mtime are unchanged keeps its hash; only the files of the
    current scan are kept (:meth:`save`), so a removed file's entry goes."""

    def __init__(self, known: dict[str, tuple[int, int, str]] | None = None):
        self.known = known or {}
        self.seen: dict[str, tuple[int, int, str]] = {}

    @classmethod
    def load(cls, path: Path) -> StatCache:
        """The cache at ``path``; empty when absent or unreadable (everything is hashed again)."""
        if not Path(path).is_file():
            return cls()
        try:
            rows = io.read_table("stat_cache", path)
        except PipelineError:
            return cls()
        return cls({r.path: (r.size, r.mtime_ns, r.sha256) for r in rows.itertuples()})

    def size_and_hash(self, path: Path) -> tuple[int, str]:
        """The file's size and sha256; read only when its size or mtime changed."""
        stat = path.stat()
        old = self.known.get(str(path))
        unchanged = old is not None and old[:2] == (stat.st_size, stat.st_mtime_ns)
        sha = old[2] if unchanged else sha256_of(path)
        self.seen[str(path)] = (stat.st_size, stat.st_mtime_ns, sha)
        return stat.st_size, sha

    def save(self, path: Path) -> None:
        rows = [{"path": p, "size": s, "mtime_ns": m, "sha256": h} for p, (s, m, h) in sorted(self.seen.items())]
        io.write_table("stat_cache", rows, path)


def scan(
    raw: Path, cache: StatCache | None = None, progress: bool | None = None, skipped: list[str] | None = None
) -> pd.DataFrame:
    """The manifest of ``raw``: one row per file, sorted by document and file name.
    Folders without a language version (``<lang>.<pdf|docx|txt>``) go to ``skipped``.
    ``cache`` spares re-hashing unchanged files, and learns this scan's files."""
    raw = Path(raw)
    if not raw.is_dir():
        raise PipelineError(f"{raw}: not a folder of documents (raw/<doc_id>/<lang>.<pdf|docx|txt>)")
    cache = StatCache() if cache is None else cache
    rows = []
    for doc_id, path in tqdm(
        _files(raw, [] if skipped is None else skipped), desc="scan", unit="file", disable=progress is False or None
    ):
        size, sha = cache.size_and_hash(path)
        body, year = symbol_facts(doc_id)
        rows.append(
            {
                "doc_id": doc_id,
                "file": path.name,
                "role": path.name.split(".")[0],
                "size": size,
                "sha256": sha,
                "body": body,
                "year": year,
            }
        )
    return pd.DataFrame(rows, columns=io.schema_of("manifest").names)
