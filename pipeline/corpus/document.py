"""One document, one task: ingest -> segment -> embed -> align -> publish.

A step runs only when its fingerprint (:mod:`.fingerprint`) differs from the one
recorded when it last finished (``work/docs/<doc_id>/<step>.done``), so a re-run after
an ``align:`` change re-aligns without re-reading PDFs or re-encoding texts. The task
never raises: it returns an :class:`Outcome` (done, or failed with a one-line reason),
and writes its state beside the document's stage files for the next run's ledger; the
facts of the run (seconds, worker, attempts) go to the run records (:mod:`.runlog`).
"""

from __future__ import annotations

import json
import os
import socket
import time
from argparse import Namespace
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from .. import gold, io
from ..align.verdict import assess
from ..embed.model import ALIGNER_TOKEN_MEMORY, Embedder
from ..errors import PipelineError
from ..langs import language_settings
from ..schema import TABLES
from ..search.corpus import original_language
from ..segment import doctype
from ..stages import align, embed, ingest, segment
from . import runlog, store
from .fingerprint import ORDER

OUTCOME = "outcome.json"
METRICS = "metrics.json"
LEGACY_ATTEMPTS = "attempts.log"  # where starts were logged before work/runs/attempts/


@dataclass(frozen=True)
class Job:
    doc_id: str
    raw_dir: str  # raw/<doc_id>
    work_dir: str  # work/docs/<doc_id>: the stage files
    attempts_log: str  # work/runs/attempts/<doc_id>.log: its task starts (a run record, not an output)
    out: str  # aligned: the corpus tables
    pair: str  # language pair, e.g. zh-en: the tables' partition
    fingerprints: dict[str, str]  # step -> fingerprint
    params: dict
    inner_workers: int | None = None  # None: the task's own settings; 1 in a Dask worker (no pool, one thread)
    project: str = "."  # folder that relative paths in params (model, calibration, cache) start from


# The fields of an outcome that are the document's state, the same in every clone.
STATE = ("doc_id", "fingerprint", "status", "error", "metrics")


@dataclass
class Outcome:
    """What a task did. The document's state (:data:`STATE`) is a function of its inputs:
    it goes to ``outcome.json`` and the ledger, stage outputs. The facts of this run differ
    from run to run: they go to the run record only."""

    doc_id: str
    fingerprint: str
    status: str  # done | failed
    error: str | None = None
    metrics: dict = field(default_factory=dict)
    # facts of this run
    attempts: int = 0  # task starts on this fingerprint, this one included
    seconds: float = 0.0
    steps_run: list[str] = field(default_factory=list)
    worker: str = ""  # host:pid
    model_loads: int = 0  # models this process loaded so far (a worker keeps its model)

    def state(self) -> dict:
        return {name: getattr(self, name) for name in STATE}

    def run_facts(self) -> dict:
        """The run record's line: everything but the metrics (aligned/metrics.json has them)."""
        return {k: v for k, v in asdict(self).items() if k != "metrics"}


# One embedder per process and embedding settings: a worker loads the model once.
_EMBEDDERS: dict[str, Embedder] = {}


def shared_embedder(settings: dict) -> Embedder:
    key = json.dumps(settings, sort_keys=True)
    if key not in _EMBEDDERS:
        _EMBEDDERS[key] = Embedder(settings, progress=False, keep_tokens=ALIGNER_TOKEN_MEMORY)
    return _EMBEDDERS[key]


def models_loaded() -> int:
    return sum(e._model is not None for e in _EMBEDDERS.values())


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def process_document(job: Job) -> Outcome:
    """Run the steps a document needs; never raises (failures come back as outcomes)."""
    started = time.perf_counter()
    work = Path(job.work_dir)
    final = job.fingerprints[ORDER[-1]]
    attempts, steps_run, error, metrics = 0, [], None, {}
    try:
        if Path(job.project).resolve() != Path.cwd():
            # a Dask worker started elsewhere: params name the model and calibrations relative
            # to the project (as the embedding cache keys them); a worker runs one task at a time
            os.chdir(job.project)
        work.mkdir(parents=True, exist_ok=True)
        (work / LEGACY_ATTEMPTS).unlink(missing_ok=True)  # run-specific: not among the stage files
        attempts = runlog.record_attempt(Path(job.attempts_log), final, worker_name())
        for step in ORDER:
            if _finished(work, step) != job.fingerprints[step]:
                STEP_RUNNERS[step](job)
                io.write_json({"fingerprint": job.fingerprints[step]}, work / f"{step}.done")
                steps_run.append(step)
        metrics = json.loads((work / METRICS).read_text(encoding="utf-8"))
    except PipelineError as err:
        error = str(err)
    except Exception as err:  # a bug or a broken input: keep the corpus run going, say which document
        error = f"{type(err).__name__}: {' '.join(str(err).split())}"[:500]
    if error:
        withdraw(Path(job.out), job.doc_id, work)
    outcome = Outcome(
        doc_id=job.doc_id,
        fingerprint=final,
        status="failed" if error else "done",
        attempts=attempts,
        seconds=round(time.perf_counter() - started, 3) if steps_run or error else 0.0,
        steps_run=steps_run,
        error=error,
        worker=worker_name(),
        model_loads=models_loaded(),
        metrics={} if error else metrics,
    )
    io.write_json(outcome.state(), work / OUTCOME)
    return outcome


