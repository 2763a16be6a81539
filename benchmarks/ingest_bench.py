"""PDF ingestion speed: pages per second, and our cost over pdfplumber merely reading chars.

    .venv/bin/python benchmarks/ingest_bench.py                     # the real PDFs in ../shared/real-pdfs/en
    .venv/bin/python benchmarks/ingest_bench.py --pdfs DIR --repeat 3 --workers 2 --json out.json

Four timings over the same files (best of --repeat runs each):

* ``chars``        pdfplumber opens every file and loads every page's chars (the floor:
                   PDF parsing and layout analysis, which our reader cannot avoid);
* ``ingest``       our full PDF reader (lines, furniture, masthead, footnotes, tables,
                   paragraphs) on the same files, one process;
* ``chars-pool`` / ``ingest-pool``  the same two, documents spread over a process pool
                   of --workers processes (pipeline.ingest.parallel, the code the ingest
                   stage uses for language versions and long PDFs).

The ratio ``ingest / chars`` (one process each) is the overhead of everything we do
on top of pdfplumber; the target is <= 1.3. Wall and CPU seconds are both reported:
on a shared machine the CPU ratio is the steadier number.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.ingest.parallel import pool  # noqa: E402


def _load_chars(path: str) -> int:
    import pdfplumber

    n = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.chars
            page.close()
            n += 1
    return n


def _ingest(path: str) -> int:
    from pipeline.ingest.pdf import read_pdf

    return read_pdf(path, "en", {"workers": 1}).n_pages


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(fn, paths: list[str], workers: int, repeat: int) -> tuple[float, float, int]:
    """(best wall seconds, CPU seconds of that run incl. pool processes, pages)."""
    best, best_cpu, pages = float("inf"), 0.0, 0
    for _ in range(repeat):
        start, cpu = time.perf_counter(), _cpu()
        if workers > 1:
            with pool(workers) as executor:
                pages = sum(executor.map(fn, paths))
        else:
            pages = sum(fn(p) for p in paths)
        wall = time.perf_counter() - start
        if wall < best:
            best, best_cpu = wall, _cpu() - cpu
    return best, best_cpu, pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--pdfs",
        type=Path,
        default=ROOT.parent / "shared" / "real-pdfs" / "en",
        help="folder of PDFs (default: ../shared/real-pdfs/en beside the project)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per timing; the best is kept (default 1)")
    parser.add_argument("--workers", type=int, default=0, help="process pool size; 0 = one per core (default)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    paths = sorted(str(p) for p in args.pdfs.glob("*.pdf"))
    if not paths:
        parser.error(f"no PDFs in {args.pdfs}")
    workers = args.workers or len(os.sched_getaffinity(0))
    # biggest first, so the pool is not left waiting on one long file
    paths.sort(key=lambda p: -os.path.getsize(p))
    _ingest(paths[-1])  # warm imports
    results = {}
    for name, fn, w in (
        ("chars", _load_chars, 1),
        ("ingest", _ingest, 1),
        ("chars-pool", _load_chars, workers),
        ("ingest-pool", _ingest, workers),
    ):
        seconds, cpu, pages = _timed(fn, paths, w, args.repeat)
        results[name] = {
            "seconds": round(seconds, 3),
            "cpu_seconds": round(cpu, 3),
            "pages": pages,
            "pages_per_second": round(pages / seconds, 2),
            "workers": w,
        }
        print(
            f"{name:12s} {pages:4d} pages  {seconds:7.2f} s wall  {cpu:7.2f} s CPU  {pages / seconds:7.1f} pages/s"
            f"  ({w} process{'es' if w > 1 else ''})"
        )
    ratio = results["ingest"]["seconds"] / results["chars"]["seconds"]
    cpu_ratio = results["ingest"]["cpu_seconds"] / results["chars"]["cpu_seconds"]
    ratio_pool = results["ingest-pool"]["seconds"] / results["chars-pool"]["seconds"]
    speedup = results["ingest"]["seconds"] / results["ingest-pool"]["seconds"]
    results.update(
        {
            "ratio_ingest_over_chars": round(ratio, 3),
            "cpu_ratio_ingest_over_chars": round(cpu_ratio, 3),
            "ratio_pool": round(ratio_pool, 3),
            "pool_speedup": round(speedup, 2),
            "files": len(paths),
        }
    )
    print(f"ratio ingest/chars (1 process): {ratio:.2f} wall, {cpu_ratio:.2f} CPU  (target <= 1.3)")
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f} (other load skews wall times)")
    print(f"ratio ingest/chars ({workers} processes): {ratio_pool:.2f}; pool speed-up of ingest: {speedup:.2f}x")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
