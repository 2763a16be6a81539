"""What the aligned tables add to the index: document metadata and where units lie on pages.

Optional: an index without its tables beside it (a benchmark index) is served without
dates, document types or page images.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


def body_of(symbol: str) -> str:
    """The issuing body, read from the symbol's first part (A, S, E, CTOC, ...)."""
    return (symbol or "").split("/", 1)[0]


def _value(v):
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else v


@dataclass
class Catalog:
    root: Path  # the project root: documents.source_path is relative to it
    documents: dict[str, dict] = field(default_factory=dict)  # doc_id -> metadata (both versions)
    segments: dict[tuple[str, str], dict] = field(default_factory=dict)  # (doc_id, seg_id) -> label, page, bbox

    @classmethod
    def load(cls, aligned: Path | None, root: Path) -> "Catalog":
        cat = cls(root=Path(root))
        if aligned is None or not (Path(aligned) / "documents.parquet").exists():  # a file or a folder
            return cat
        docs = pd.read_parquet(Path(aligned) / "documents.parquet")
        for r in docs.to_dict("records"):
            entry = cat.documents.setdefault(
                r["doc_id"],
                {
                    "doc_id": r["doc_id"],
                    "symbol": r["symbol"],
                    "doc_type": _value(r.get("doc_type")),
                    "date": _value(r.get("date")),
                    "distribution": _value(r.get("distribution")),
                    "original_language": _value(r.get("original_language")),
                    "body": body_of(r["symbol"]),
                    "versions": {},
                },
            )
            entry["versions"][r["lang"]] = {
                "source_path": _value(r.get("source_path")),
                "source_format": _value(r.get("source_format")),
                "n_pages": _value(r.get("n_pages")),
                "job_number": _value(r.get("job_number")),
            }
        seg_path = Path(aligned) / "segments.parquet"
        if seg_path.exists():
            cols = ["doc_id", "seg_id", "label", "page", "bbox"]
            segs = pd.read_parquet(seg_path, columns=cols)
            for r in segs.itertuples(index=False):
                bbox = None if r.bbox is None else [float(x) for x in r.bbox]
                cat.segments[(r.doc_id, r.seg_id)] = {
                    "label": _value(r.label),
                    "page": None if pd.isna(r.page) else int(r.page),
                    "bbox": bbox if bbox and len(bbox) == 4 else None,
                }
        return cat

    def doc(self, doc_id: str) -> dict:
        return self.documents.get(doc_id, {})

    def year(self, doc_id: str) -> str | None:
        date = self.doc(doc_id).get("date")
        return str(date)[:4] if date else None

    def segment(self, doc_id: str, ids_json: str) -> dict | None:
        """The first segment of a unit side (its label, page and box), if known."""
        try:
            ids = json.loads(ids_json) if isinstance(ids_json, str) else list(ids_json)
        except ValueError:
            return None
        for sid in ids:
            seg = self.segments.get((doc_id, str(sid).split(".")[0]))
            if seg:
                return seg
        return None

    def pdf_path(self, doc_id: str, lang: str) -> Path | None:
        """The PDF of a document version, only when the tables name one inside the project root."""
        version = self.doc(doc_id).get("versions", {}).get(lang) or {}
        if version.get("source_format") != "pdf" or not version.get("source_path"):
            return None
        path = (self.root / version["source_path"]).resolve()
        if not path.is_relative_to(self.root.resolve()) or not path.is_file():
            return None
        return path
