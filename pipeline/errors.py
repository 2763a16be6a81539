"""Errors a user can act on: each names the file and the reason, on one line."""

from __future__ import annotations

from pathlib import Path


class PipelineError(Exception):
    """Base class: the CLI prints ``error: <message>`` and exits with status 2."""


class InputError(PipelineError):
    """A raw input that cannot be used as it is."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self):  # raised in a process-pool worker, it must cross back as itself
        return type(self), (self.path, self.reason)
