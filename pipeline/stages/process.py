"""bitext process work/manifest.parquet --raw raw --work work/docs --out aligned.

Every document of the manifest (``bitext scan``), as one task each: ingest, segment,
embed, align, then its rows into the corpus tables ``aligned/<table>.parquet/<pair>/
<doc_id>.parquet`` and its TMX into ``aligned/tmx/<doc_id>.tmx``. Steps whose inputs,
code and parameters are unchanged are reused; a document is re-processed only when
something it depends on changed. ``process`` in params.yaml chooses where tasks run
(this process, a local Dask cluster, or a Dask scheduler). Also writes
``aligned/ledger.parquet`` (per document: fingerprint, status, error) and
``aligned/metrics.json``, which are the same in every clone, and the run record
``work/runs/<UTC time>.jsonl`` (per task: attempts, seconds, steps run, worker), which is
not. Exit status 1 when any document failed; the others' results are kept.
"""

from __future__ import annotations

from pathlib import Path

from ..corpus.run import process_corpus

HELP = "run every document of the manifest (ingest -> segment -> embed -> align -> tables), changed ones only"


def add_arguments(parser) -> None:
    parser.add_argument("manifest", type=Path, help="the manifest `bitext scan` wrote, e.g. work/manifest.parquet")
    parser.add_argument("--raw", type=Path, default=Path("raw"), help="document folders (default: raw)")
    parser.add_argument("--work", type=Path, default=Path("work/docs"), help="stage files (default: work/docs)")
    parser.add_argument("--out", type=Path, default=Path("aligned"), help="corpus tables (default: aligned)")
    parser.add_argument(
        "--runs",
        type=Path,
        help="run records: each task's attempts, seconds, steps run, worker (default: runs beside --work)",
    )


def run(args, params: dict) -> int:
    summary = process_corpus(args.manifest, args.raw, args.work, args.out, params, runs=args.runs)
    print(summary.line())
    if summary.record:
        print(f"process: run record (attempts, seconds, steps, workers): {summary.record}")
    for outcome in summary.failed:
        print(f"  failed: {outcome.doc_id}: {outcome.error}")
    if summary.failed:
        print(f"process: {len(summary.failed)} documents failed; see {args.out / 'ledger.parquet'}")
        return 1
    return 0
