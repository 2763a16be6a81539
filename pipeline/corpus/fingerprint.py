"""What each step of a document depends on, hashed.

A step's fingerprint is a sha256 over the previous step's fingerprint, the step's code,
the parameter sections it reads and the files it reads besides its inputs (model,
calibrations). A document's step re-runs only when its fingerprint changed: a new
``align:`` value re-runs align and publish, and reuses ingest, segment and embed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

PACKAGE = Path(__file__).resolve().parents[1]

# step -> (code it runs, relative to pipeline/; dotted parameter keys it reads)
STEPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ingest": (
        ("ingest", "langs.py", "records.py", "io.py", "schema.py", "stages/ingest.py"),
        ("ingest", "languages.pair"),
    ),
    "segment": (("segment", "anchors.py", "langs.py", "stages/segment.py"), ("segment",)),
    "embed": (
        ("embed/model.py", "embed/cache.py", "embed/onnx_runtime.py", "langs.py", "stages/embed.py"),
        ("embedding",),
    ),
    # align encodes merged sentence runs (the sentence aligner's later passes): the model counts
    "align": (
        (
            "align",
            "anchors.py",
            "langs.py",
            "stages/align.py",
            "embed/model.py",
            "embed/cache.py",
            "embed/onnx_runtime.py",
        ),
        ("align", "sentence_align", "embedding", "languages.pair"),
    ),
    "publish": (
        ("corpus/document.py", "corpus/store.py", "gold.py", "tmx.py", "writers.py", "search/corpus.py"),
        (
            "align.low_score",
            "align.max_omission_share",
            "align.max_numbering_breaks",
            "tmx",
            "languages.default_source",
        ),
    ),
}
ORDER = tuple(STEPS)
# settings that change how fast a step runs, never what it writes: not in any fingerprint
SPEED_ONLY = {"embedding": ("threads", "query_threads")}


def _sha(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def code_hash(paths: tuple[str, ...], root: Path = PACKAGE) -> str:
    """Hash of the Python files under ``paths`` (names and contents)."""
    digest = hashlib.sha256()
    for rel in paths:
        target = root / rel
        files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
        for f in files:
            digest.update(str(f.relative_to(root)).encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()


def params_part(params: dict, keys: tuple[str, ...]) -> dict:
    out = {}
    for dotted in keys:
        section, _, key = dotted.partition(".")
        value = params.get(section, {})
        if not key:
            value = {k: v for k, v in value.items() if k not in SPEED_ONLY.get(section, ())}
        out[dotted] = value.get(key) if key else value
    return out


def path_hash(path: Path) -> str:
    """Hash of a file's or a folder's contents (an absent path hashes as absent)."""
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:  # names relative to the folder: a clone elsewhere hashes the same
        digest.update(str(f.relative_to(path) if path.is_dir() else f.name).encode() + b"\0")
        if f.is_file():
            with open(f, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Plan:
    """The document-independent half of every step's fingerprint, computed once a run."""

    static: dict[str, str]

    @classmethod
    def of(cls, params: dict, project: Path = Path(".")) -> Plan:
        extra = {
            "embed": [_model_folder(params, project)],
            "align": [
                _model_folder(params, project),
                *(
                    project / p
                    for p in (params["align"].get("unit_calibration"), params["sentence_align"].get("calibration"))
                    if p
                ),
            ],
        }
        hashes: dict[Path, str] = {}  # the model folder (~0.5 GB) is read once, not once per step
        static = {}
        for step, (code, keys) in STEPS.items():
            for path in extra.get(step, []):
                if path not in hashes:
                    hashes[path] = path_hash(path)
            files = [hashes[path] for path in extra.get(step, [])]
            static[step] = _sha(code_hash(code), params_part(params, keys), files)
        return cls(static)

    def fingerprints(self, inputs: str) -> dict[str, str]:
        """step -> fingerprint, for a document whose inputs hash to ``inputs``."""
        out, previous = {}, inputs
        for step in ORDER:
            previous = out[step] = _sha(previous, self.static[step])
        return out


def _model_folder(params: dict, project: Path) -> Path:
    e = params["embedding"]
    return project / e["embedded_dir"] if e["model"] == "embedded" else Path(e["model"])


def inputs_hash(manifest_rows: pd.DataFrame) -> str:
    """Hash of one document's files (names and contents) from its manifest rows."""
    return _sha(sorted(zip(manifest_rows.file, manifest_rows.sha256)))
