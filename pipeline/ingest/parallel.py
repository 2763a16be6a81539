"""Work on every core: a process pool that knows nothing of what it runs.

The ingest stage handles one document, so the pool works inside it at two levels:
the document's language versions are read in parallel (``pipeline.ingest.read_sources``),
and a long PDF is split into page ranges read in parallel
(``pipeline.ingest.pdf.read_pages_parallel``; the per-page half of the PDF reader
needs no context from other pages). ``ingest.workers`` sets the pool size: 0 = one
process per core, 1 = everything in this process. Callers pass module-level
functions (picklable), so this module imports none of theirs.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable


def n_workers(params: dict, jobs: int) -> int:
    workers = int(params.get("workers", 0) or 0)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(jobs, workers if workers > 0 else cores))


def pool(workers: int) -> ProcessPoolExecutor:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))


def map_in_order(fn: Callable[[Any], Any], jobs: list, workers: int) -> list:
    """fn over jobs, in ``workers`` processes (here when fewer than 2), results in order."""
    if workers < 2 or len(jobs) < 2:
        return [fn(job) for job in jobs]
    with pool(workers) as executor:
        return list(executor.map(fn, jobs))


def single_process(params: dict) -> dict:
    """Parameters for work done inside a pool worker: no pools inside the pool."""
    return {**params, "workers": 1, "pdf": {**(params.get("pdf") or {}), "workers": 1}}
