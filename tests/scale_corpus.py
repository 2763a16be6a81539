"""Generated corpora for the corpus-scale tests and benchmark (tests/test_scale.py,
benchmarks/scale_bench.py): real UN sentences, many documents, several input kinds.

- UNPC documents: the UNPC development lines (raw/unpc-dev, 556 documents) grouped by
  their document symbol, one paragraph per line, as zh.txt / en.txt;
- rendered PDFs: development-corpus documents (tests/fixtures/doctypes) drawn in the UN
  New York layout by tests/un_pdf.py;
- a corrupt PDF, and a long document (many documents' lines in one) when asked.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from pipeline.langs import is_cjk

from . import devcorpus, un_pdf

ROOT = Path(__file__).resolve().parents[1]
UNPC = ROOT / "raw" / "unpc-dev"
CORRUPT = "CORRUPT_2026_1"
LONG = "LONG_2026_1"


def unpc_documents() -> dict[str, list[tuple[str, str]]]:
    """symbol folder name -> its (zh, en) lines, in file order; symbols sorted."""
    ids = (UNPC / "UNv1.0.devset.dev.ids").read_text(encoding="utf-8").splitlines()
    zh = (UNPC / "UNv1.0.devset.dev.zh").read_text(encoding="utf-8").splitlines()
    en = (UNPC / "UNv1.0.devset.dev.en").read_text(encoding="utf-8").splitlines()
    docs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for line_id, z, e in zip(ids, zh, en):
        year, _, symbol = line_id.split()[0].partition("/")
        docs[f"{symbol.upper().replace('/', '_')}_{year}"].append((z, e))
    # a few UNPC "Chinese" lines are mostly Latin script (names, references), which
    # ingest rightly rejects as the wrong language: such documents are left out
    return {doc: lines for doc, lines in sorted(docs.items()) if _mostly_chinese(" ".join(z for z, _ in lines))}


def _mostly_chinese(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return sum(is_cjk(c) for c in letters) >= 0.6 * max(1, len(letters))


def write_text_doc(folder: Path, lines: list[tuple[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, lang in enumerate(("zh", "en")):
        (folder / f"{lang}.txt").write_text("\n\n".join(pair[i] for pair in lines) + "\n", encoding="utf-8")


def build(raw: Path, n_unpc: int, n_pdf: int = 0, corrupt: bool = False, long_lines: int = 0) -> list[str]:
    """Write a corpus under ``raw``; returns its document ids."""
    written = []
    unpc = unpc_documents()
    for doc_id in list(unpc)[:n_unpc]:
        write_text_doc(raw / doc_id, unpc[doc_id])
        written.append(doc_id)
    for folder in devcorpus.folders()[:n_pdf]:
        source = devcorpus.SourceDoc.load(folder)
        (raw / folder.name).mkdir(parents=True)
        for lang in devcorpus.LANGS:
            un_pdf.render(source, raw / folder.name / f"{lang}.pdf", layout="newyork", lang=lang)
        written.append(folder.name)
    if corrupt:
        (raw / CORRUPT).mkdir(parents=True)
        for lang in ("zh", "en"):
            (raw / CORRUPT / f"{lang}.pdf").write_bytes(b"%PDF-1.4\n%broken: no objects, no xref\n")
        written.append(CORRUPT)
    if long_lines:
        lines = [pair for doc in list(unpc.values())[n_unpc:] for pair in doc][:long_lines]
        write_text_doc(raw / LONG, lines)
        written.append(LONG)
    return sorted(written)
