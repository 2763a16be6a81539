"""Workbenches for the tests: one over the bundled document's index, one over a tiny
index whose texts are hostile (markup, script, FTS5 syntax); and a live server."""

from __future__ import annotations

import socket
import threading
import time
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
