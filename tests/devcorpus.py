"""The development corpus of UN document types (docs/dev-corpus.md): source.yaml -> text
versions and gold units.

Written apart from the pipeline on purpose: nothing here imports ``pipeline``, so the
text versions and the gold come from the source's own kinds, not from the segmenter.

``python -m tests.devcorpus`` rewrites every document's ``zh.txt``, ``en.txt`` and
``gold-units.tsv``; ``--check`` only reports stale files (exit 1).
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent / "fixtures" / "doctypes"
LANGS = ("zh", "en")
DOC_TYPES = ("agenda", "report", "note", "resolution", "draft_resolution", "decision", "letter", "note_verbale")
KINDS = (
    "meta",
    "title",
    "sponsors",
    "agenda_item",
    "heading",
    "paragraph",
    "summary",
    "preamble",
    "operative",
    "list_item",
    "doc_ref",
    "footnote",
    "table_title",
    "table_row",
    "table_note",
    "signature",
)
HARD_CASES = (
    "omitted_paragraph",
    "split_paragraph",
    "footnote_shift",
    "table_as_text",
    "heading_like_paragraph",
    "extra_meta",
)
GOLD_COLUMNS = ("unit", "kind", "item", "path", "zh", "en")


def _cjk(ch: str) -> bool:
    """Ideographs and full-width punctuation: no space between them when joining."""
    return "\u3000" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef"


def join(parts: list[str]) -> str:
    """Lines or paragraphs joined for a gold text: no space between CJK characters."""
    out = ""
    for part in (p.strip() for p in parts):
        if part:
            out += ("" if not out or (_cjk(out[-1]) and _cjk(part[0])) else " ") + part
    return out


@dataclass
class Table:
    head: list[str]
    rows: list[list[str]]

    def row_texts(self) -> list[str]:
        return [row_text(r) for r in [self.head, *self.rows]]


def row_text(cells: list[str]) -> str:
    return "| " + " | ".join(c.strip() for c in cells) + " |" if cells else "|"


@dataclass
class Version:
    """One language's side of an entry: printed paragraphs (each a list of hard lines) or a table."""

    paragraphs: list[list[str]] = field(default_factory=list)
    table: Table | None = None

    @property
    def absent(self) -> bool:
        return not self.paragraphs and self.table is None

    def gold_text(self) -> str:
        if self.table is not None:
            return " ".join(self.table.row_texts())
        return join([join(lines) for lines in self.paragraphs])


@dataclass
class Entry:
    kind: str
    item: str | None
    path: str | None
    style: str | None
    versions: dict[str, Version]
    widths: list[float] | None = None


