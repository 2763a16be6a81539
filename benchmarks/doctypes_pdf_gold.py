"""Gold units of the development corpus recovered end to end from rendered PDFs.

Usage: PYTHONPATH=. .venv/bin/python benchmarks/doctypes_pdf_gold.py geneva|newyork
(renders every tests/fixtures/doctypes document in that layout, runs the pipeline with
ingest.formats [pdf], prints matched/gold per document)."""
import sys, shutil, tempfile, json
from pathlib import Path
sys.path.insert(0, ".")
import pandas as pd
from tests import devcorpus, un_pdf
from tests.conftest import write_params, run_pipeline
from pipeline.gold import match, read_gold
layout = sys.argv[1]  # geneva or newyork; -v lists what is missing
tmp = Path(tempfile.mkdtemp()); raw = tmp / "raw"; docs = []
for f in devcorpus.folders():
    d = raw / f.name; d.mkdir(parents=True); docs.append(f.name)
    doc = devcorpus.SourceDoc.load(f)
    for lang in ("zh", "en"):
        un_pdf.render(doc, d / f"{lang}.pdf", layout=layout, lang=lang)
    shutil.copy(f / "gold-units.tsv", d / "gold-units.tsv")
params = write_params(tmp / "params.yaml", Path("models/multilingual-e5-small").resolve(), docs, **{"ingest.formats": ["pdf"]})
out = run_pipeline(raw, docs, tmp, params)
pairs = pd.read_parquet(out / "alignments.parquet")
m = json.loads((out / "metrics.json").read_text())
tot = 0; ok = 0
for d in docs:
    g = read_gold(raw / d / "gold-units.tsv"); r = match(g, pairs[pairs.doc_id == d].to_dict("records"))
    tot += r["gold_units"]; ok += r["matched"]
    print(layout, d, f"{r['matched']}/{r['gold_units']}", "suspect" if m["documents"][d]["suspect"] else "", m["documents"][d]["doc_type"])
print(layout, "TOTAL", ok, tot)
if "-v" in sys.argv:
    for d in docs:
        g = read_gold(raw / d / "gold-units.tsv"); p = pairs[pairs.doc_id == d]
        r = match(g, p.to_dict("records")); gi = {u["unit"]: u for u in g}
        for u in r["missing_units"]:
            x = gi[u]; print("  MISSING", d, u, x["kind"], x["item"], x.get("path"), x["zh"][:30], "|", x["en"][:40])
        for pid in r["pairs_not_in_gold"]:
            row = p[p.pair_id == pid].iloc[0]
            print("  EXTRA", pid, row.kind, row["item"], row["path"], row.link, row.zh_text[:30], "|", row.en_text[:40])
