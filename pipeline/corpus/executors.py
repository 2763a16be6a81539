"""How document tasks run, apart from what they do (``process.executor`` in params.yaml).

- ``local`` with ``workers: 1`` (the default): one after another in this process; no
  server, nothing to start: what ``make repro`` and the tests use.
- ``local`` with ``workers: N > 1``: a Dask ``LocalCluster`` of N single-threaded worker
  processes on this machine, started and stopped by the run.
- ``dask``: the Dask scheduler at ``process.scheduler`` (``tcp://host:8786``), whose
  workers may run on many machines (``dask scheduler`` / ``dask worker``, or
  dask-jobqueue on SLURM; README "Corpus runs").

Every executor yields outcomes in completion order. A worker that dies is replaced by
Dask and its task re-run elsewhere (the task counts its attempts itself); a task whose
workers die ``allowed_failures`` times comes back as a failed outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from ..errors import PipelineError


@dataclass(frozen=True)
class ProcessSettings:
    """params.yaml ``process``."""

    executor: str = "local"  # local | dask
    workers: int = 1  # local: processes (1 = in this process; >1 = a Dask LocalCluster)
    scheduler: str | None = None  # dask: the scheduler's address, e.g. tcp://10.0.0.5:8786
    allowed_failures: int = 3  # worker deaths during one task before it counts as failed


class Executor:
    """Runs ``fn`` over jobs; ``inner_workers`` is what a task may use for its own pool."""

    inner_workers: int | None = None

    def run(self, fn: Callable, jobs: list, on_failure: Callable) -> Iterator:
        raise NotImplementedError

    def close(self) -> None:
        pass


class InProcess(Executor):
    inner_workers = None  # the task may use ingest's process pool

    def run(self, fn, jobs, on_failure):
        for job in jobs:
            yield fn(job)


class DaskExecutor(Executor):
    # Dask workers are daemonic processes, which cannot start a pool of their own:
    # parallelism is Dask's alone.
    inner_workers = 1

    def __init__(self, client, cluster=None):
        self.client, self.cluster = client, cluster

    def run(self, fn, jobs, on_failure):
        from distributed import as_completed

        futures = {self.client.submit(fn, job, key=f"doc-{job.doc_id}-{_short(job)}", pure=False): job for job in jobs}
        for future in as_completed(futures):
            job = futures.pop(future)
            try:
                yield future.result()
            except Exception as err:  # KilledWorker after allowed_failures deaths, or lost scheduler
                yield on_failure(job, f"{type(err).__name__}: {' '.join(str(err).split())}"[:500])
            finally:
                future.release()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _short(job) -> str:
    return next(reversed(job.fingerprints.values()))[:12]


def make_executor(settings: ProcessSettings) -> Executor:
    if settings.executor == "local" and settings.workers <= 1:
        return InProcess()
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as err:  # pragma: no cover - a dependency of the project
        raise PipelineError(f"process.executor {settings.executor!r} needs dask.distributed: {err}") from None
    dask.config.set({"distributed.scheduler.allowed-failures": settings.allowed_failures})
    if settings.executor == "local":
        cluster = LocalCluster(n_workers=settings.workers, threads_per_worker=1, processes=True, dashboard_address=None)
        return DaskExecutor(Client(cluster), cluster)
    if settings.executor == "dask":
        if not settings.scheduler:
            raise PipelineError("process.executor is dask but process.scheduler (tcp://host:port) is not set")
        try:
            return DaskExecutor(Client(settings.scheduler, timeout="30s"))
        except OSError as err:
            raise PipelineError(f"cannot reach the Dask scheduler {settings.scheduler}: {err}") from None
    raise PipelineError(f"process.executor must be local or dask, got {settings.executor!r}")