@dataclass
class SourceDoc:
    doc_id: str
    symbol: str
    doc_type: str
    based_on: str
    job: str
    date_code: str
    hard_cases: list[str]
    entries: list[Entry]

    @classmethod
    def load(cls, folder: Path) -> "SourceDoc":
        path = folder / "source.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        where = f"{path}"
        for key in ("symbol", "doc_type", "units"):
            if key not in data:
                raise ValueError(f"{where}: missing '{key}'")
        if data["doc_type"] not in DOC_TYPES:
            raise ValueError(f"{where}: doc_type {data['doc_type']!r} not one of {DOC_TYPES}")
        for case in data.get("hard_cases") or []:
            if case not in HARD_CASES:
                raise ValueError(f"{where}: hard case {case!r} not one of {HARD_CASES}")
        entries = [_entry(u, f"{where} unit {n + 1}") for n, u in enumerate(data["units"])]
        return cls(
            folder.name,
            data["symbol"],
            data["doc_type"],
            data.get("based_on", ""),
            str(data.get("job", "31-00000")),
            str(data.get("date_code", "010131")),
            list(data.get("hard_cases") or []),
            entries,
        )

    # ------------------------------------------------------------------ generated files
    def text(self, lang: str) -> str:
        """The plain-text version: one block per printed paragraph; agenda lists and
        tables are one block each."""
        blocks: list[list[str]] = []
        prev_kind = None
        for e in self.entries:
            v = e.versions[lang]
            if v.absent:
                continue
            if v.table is not None:
                head, *rows = v.table.row_texts()
                rule = "|" + "|".join("---" for _ in v.table.head) + "|"
                blocks.append([head, rule, *rows])
            elif e.kind == "agenda_item" and prev_kind == "agenda_item":
                blocks[-1] += [_agenda_line(join(p)) for p in v.paragraphs]
            elif e.kind == "agenda_item":
                blocks.append([_agenda_line(join(p)) for p in v.paragraphs])
            else:
                blocks += [list(p) if len(p) > 1 else [p[0]] for p in v.paragraphs]
            prev_kind = e.kind
        return "\n\n".join("\n".join(b) for b in blocks) + "\n"

    def gold(self) -> list[dict]:
        rows = []
        for e in self.entries:
            zh, en = e.versions["zh"], e.versions["en"]
            if zh.table is not None and en.table is not None:
                for a, b in zip(zh.table.row_texts(), en.table.row_texts()):
                    rows.append({"kind": "table_row", "item": e.item, "path": e.path, "zh": a, "en": b})
                continue
            # a table that is a sentence in the Chinese version: the pair is a paragraph
            kind = ("table_row" if zh.table is not None else "paragraph") if e.kind == "table" else e.kind
            rows.append({"kind": kind, "item": e.item, "path": e.path, "zh": zh.gold_text(), "en": en.gold_text()})
        for n, r in enumerate(rows, 1):
            r["unit"] = str(n)
        return rows

    def gold_tsv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, GOLD_COLUMNS, delimiter="\t", lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for r in self.gold():
            writer.writerow({k: ("" if r.get(k) is None else r[k]) for k in GOLD_COLUMNS})
        return out.getvalue()

    def generated(self) -> dict[str, str]:
        return {"zh.txt": self.text("zh"), "en.txt": self.text("en"), "gold-units.tsv": self.gold_tsv()}


def _agenda_line(text: str) -> str:
    # sub-items are indented, as agendas print them
    return ("    " if text.startswith(("(", "（")) else "") + text


def _version(value, where: str) -> Version:
    if value is None:
        return Version()
    if isinstance(value, str):
        return Version([[value]])
    if isinstance(value, list):
        if not all(isinstance(x, str) for x in value):
            raise ValueError(f"{where}: a list must hold strings (hard lines)")
        return Version([list(value)])
    if isinstance(value, dict) and "split" in value:
        return Version([[p] if isinstance(p, str) else list(p) for p in value["split"]])
    if isinstance(value, dict) and "head" in value:
        return Version(
            table=Table([str(c) for c in value["head"]], [[str(c) for c in r] for r in value.get("rows", [])])
        )
    raise ValueError(f"{where}: cannot read {value!r}")


def _entry(u: dict, where: str) -> Entry:
    kind = u.get("kind")
    if kind not in KINDS and kind != "table":
        raise ValueError(f"{where}: kind {kind!r} not one of {KINDS + ('table',)}")
    versions = {lang: _version(u.get(lang), f"{where} {lang}") for lang in LANGS}
    if all(v.absent for v in versions.values()):
        raise ValueError(f"{where}: both versions empty")
    tables = [v.table for v in versions.values() if v.table is not None]
    if kind == "table" and len(tables) == 2 and len(tables[0].rows) != len(tables[1].rows):
        raise ValueError(f"{where}: the two tables have different numbers of rows")
    item = u.get("item")
    path = u.get("path")
    return Entry(
        kind,
        None if item is None else str(item),
        None if path is None else str(path),
        u.get("style"),
        versions,
        u.get("widths"),
    )


def folders(root: Path = ROOT) -> list[Path]:
    return sorted(p for p in root.iterdir() if (p / "source.yaml").is_file()) if root.is_dir() else []


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    check = "--check" in argv
    stale = []
    for folder in folders():
        doc = SourceDoc.load(folder)
        for name, content in doc.generated().items():
            path = folder / name
            if path.is_file() and path.read_text(encoding="utf-8") == content:
                continue
            stale.append(path)
            if not check:
                path.write_text(content, encoding="utf-8")
    for path in stale:
        print(("stale: " if check else "wrote: ") + str(path))
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