def _finished(work: Path, step: str) -> str | None:
    try:
        return json.loads((work / f"{step}.done").read_text(encoding="utf-8"))["fingerprint"]
    except (OSError, ValueError, KeyError):
        return None


def withdraw(out: Path, doc_id: str, work: Path) -> None:
    """Remove a document's rows and TMX, and forget its publish step (so the next run redoes it).

    A failed document has no rows: its earlier version's rows would be stale."""
    store.unpublish(out, doc_id)
    tmx_path(out, doc_id).unlink(missing_ok=True)
    (work / "publish.done").unlink(missing_ok=True)


def tmx_path(out: Path, doc_id: str) -> Path:
    return Path(out) / "tmx" / f"{doc_id}.tmx"


def _step_params(job: Job) -> dict:
    """The task's params; in a Dask worker (one per core) no ingest pool and a one-thread encoder,
    so that a worker never spreads over the other workers' cores."""
    if job.inner_workers is None:
        return job.params
    p = job.params
    return {
        **p,
        "ingest": {**p["ingest"], "workers": job.inner_workers},
        "embedding": {**p["embedding"], "threads": job.inner_workers},
    }


def _ingest(job: Job) -> None:
    ingest.run(Namespace(doc_dir=Path(job.raw_dir), out=Path(job.work_dir)), _step_params(job))


def _segment(job: Job) -> None:
    segment.run(Namespace(work_dir=Path(job.work_dir)), job.params)


def _embed(job: Job) -> None:
    params = _step_params(job)
    embed.run(Namespace(work_dir=Path(job.work_dir)), params, shared_embedder(params["embedding"]))


def _align(job: Job) -> None:
    params = _step_params(job)
    align.run(Namespace(work_dir=Path(job.work_dir)), params, shared_embedder(params["embedding"]))


def _publish(job: Job) -> None:
    from ..writers import PairModel, writer

    work = Path(job.work_dir)
    tables = {name: io.read_table(name, work / f"{name}.parquet") for name in TABLES}
    tables["documents"], metrics = finish_document(job.doc_id, tables, job.params, Path(job.raw_dir))
    store.publish(Path(job.out), job.pair, job.doc_id, tables)
    model = PairModel(tables, language_settings(job.params)["default_source"], with_tokens=False)
    writer("tmx").write(model, tmx_path(Path(job.out), job.doc_id), job.params)
    io.write_json(metrics, work / METRICS)


STEP_RUNNERS = {"ingest": _ingest, "segment": _segment, "embed": _embed, "align": _align, "publish": _publish}
assert tuple(STEP_RUNNERS) == ORDER


def finish_document(doc_id: str, tables: dict, params: dict, raw_dir: Path) -> tuple[pd.DataFrame, dict]:
    """The documents rows with counts, types and the alignment verdict; the document's metrics."""
    docs = tables["documents"].copy()
    docs["n_segments"] = docs.lang.map(tables["segments"].groupby("lang").size()).fillna(0).astype("int32")
    docs["n_sentences"] = docs.lang.map(tables["sentences"].groupby("lang").size()).fillna(0).astype("int32")
    per_version, doc_type = _doc_types(tables["segments"], docs)
    docs["doc_type"] = doc_type
    docs["version_doc_type"] = docs.lang.map(per_version)
    a = params["align"]
    verdict = assess(tables["alignments"].to_dict("records"), a["max_omission_share"], a["max_numbering_breaks"])
    docs["alignment_warning"] = verdict.warning  # the align step printed it
    pairs, sentence_pairs = tables["alignments"], tables["sentence_alignments"]
    metrics = {
        "doc_type": doc_type,
        "pairs": len(pairs),
        "links": {k: int(v) for k, v in sorted(pairs.link.value_counts().items())},
        "mean_score": round(float(pairs.score.mean()), 4) if len(pairs) else None,
        "low_score_pairs": int((pairs.score < a["low_score"]).sum()),
        "structure_agreeing_pairs": int(pairs.anchored.sum()),
        "omission_share": round(verdict.omission_share, 4),
        "numbering_break_share": round(verdict.numbering_break_share, 4),
        "suspect": verdict.warning is not None,
        "sentence_pairs": len(sentence_pairs),
        "sentence_links": {k: int(v) for k, v in sorted(sentence_pairs.link.value_counts().items())},
    }
    gold_path = raw_dir / "gold-units.tsv"
    if gold_path.is_file():
        result = gold.match(gold.read_gold(gold_path), pairs.to_dict("records"))
        metrics["gold_units"] = result["gold_units"]
        metrics["gold_units_matched"] = result["matched"]
        metrics["pairs_not_in_gold"] = len(result["pairs_not_in_gold"])
    return docs, metrics


def _doc_types(segments: pd.DataFrame, docs: pd.DataFrame) -> tuple[dict[str, str], str]:
    """Each version's type and the document's (doctype.agree: the original's when they differ)."""
    per_version = {}
    for lang, rows in segments.groupby("lang", sort=True):
        front = rows[rows.kind.isin(["meta", "title", "sponsors"])].sort_values("position")
        per_version[lang] = doctype.detect(list(front.text))
    source = original_language(docs.doc_id.iloc[0], docs, segments) if len(docs) else None
    return per_version, doctype.agree(per_version, source)
