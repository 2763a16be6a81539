"""Row-appendable ``.npy`` files for the index's vectors.

A file is a standard NumPy ``.npy`` (format 1.0) with a header padded to a fixed
:data:`HEADER_BYTES`, so rows can be appended and the shape rewritten in place: a
one-document index update appends that document's rows instead of rewriting a
million. ``numpy.load(path, mmap_mode="r")`` reads it as usual.

The index's SQLite ``meta.rows`` is the committed row count. An update appends the
data first and rewrites the header after its SQLite commit, so an interrupted update
leaves at most trailing rows that nobody counts; :func:`open_rows` maps exactly the
committed rows and :func:`truncate` drops the rest before the next append.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

MAGIC = b"\x93NUMPY\x01\x00"
HEADER_BYTES = 128  # magic (6) + version (2) + header length (2) + padded dict


def _header(dtype: np.dtype, rows: int, dim: int) -> bytes:
    text = f"{{'descr': '{dtype.str}', 'fortran_order': False, 'shape': ({rows}, {dim}), }}"
    room = HEADER_BYTES - len(MAGIC) - 2
    if len(text) + 1 > room:
        raise ValueError(f"vector file header too long for shape ({rows}, {dim})")
    body = text.ljust(room - 1).encode("latin1") + b"\n"
    return MAGIC + len(body).to_bytes(2, "little") + body


def create(path: Path, vectors: np.ndarray) -> None:
    """Write ``vectors`` (rows, dim) as a new appendable file."""
    vectors = np.ascontiguousarray(vectors)
    with open(path, "wb") as fh:
        fh.write(_header(vectors.dtype, vectors.shape[0], vectors.shape[1]))
        fh.write(vectors.tobytes())


def _layout(source) -> tuple[np.dtype, int, int, int]:
    """(dtype, rows in the header, dim, data offset) of a file (a path or an open binary file)."""
    if isinstance(source, (str, Path)):
        with open(source, "rb") as fh:
            return _layout(fh)
    source.seek(0)
    version = np.lib.format.read_magic(source)
    if version != (1, 0):
        raise ValueError(f"{source.name}: .npy format {version}, expected 1.0")
    shape, fortran, dtype = np.lib.format.read_array_header_1_0(source)
    if fortran or len(shape) != 2:
        raise ValueError(f"{source.name}: expected a C-ordered 2-D array, got shape {shape}")
    return dtype, shape[0], shape[1], source.tell()


def stored_rows(path: Path) -> int:
    """Whole rows the file holds after its header (may exceed the header's count)."""
    dtype, _, dim, offset = _layout(path)
    return (os.path.getsize(path) - offset) // (dim * dtype.itemsize) if dim else 0


def header_rows(path: Path) -> int:
    """The row count the header states (what ``numpy.load`` reads)."""
    return _layout(path)[1]


def truncate(path: Path, rows: int) -> None:
    """Keep the first ``rows`` rows (drops what an interrupted append left)."""
    dtype, _, dim, offset = _layout(path)
    os.truncate(path, offset + rows * dim * dtype.itemsize)
    set_rows(path, rows)


def append(path: Path, vectors: np.ndarray) -> None:
    """Add rows at the end; the header still counts the old rows until :func:`set_rows`."""
    dtype, _, dim, offset = _layout(path)
    vectors = np.ascontiguousarray(vectors, dtype=dtype)
    if vectors.ndim != 2 or vectors.shape[1] != dim:
        raise ValueError(f"{path}: appending shape {vectors.shape} to rows of {dim}")
    with open(path, "ab") as fh:
        fh.write(vectors.tobytes())
        fh.flush()
        os.fsync(fh.fileno())  # on disk before the SQLite commit that counts these rows


def set_rows(path: Path, rows: int) -> None:
    """Rewrite the header's row count in place."""
    dtype, _, dim, offset = _layout(path)
    if offset != HEADER_BYTES:
        raise ValueError(f"{path}: not an appendable vector file (header of {offset} bytes)")
    with open(path, "r+b") as fh:
        fh.write(_header(dtype, rows, dim))


def open_rows(source, rows: int) -> np.ndarray:
    """The first ``rows`` rows, memory-mapped read-only (whatever the header says);
    ``source``: a path or an open binary file (a reader pins one build's file so)."""
    dtype, _, dim, offset = _layout(source)
    if rows == 0:
        return np.zeros((0, dim), dtype=dtype)
    return np.memmap(source, dtype=dtype, mode="r", offset=offset, shape=(rows, dim))
