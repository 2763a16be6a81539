"""Reading inputs on every core: language versions, documents and pages in a process pool.

The DVC ingest stage handles one document, so the pool works inside it at two
levels: the document's language versions are read in parallel
(:func:`read_sources`), and a long PDF is split into page ranges read in parallel
(:func:`read_pages_parallel`; the per-page half of the PDF reader needs no context
from other pages). :func:`ingest_many` reads many documents at once (benchmarks,
batch use). ``ingest.workers`` sets the pool size: 0 = one process per core,
1 = everything in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def n_workers(params: dict, jobs: int) -> int:
    workers = int(params.get("workers", 0) or 0)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(jobs, workers if workers > 0 else cores))


def _pool(workers: int) -> ProcessPoolExecutor:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))


def _read(args):
    from . import read_source

    src, params = args
    return read_source(src, params)


def read_sources(sources: list, params: dict) -> list:
    """Extracted for each source, in order; layout formats in parallel when there are several."""
    from . import read_source

    heavy = [s for s in sources if s.format != "txt"]
    workers = n_workers(params, len(heavy))
    if len(heavy) < 2 or workers < 2:
        return [read_source(s, params) for s in sources]
    inner = {**params, "pdf": {**(params.get("pdf") or {}), "workers": 1}}  # no pools inside the pool
    with _pool(workers) as pool:
        futures = {id(s): pool.submit(_read, (s, inner)) for s in heavy}
        return [futures[id(s)].result() if id(s) in futures else read_source(s, params) for s in sources]


def read_pages_parallel(path: Path, n_pages: int, p: dict) -> list:
    """PageData of every page of one PDF, page ranges read in parallel."""
    from .pdf import read_page_range

    workers = n_workers(p, n_pages)
    if workers < 2:
        return read_page_range(str(path), 0, n_pages, p)
    chunk = -(-n_pages // workers)
    ranges = [(i, min(i + chunk, n_pages)) for i in range(0, n_pages, chunk)]
    with _pool(workers) as pool:
        parts = pool.map(_read_range, [(str(path), a, b, p) for a, b in ranges])
        return [page for part in parts for page in part]


def _read_range(args):
    from .pdf import read_page_range

    return read_page_range(*args)


def _ingest_one(args):
    from . import ingest_document

    doc_dir, languages, formats, min_share, params = args
    return ingest_document(doc_dir, languages, formats, min_share, params)


def ingest_many(
    doc_dirs: list[Path], languages: list[str], formats: list[str], min_script_share: float, params: dict | None = None
) -> list[tuple[list[dict], list]]:
    """ingest_document for many documents, one per process; results in the order given."""
    params = dict(params or {})
    workers = n_workers(params, len(doc_dirs))
    inner = {**params, "workers": 1, "pdf": {**(params.get("pdf") or {}), "workers": 1}}
    jobs = [(d, languages, formats, min_script_share, inner) for d in doc_dirs]
    if workers < 2:
        return [_ingest_one(j) for j in jobs]
    with _pool(workers) as pool:
        return list(pool.map(_ingest_one, jobs))


def _read_file(args):
    from . import READERS

    path, lang, params = args
    return READERS[Path(path).suffix.lstrip(".")](Path(path), lang, params)


def read_files(paths: list[Path], lang: str, params: dict | None = None) -> list:
    """Extracted for loose files (any supported format), one process per file; in order."""
    params = dict(params or {})
    workers = n_workers(params, len(paths))
    inner = {**params, "workers": 1, "pdf": {**(params.get("pdf") or {}), "workers": 1}}
    jobs = [(str(p), lang, inner) for p in paths]
    if workers < 2:
        return [_read_file(j) for j in jobs]
    with _pool(workers) as pool:
        return list(pool.map(_read_file, jobs))
