"""Page images of PDF inputs (pypdfium2), rendered once and kept in memory."""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from pathlib import Path

SCALE = 1.5  # pixels per PDF point: readable, about 0.2 MB per A4 page


class PageImages:
    def __init__(self, keep: int = 64):
        self.keep = keep
        self._cache: OrderedDict[tuple, tuple[bytes, tuple[float, float]]] = OrderedDict()
        self._lock = threading.Lock()  # pdfium is not thread-safe

    def render(self, pdf: Path, page: int) -> tuple[bytes, tuple[float, float]] | None:
        """(PNG bytes, (width, height) in points) of a 1-based page; None if there is no such page."""
        key = (str(pdf), page)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            import pypdfium2 as pdfium

            doc = pdfium.PdfDocument(str(pdf))
            try:
                if not 1 <= page <= len(doc):
                    return None
                p = doc[page - 1]
                size = p.get_size()
                image = p.render(scale=SCALE).to_pil()
                buf = io.BytesIO()
                image.save(buf, format="PNG", optimize=False)
                value = (buf.getvalue(), (float(size[0]), float(size[1])))
            finally:
                doc.close()
            self._cache[key] = value
            while len(self._cache) > self.keep:
                self._cache.popitem(last=False)
            return value
