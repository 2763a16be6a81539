"""Output of ``bitext query``: a readable terminal view, JSON for scripts, TSV for spreadsheets."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from .engine import RESULT_FIELDS

FORMATS = ("table", "json", "tsv")
MARK_OPEN, MARK_CLOSE = "«", "»"  # shows the match where the output has no colours


def as_json(query: dict, results: list[dict], truncated: bool) -> str:
    """``{"query": {...}, "results": [...], "truncated": bool}``, keys sorted."""
    return json.dumps(
        {"query": query, "results": results, "truncated": truncated}, ensure_ascii=False, sort_keys=True, indent=2
    )


def as_tsv(results: list[dict]) -> str:
    def cell(v) -> str:
        if v is None:
            return ""
        if isinstance(v, list):
            return json.dumps(v)
        return " ".join(str(v).split()) if isinstance(v, str) else str(v)

    lines = ["\t".join(RESULT_FIELDS)]
    lines += ["\t".join(cell(r[k]) for k in RESULT_FIELDS) for r in results]
    return "\n".join(lines)


def _text(value: str, spans: list, marks: bool, missing: str):
    from rich.text import Text

    if not value:
        return Text(missing, style="dim italic")
    if not spans:
        return Text(value)
    if marks:
        out, last = [], 0
        for a, b in spans:
            out += [value[last:a], MARK_OPEN, value[a:b], MARK_CLOSE]
            last = b
        out.append(value[last:])
        return Text("".join(out))
    text = Text(value)
    for a, b in spans:
        text.stylize("bold reverse", a, b)
    return text


def print_table(
    query: dict, results: list[dict], truncated: bool, file: TextIO | None = None, width: int | None = None
) -> None:
    """One block per pair: a line of metadata, then Chinese and English side by side."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=file or sys.stdout, width=width, highlight=False, soft_wrap=False)
    marks = console.color_system is None
    what = f"{query['level']} pairs"
    if query["mode"] == "semantic":
        head = f"semantic: {query['text']!r} — {len(results)} closest {what}"
    else:
        head = f"{query['text']!r} — {len(results)} {what}{' (more: raise --limit)' if truncated else ''}"
    console.print(Text(head, style="bold"))
    if not results:
        console.print(
            "no pairs match"
            + (" these filters" if any(query["filters"].get(k) for k in ("doc", "item", "kind", "min_score")) else "")
        )
        return
    for r in results:
        meta = [
            f"{r['rank']}. {r['symbol'] or r['doc_id']}",
            "pair " + r["pair_id"].rsplit(":", 1)[-1],
            f"item {r['item']}" if r["item"] else None,
            r["kind"],
            r["link"] if r["link"] != "1-1" else None,
            f"score {r['score']:.2f}",
            f"sim {r['similarity']:.3f}" if r["similarity"] is not None else None,
        ]
        console.rule(style="dim")
        console.print(Text(" · ".join(m for m in meta if m), style="cyan"))
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(ratio=1, overflow="fold")
        grid.add_column(ratio=1, overflow="fold")
        spans = r["match_spans"] or []
        grid.add_row(
            _text(r["zh_text"], spans if r["match_lang"] == "zh" else [], marks, "(no Chinese)"),
            _text(r["en_text"], spans if r["match_lang"] == "en" else [], marks, "(no English)"),
        )
        console.print(grid)


def emit(fmt: str, query: dict, results: list[dict], truncated: bool, file: TextIO | None = None) -> None:
    out = file or sys.stdout
    if fmt == "json":
        out.write(as_json(query, results, truncated) + "\n")
    elif fmt == "tsv":
        out.write(as_tsv(results) + "\n")
    else:
        print_table(query, results, truncated, file=out)
