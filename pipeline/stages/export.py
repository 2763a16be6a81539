"""bitext export work --out aligned: the corpus-wide tables and metrics.json."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from .. import gold, io
from ..align.verdict import assess
from ..segment import doctype
from ..writers import PairModel, writer
from ..schema import TABLES
from . import outputs_of_stage

HELP = "gather every document's stage outputs into aligned/*.parquet and aligned/metrics.json"


def add_arguments(parser) -> None:
    parser.add_argument("work_root", type=Path, help="folder of per-document stage folders, e.g. work")
    parser.add_argument("--out", type=Path, required=True, help="output folder, e.g. aligned")
    parser.add_argument(
        "--raw", type=Path, default=Path("raw"), help="raw documents folder, for gold-units.tsv files (default: raw)"
    )


def _doc_types(segments: pd.DataFrame, docs: pd.DataFrame) -> tuple[dict[str, str], str]:
    """Each version's type and the document's (doctype.agree: the original's when they differ)."""
    per_version = {}
    for lang, rows in segments.groupby("lang", sort=True):
        front = rows[rows.kind.isin(["meta", "title", "sponsors"])].sort_values("position")
        per_version[lang] = doctype.detect(list(front.text))
    original = {"english": "en", "chinese": "zh", "french": "fr", "spanish": "es", "russian": "ru", "arabic": "ar"}
    sources = [original.get(o.strip().lower()) for o in docs.get("original_language", []) if isinstance(o, str)]
    source = next((lang for lang in sources if lang), None)
    return per_version, doctype.agree(per_version, source)


def _metrics(doc_id: str, pairs: pd.DataFrame, sentence_pairs: pd.DataFrame, raw: Path, low: float, verdict) -> dict:
    m = {
        "pairs": len(pairs),
        "links": {k: int(v) for k, v in sorted(pairs.link.value_counts().items())},
        "mean_score": round(float(pairs.score.mean()), 4) if len(pairs) else None,
        "low_score_pairs": int((pairs.score < low).sum()),
        "structure_agreeing_pairs": int(pairs.anchored.sum()),
        "omission_share": round(verdict.omission_share, 4),
        "numbering_break_share": round(verdict.numbering_break_share, 4),
        "suspect": verdict.warning is not None,
        "sentence_pairs": len(sentence_pairs),
        "sentence_links": {k: int(v) for k, v in sorted(sentence_pairs.link.value_counts().items())},
    }
    gold_path = raw / doc_id / "gold-units.tsv"
    if gold_path.is_file():
        result = gold.match(gold.read_gold(gold_path), pairs.to_dict("records"))
        m["gold_units"] = result["gold_units"]
        m["gold_units_matched"] = result["matched"]
        m["pairs_not_in_gold"] = len(result["pairs_not_in_gold"])
    return m


def run(args, params: dict) -> None:
    outs = {name: args.out / f"{name}.parquet" for name in TABLES}
    metrics_path = args.out / "metrics.json"
    with outputs_of_stage(*outs.values(), metrics_path):
        frames: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
        metrics = {"documents": {}}
        for doc_id in params["documents"]:
            work = args.work_root / doc_id
            tables = {name: io.read_table(name, work / f"{name}.parquet") for name in TABLES}
            counts_seg = tables["segments"].groupby("lang").size()
            counts_sent = tables["sentences"].groupby("lang").size()
            docs = tables["documents"]
            docs["n_segments"] = docs.lang.map(counts_seg).fillna(0).astype("int32")
            docs["n_sentences"] = docs.lang.map(counts_sent).fillna(0).astype("int32")
            per_version, doc_type = _doc_types(tables["segments"], docs)
            docs["doc_type"] = doc_type
            docs["version_doc_type"] = docs.lang.map(per_version)
            a = params["align"]
            verdict = assess(
                tables["alignments"].to_dict("records"), a["max_omission_share"], a["max_numbering_breaks"]
            )
            docs["alignment_warning"] = verdict.warning
            if verdict.warning:
                print(f"warning: {doc_id}: alignment probably wrong: {verdict.warning}", file=sys.stderr)
            for name, frame in tables.items():
                frames[name].append(frame)
            metrics["documents"][doc_id] = {
                "doc_type": doc_type,
                **_metrics(
                    doc_id, tables["alignments"], tables["sentence_alignments"], args.raw, a["low_score"], verdict
                ),
            }
        merged = {name: pd.concat(parts, ignore_index=True) if parts else [] for name, parts in frames.items()}
        writer("parquet").write(PairModel(merged), args.out, params)
        all_pairs = pd.concat(frames["alignments"], ignore_index=True) if frames["alignments"] else None
        metrics["pairs"] = 0 if all_pairs is None else len(all_pairs)
        metrics["suspect_documents"] = sum(d["suspect"] for d in metrics["documents"].values())
        metrics["mean_score"] = round(float(all_pairs.score.mean()), 4) if metrics["pairs"] else None
        io.write_json(metrics, metrics_path)
