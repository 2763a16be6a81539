"""Gold units of the development corpus recovered end to end from rendered PDFs.

    PYTHONPATH=. .venv/bin/python benchmarks/doctypes_pdf_gold.py geneva|newyork [-v]

Renders every tests/fixtures/doctypes document in that UN layout (tests/un_pdf.py),
runs the pipeline with ingest.formats [pdf] on the embedded model, and prints matched /
gold units per document (kind, item and path must match too); -v lists what is missing
and what was paired instead.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.gold import match, read_gold  # noqa: E402
from tests import devcorpus, un_pdf  # noqa: E402
from tests.conftest import run_pipeline, write_params  # noqa: E402


def render_corpus(raw: Path, layout: str) -> list[str]:
    docs = []
    for folder in devcorpus.folders():
        out = raw / folder.name
        out.mkdir(parents=True)
        doc = devcorpus.SourceDoc.load(folder)
        for lang in devcorpus.LANGS:
            un_pdf.render(doc, out / f"{lang}.pdf", layout=layout, lang=lang)
        shutil.copy(folder / "gold-units.tsv", out / "gold-units.tsv")
        docs.append(folder.name)
    return docs


def main() -> int:
    layout, verbose = sys.argv[1], "-v" in sys.argv[2:]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        docs = render_corpus(tmp / "raw", layout)
        params = write_params(
            tmp / "params.yaml", ROOT / "models" / "multilingual-e5-small", **{"ingest.formats": ["pdf"]}
        )
        out = run_pipeline(tmp / "raw", docs, tmp, params)
        pairs = pd.read_parquet(out / "alignments.parquet")
        metrics = json.loads((out / "metrics.json").read_text())["documents"]
        total = matched = 0
        for doc in docs:
            gold = read_gold(tmp / "raw" / doc / "gold-units.tsv")
            rows = pairs[pairs.doc_id == doc]
            result = match(gold, rows.to_dict("records"))
            total, matched = total + result["gold_units"], matched + result["matched"]
            flag = "suspect" if metrics[doc]["suspect"] else ""
            print(layout, doc, f"{result['matched']}/{result['gold_units']}", metrics[doc]["doc_type"], flag)
            if verbose:
                by_unit = {u["unit"]: u for u in gold}
                for unit in result["missing_units"]:
                    u = by_unit[unit]
                    print("  missing", unit, u["kind"], u["item"], u["path"], u["zh"][:30], "|", u["en"][:40])
                for pair_id in result["pairs_not_in_gold"]:
                    r = rows[rows.pair_id == pair_id].iloc[0]
                    print(
                        "  paired ", pair_id, r.kind, r["item"], r["path"], r.link, r.zh_text[:30], "|", r.en_text[:40]
                    )
        print(layout, "TOTAL", matched, total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
