"""The driver of ``bitext process``: which documents need a task, the run, the ledger.

A document needs a task when its last outcome is not ``done`` for its current
fingerprint (new, changed, failed, or interrupted: a killed driver loses nothing
finished, since each task records its own outcome). A document that left the manifest
loses its rows, its TMX, its stage files and its attempts log. Each task's outcome is
appended to the run record as it arrives (:mod:`.runlog`). After the run: temporary
files of killed writers are swept, ``ledger.parquet`` and ``metrics.json`` are written
(both hold only what is the same in every clone), failures are listed with their reasons.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from .. import io
from ..langs import language_settings
from . import runlog, store
from .document import OUTCOME, STATE, Job, Outcome, process_document, tmx_path, withdraw, worker_name
from .executors import ProcessSettings, make_executor
from .fingerprint import ORDER, Plan, inputs_hash


@dataclass
class Summary:
    documents: int
    tasks: int
    done: int
    failed: list[Outcome]
    removed: list[str]
    outcomes: list[Outcome]
    record: Path | None = None  # the run record (work/runs/<time>.jsonl); None when no task ran

    def line(self) -> str:
        return (
            f"process: {self.documents} documents: {self.tasks} processed, "
            f"{self.documents - self.tasks} unchanged, {len(self.failed)} failed, {len(self.removed)} removed"
        )


def _last_outcome(work: Path) -> Outcome | None:
    """The document's state from its outcome.json (an older one's run facts are ignored)."""
    try:
        recorded = json.loads((work / OUTCOME).read_text(encoding="utf-8"))
        return Outcome(**{name: recorded[name] for name in STATE if name in recorded})
    except (OSError, ValueError, TypeError):
        return None


def plan_jobs(
    manifest: pd.DataFrame,
    raw: Path,
    work_root: Path,
    out: Path,
    params: dict,
    project: Path,
    runs: Path | None = None,
):
    """(jobs to run, outcomes reused) for the manifest's documents, in doc_id order.
    ``runs``: the run records (default: :func:`runlog.runs_beside` the stage files)."""
    runs = runlog.runs_beside(work_root) if runs is None else runs
    plan = Plan.of(params, project)
    pair = "-".join(language_settings(params)["pair"])
    published = store.published_docs(out)
    project = Path(project).resolve()  # paths stay as given (documents.source_path): relative to it
    jobs, reused = [], []
    for doc_id, rows in manifest.groupby("doc_id", sort=True):
        fingerprints = plan.fingerprints(inputs_hash(rows))
        last = _last_outcome(work_root / doc_id)
        if last and last.status == "done" and last.fingerprint == fingerprints[ORDER[-1]] and doc_id in published:
            reused.append(last)
            continue
        if doc_id not in published:  # rows gone (aligned/ deleted, or withdrawn): publish again
            (work_root / doc_id / "publish.done").unlink(missing_ok=True)
        jobs.append(
            Job(
                doc_id=doc_id,
                raw_dir=str(raw / doc_id),
                work_dir=str(work_root / doc_id),
                attempts_log=str(runlog.attempts_log(runs, doc_id)),
                out=str(out),
                pair=pair,
                fingerprints=fingerprints,
                params=params,
                project=str(project),
            )
        )
    return jobs, reused


def remove_gone(manifest: pd.DataFrame, work_root: Path, out: Path, runs: Path) -> list[str]:
    """Documents no longer under raw/: their rows, TMX, stage files and attempts log go."""
    present = set(manifest.doc_id)
    known = store.published_docs(out) | (
        {p.name for p in work_root.iterdir() if p.is_dir()} if work_root.is_dir() else set()
    )
    gone = sorted(known - present)
    for doc_id in gone:
        store.unpublish(out, doc_id)
        tmx_path(out, doc_id).unlink(missing_ok=True)
        store.replace_dir(work_root / doc_id)
        runlog.attempts_log(runs, doc_id).unlink(missing_ok=True)
    return gone


def _failed(job: Job, reason: str) -> Outcome:
    """The outcome of a task Dask gave up on (its workers kept dying)."""
    work = Path(job.work_dir)
    fp = job.fingerprints[ORDER[-1]]
    attempts = runlog.count_attempts(Path(job.attempts_log), fp)
    outcome = Outcome(job.doc_id, fp, "failed", error=reason, attempts=attempts, worker=worker_name())
    withdraw(Path(job.out), job.doc_id, work)
    io.write_json(outcome.state(), work / OUTCOME)
    return outcome


def process_corpus(
    manifest_path: Path,
    raw: Path,
    work_root: Path,
    out: Path,
    params: dict,
    project: Path = Path("."),
    runs: Path | None = None,
) -> Summary:
    """Run the documents that need it. ``runs``: the run records, which no stage declares
    (default: :func:`runlog.runs_beside` the stage files)."""
    runs = runlog.runs_beside(work_root) if runs is None else runs
    manifest = io.read_table("manifest", manifest_path)
    removed = remove_gone(manifest, work_root, out, runs)
    jobs, outcomes = plan_jobs(manifest, raw, work_root, out, params, project, runs)
    settings = ProcessSettings(**params["process"])
    failed: list[Outcome] = []
    record = runlog.RunLog(runs)
    if jobs:
        executor = make_executor(settings)
        jobs = [Job(**{**asdict(j), "inner_workers": executor.inner_workers}) for j in jobs]
        bar = tqdm(total=len(jobs), desc="process", unit="doc", disable=None)
        try:
            for outcome in executor.run(process_document, jobs, _failed):
                record.add(outcome.run_facts())
                outcomes.append(outcome)
                if outcome.status == "failed":
                    failed.append(outcome)
                    bar.write(f"failed: {outcome.doc_id}: {outcome.error}", file=sys.stderr)
                bar.update()
                bar.set_postfix(failed=len(failed), refresh=False)
        finally:
            bar.close()
            executor.close()
    store.sweep_temporary(out, work_root)
    outcomes.sort(key=lambda o: o.doc_id)
    write_ledger(outcomes, out / "ledger.parquet")
    io.write_json(corpus_metrics(outcomes), out / "metrics.json")
    done = sum(o.status == "done" for o in outcomes)
    written = record.path if record.lines else None
    return Summary(manifest.doc_id.nunique(), len(jobs), done, failed, removed, outcomes, written)


def write_ledger(outcomes: list[Outcome], path: Path) -> None:
    """Each document's state (its run facts are in the run records)."""
    names = io.schema_of("ledger").names
    io.write_table("ledger", [{k: v for k, v in o.state().items() if k in names} for o in outcomes], path)


def corpus_metrics(outcomes: list[Outcome]) -> dict:
    done = [o for o in outcomes if o.status == "done"]
    pairs = sum(o.metrics["pairs"] for o in done)
    scored = sum(o.metrics["pairs"] * o.metrics["mean_score"] for o in done if o.metrics["mean_score"] is not None)
    return {
        "documents": {o.doc_id: o.metrics for o in done},
        "failed_documents": {o.doc_id: o.error for o in outcomes if o.status == "failed"},
        "pairs": pairs,
        "suspect_documents": sum(o.metrics["suspect"] for o in done),
        "mean_score": round(scored / pairs, 4) if pairs else None,
    }
