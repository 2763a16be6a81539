"""Workbenches for the tests: one over the bundled document's index, one over a tiny
index whose texts are hostile (markup, script, FTS5 syntax); a live server; and a reader
of the XLSX exports (zipfile + XML, independent of the library that writes them)."""

from __future__ import annotations

import io
import re
import socket
import threading
import time
import xml.etree.ElementTree as ET
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

HOSTILE_ZH = '技术援助<script>window.__pwned = 1</script>与"NEAR"'
HOSTILE_EN = 'technical assistance <img src=x onerror="window.__pwned = 1"> AND OR * "NEAR"'


def hostile_index(folder: Path, dim: int = 384) -> Path:
    """An index of one document whose only pair carries markup and FTS5 syntax."""
    from pipeline.search.build import write_index
    from pipeline.search.terms import zh_tokens

    rows = pd.DataFrame(
        {
            "level": ["sentence", "unit"],
            "pair_id": ["EVIL:0.0", "EVIL:0"],
            "unit_pair_id": ["EVIL:0", "EVIL:0"],
            "doc_id": "EVIL",
            "item": None,
            "kind": "paragraph",
            "link": "1-1",
            "score": 0.9,
            "zh_ids": [["zh-0000.0"], ["zh-0000"]],
            "en_ids": [["en-0000.0"], ["en-0000"]],
            "zh_text": HOSTILE_ZH,
            "en_text": HOSTILE_EN,
            "zh_tokens": [zh_tokens(HOSTILE_ZH)] * 2,
        }
    )
    docs = pd.DataFrame({"doc_id": ["EVIL"], "symbol": ["EVIL/<b>1</b>"], "original_lang": ["en"], "srclang": ["en"]})
    rng = np.random.default_rng(0)
    vec = rng.standard_normal((2, dim)).astype(np.float32)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    write_index(folder, rows, docs, vec, vec, {}, {"embedding_model": "embedded", "embedding_prompt": "passage: "})
    return folder


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(app):
    """The app served by uvicorn on a free localhost port, in a thread; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started:
        if time.time() > deadline or not thread.is_alive():
            raise RuntimeError("the workbench server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


XLSX_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_XLSX_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _column(ref: str) -> int:
    n = 0
    for ch in re.match(r"[A-Z]+", ref).group():
        n = n * 26 + ord(ch) - 64
    return n - 1


def read_xlsx(data: bytes) -> dict:
    """The first worksheet of an XLSX file: ``rows`` (text as str, numbers as float, empty
    cells None), ``types`` (each cell's t attribute, or 'n'), ``formulas`` (cells with an
    <f>), ``sheet`` (its XML root) and ``core`` (docProps/core.xml as text)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        shared = []
        if "xl/sharedStrings.xml" in names:
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")):
                text = "".join(t.text or "" for t in si.iter(XLSX_NS + "t"))
                shared.append(_XLSX_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        core = z.read("docProps/core.xml").decode("utf-8")
    cells, types, formulas = {}, {}, []
    for c in sheet.iter(XLSX_NS + "c"):
        ref = c.get("r")
        where = (int(re.search(r"\d+", ref).group()) - 1, _column(ref))
        v, t = c.find(XLSX_NS + "v"), c.get("t", "n")
        types[where] = t
        if c.find(XLSX_NS + "f") is not None:
            formulas.append(ref)
        if t == "s":
            cells[where] = shared[int(v.text)]
        elif t == "inlineStr":
            cells[where] = "".join(x.text or "" for x in c.iter(XLSX_NS + "t"))
        elif v is not None:
            cells[where] = v.text if t == "str" else float(v.text)
    n_rows = max((r for r, _ in cells), default=-1) + 1
    n_cols = max((c for _, c in cells), default=-1) + 1
    rows = [[cells.get((r, c)) for c in range(n_cols)] for r in range(n_rows)]
    return {"rows": rows, "types": types, "formulas": formulas, "sheet": sheet, "core": core}
