"""Corpus runs: documents/s and sentences/s by executor, Dask's scheduling cost.

    PYTHONPATH=. .venv/bin/python benchmarks/scale_bench.py [--docs 100] [--noop 100000]
    PYTHONPATH=. .venv/bin/python benchmarks/scale_bench.py --lines-per-doc 60 --report /tmp/s.json

1. A corpus of ``--docs`` UNPC documents (tests/scale_corpus.py: the UNPC development
   lines grouped by document, as text files; ~9 lines each; ``--lines-per-doc N``: the
   same lines in document order cut into documents of N lines) is processed once to fill a private
   embedding cache, then, each into fresh output folders with that warm cache:
   a plain loop calling the task function (no executor), ``process`` in this process
   (executor overhead = its time over the plain loop's), and a Dask LocalCluster of 1
   and of 2 worker processes (parallel efficiency = speed-up / 2). Warm cache: this
   measures the pipeline around the encoder (ingest, segment, align, publish, the
   executor); the encoder's own speed is benchmarks/align_bench.py's. One cold run on
   2 workers is reported beside it. ``--overhead-rounds N``: the plain loop and the
   in-process run alternate N times and the fastest of each is compared (every run listed).
2. ``--noop`` no-op tasks submitted to a 2-worker LocalCluster: wall ms per task and the
   growth of this (client) process's RSS while they are held.
Results go to benchmarks/results_scale.json (``--report``).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import io  # noqa: E402
from pipeline.corpus.document import Job, process_document  # noqa: E402
from pipeline.corpus.run import plan_jobs, process_corpus  # noqa: E402
from pipeline.params import load_params  # noqa: E402
from tests import scale_corpus  # noqa: E402
from pipeline.corpus.manifest import scan  # noqa: E402

OUT = ROOT / "benchmarks" / "results_scale.json"


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def _run(tmp: Path, raw: Path, manifest: Path, params: dict, name: str, **process) -> dict:
    params = {**params, "process": {**params["process"], **process}}
    started = time.perf_counter()
    summary = process_corpus(manifest, raw, tmp / name / "work", tmp / name / "aligned", params, ROOT)
    seconds = time.perf_counter() - started
    sentences = len(io.read_table("sentences", tmp / name / "aligned" / "sentences.parquet"))
    return {"seconds": round(seconds, 2), "documents": summary.done, "sentences": sentences}


def _on_cluster(tmp: Path, raw: Path, manifest: Path, params: dict, name: str, workers: int) -> dict:
    """A LocalCluster started beforehand (its start-up is not the corpus run's cost)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as cluster:
        return _run(tmp, raw, manifest, params, name, executor="dask", scheduler=cluster.scheduler_address)


def _plain_loop(tmp: Path, raw: Path, manifest: Path, params: dict, name: str = "plain") -> dict:
    work, out = tmp / name / "work", tmp / name / "aligned"
    jobs, _ = plan_jobs(io.read_table("manifest", manifest), raw, work, out, params, ROOT)
    started = time.perf_counter()
    for job in jobs:
        process_document(Job(**asdict(job)))
    return {"seconds": round(time.perf_counter() - started, 2), "documents": len(jobs)}


def _long_documents(raw: Path, docs: int, lines_per_doc: int) -> None:
    """``docs`` documents of ``lines_per_doc`` consecutive UNPC lines each."""
    lines = [pair for doc in scale_corpus.unpc_documents().values() for pair in doc]
    for i in range(min(docs, len(lines) // lines_per_doc)):
        scale_corpus.write_text_doc(raw / f"UNPC_RUN_{i:04d}", lines[i * lines_per_doc : (i + 1) * lines_per_doc])


def _noop(i: int) -> int:
    return i


def _scheduling(n: int) -> dict:
    from distributed import Client, LocalCluster, wait

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
    client = Client(cluster)
    try:
        before = _rss_mb()
        started = time.perf_counter()
        futures = client.map(_noop, range(n), pure=False)
        submitted = time.perf_counter()
        held = _rss_mb()
        wait(futures)
        seconds = time.perf_counter() - started
        del futures  # released, not cancelled: cancelling 10^5 futures outlasts close()'s default timeout
    finally:
        client.close(timeout=600)
        cluster.close(timeout=600)
    return {
        "tasks": n,
        "submit_seconds": round(submitted - started, 2),
        "total_seconds": round(seconds, 2),
        "ms_per_task": round(1000 * seconds / n, 3),
        "client_rss_growth_mb": round(held - before, 1),
    }


def _say(results: dict, key: str, report: Path) -> None:
    """Print a phase's result as it ends and keep the report current (a later phase may fail)."""
    print(f"{key}: {json.dumps(results[key])}", flush=True)
    report.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100, help="UNPC documents in the corpus (default 100)")
    parser.add_argument("--noop", type=int, default=100_000, help="no-op tasks to schedule (default 100000; 0: none)")
    parser.add_argument(
        "--lines-per-doc",
        type=int,
        default=0,
        help="documents of N consecutive UNPC lines (default: UNPC's own documents)",
    )
    parser.add_argument(
        "--overhead-rounds",
        type=int,
        default=1,
        help="plain loop and in-process run alternate this many times; the fastest of each is compared (default 1)",
    )
    parser.add_argument("--overhead-only", action="store_true", help="skip the Dask runs and the no-op tasks")
    parser.add_argument("--report", type=Path, default=OUT, help=f"results file (default {OUT.relative_to(ROOT)})")
    args = parser.parse_args()
    params = load_params(ROOT / "configs" / "params.yaml")
    results = {"command": " ".join(["benchmarks/scale_bench.py", *sys.argv[1:]])}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        raw = tmp / "raw"
        if args.lines_per_doc:
            _long_documents(raw, args.docs, args.lines_per_doc)
        else:
            scale_corpus.build(raw, args.docs)
        manifest = tmp / "manifest.parquet"
        io.write_table("manifest", scan(raw, progress=False), manifest)
        cold = {**params, "embedding": {**params["embedding"], "cache_dir": str(tmp / "cold-cache")}}
        warm = {**params, "embedding": {**params["embedding"], "cache_dir": str(tmp / "cache")}}
        results["fill_cache"] = _run(tmp, raw, manifest, warm, "fill")
        _say(results, "fill_cache", args.report)
        for k in range(args.overhead_rounds):  # alternating, so drift in the machine hits both alike
            for key, phase in (
                ("plain_loop", lambda: _plain_loop(tmp, raw, manifest, warm, f"plain{k}")),
                ("in_process", lambda: _run(tmp, raw, manifest, warm, f"inprocess{k}", executor="local", workers=1)),
            ):
                run = phase()
                runs = results.get(key, {}).get("runs", []) + [run["seconds"]]
                results[key] = {**min(results.get(key, run), run, key=lambda r: r["seconds"]), "runs": runs}
                _say(results, key, args.report)
        phases = (
            []
            if args.overhead_only
            else [
                ("dask_1_worker", lambda: _on_cluster(tmp, raw, manifest, warm, "dask1", 1)),
                ("dask_2_workers", lambda: _on_cluster(tmp, raw, manifest, warm, "dask2", 2)),
                ("cold_dask_2_workers", lambda: _on_cluster(tmp, raw, manifest, cold, "cold2", 2)),
            ]
        )
        for key, phase in phases:
            results[key] = phase()
            _say(results, key, args.report)
        shutil.rmtree(tmp / "fill", ignore_errors=True)
    plain, inproc = results["plain_loop"]["seconds"], results["in_process"]["seconds"]
    results["executor_overhead"] = round(inproc / plain - 1, 4)
    if not args.overhead_only:
        one, two = results["dask_1_worker"]["seconds"], results["dask_2_workers"]["seconds"]
        results["efficiency_2_workers"] = round(one / two / 2, 3)
    for key in ("in_process", "dask_1_worker", "dask_2_workers", "cold_dask_2_workers")[
        : 1 if args.overhead_only else 4
    ]:
        r = results[key]
        r["documents_per_s"] = round(r["documents"] / r["seconds"], 2)
        r["sentences_per_s"] = round(r["sentences"] / r["seconds"], 1)
    _say(results, "executor_overhead", args.report)
    if args.noop and not args.overhead_only:
        results["scheduling"] = _scheduling(args.noop)
        _say(results, "scheduling", args.report)
    results["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    args.report.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
