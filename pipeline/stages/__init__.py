"""One module per DVC stage: each reads files, calls the pure stage logic, writes files.

Each module has ``HELP`` (one line for ``bitext --help``), ``add_arguments(parser)``
and ``run(args, params)``.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def outputs_of_stage(*paths: Path) -> Iterator[None]:
    """Remove a stage's outputs when it fails, so no stale result outlives an error."""
    try:
        yield
    except BaseException:
        for path in paths:
            Path(path).unlink(missing_ok=True)
        raise
