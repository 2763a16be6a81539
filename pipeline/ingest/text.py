"""Plain-text reader: strict UTF-8, newlines normalised, nothing else changed."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError


def read_txt(path: Path) -> str:
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(
            path, f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); save it as UTF-8"
        ) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(path, "empty file (no text)")
    return text
