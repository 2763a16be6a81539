"""The PDF reader on every UN layout the renderer knows: each development document
(tests/fixtures/doctypes) and the bundled document, in both languages, drawn in the New
York and the Geneva layouts, must read back as the paragraphs of its text version.

Independent of the segmenter: the expected units come from the layout description (the
``SourceDoc`` the PDFs are drawn from), checked against the text version
(``text_to_blocks`` of tests.devcorpus's zh.txt / en.txt, or the bundled .txt files); the
reader's blocks are compared with them directly. Whitespace is ignored in Chinese; English
must give identical words. Table rows are compared as cell lists, footnotes by label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.ingest import find_sources, ingest_document, read_source, text_to_blocks
from pipeline.params import load_params

from . import devcorpus
from .conftest import RAW_DOC, ROOT
from .un_pdf import LAYOUTS, NOTE_MARK, SUPER_TO_ASCII, cjk_font_path, load_layout, render, song_font_path

PARAMS = load_params(ROOT / "configs" / "params.yaml")
LANGS = ("zh", "en")

pytestmark = pytest.mark.skipif(
    cjk_font_path() is None or song_font_path() is None,
    reason="fonts-droid-fallback / fonts-arphic-uming not installed (make install does it)",
)


def _dev_folders() -> list[Path]:
    out = []
    for folder in devcorpus.folders():
        try:
            devcorpus.SourceDoc.load(folder)
        except Exception:  # a document still being written
            continue
        out.append(folder)
    return out


DOCS = {f.name: f / "source.yaml" for f in _dev_folders()}
DOCS[RAW_DOC.name] = RAW_DOC / "layout.yaml"


def _source(name: str) -> devcorpus.SourceDoc:
    path = DOCS[name]
    return devcorpus.SourceDoc.load(path.parent) if path.name == "source.yaml" else load_layout(path)


def _txt(name: str, lang: str) -> str:
    path = DOCS[name]
    if path.name == "source.yaml":
        return _source(name).text(lang)
    return (path.parent / f"{lang}.txt").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- expected units


@dataclass
class Expected:
    meta: list[str]  # masthead blocks (organ, distr)
    body: list[tuple[str, object]]  # (kind, text) or ("table_row", cells), in order
    notes: dict[str, str]  # label -> text


def expected(src: devcorpus.SourceDoc, lang: str) -> Expected:
    meta, body, notes = [], [], {}
    n_meta = 0
    for e in src.entries:
        v = e.versions[lang]
        if v.absent:
            continue
        if v.table is not None:
            body += [("table_row", list(r)) for r in [v.table.head, *v.table.rows]]
            continue
        for lines in v.paragraphs:
            text = devcorpus.join(lines)
            if e.kind == "meta" and len(lines) > 1 and ORGANISATION.fullmatch(lines[0].strip()):
                # the organisation's name heads every UN masthead: the reader drops it as page furniture
                text = devcorpus.join(lines[1:])
            if e.kind == "meta":
                style = e.style or ("organ" if n_meta == 0 else "distr" if n_meta == 1 else "session")
                if style in ("organ", "distr"):
                    meta.append(text)
                else:
                    body.append(("meta", text))
            elif e.kind == "footnote":
                m = NOTE_MARK.match(text)
                notes[m.group(1).translate(SUPER_TO_ASCII) if m else "?"] = text
            else:
                body.append((e.kind, text))
        if e.kind == "meta":
            n_meta += 1
    return Expected(meta, body, notes)


ORGANISATION = re.compile(r"United Nations|联合国")
CJK_SPACE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff] +[\u3400-\u9fff\uf900-\ufaff]")


def norm(text: str, lang: str) -> str:
    return re.sub(r"\s+", "", text) if lang == "zh" else " ".join(text.split())


def _txt_chars(text: str, lang: str) -> str:
    """A text version's characters, table pipes and rule lines aside."""
    out = []
    for b in text_to_blocks(text, lang):
        for line in b.lines:
            if re.fullmatch(r"\s*\|[-|\s]*\|\s*", line) and "-" in line:
                continue
            out.append(line.replace("|", ""))
    return re.sub(r"\s+", "", "".join(out))


def _exp_chars(exp: Expected) -> str:
    parts = list(exp.meta) + [("".join(t) if k == "table_row" else t) for k, t in exp.body] + list(exp.notes.values())
    return re.sub(r"\s+", "", "".join(parts))


# ---------------------------------------------------------------------------- rendering and reading

CASES = [(name, lang, layout) for name in sorted(DOCS) for layout in LAYOUTS for lang in LANGS]


@pytest.fixture(scope="session")
def read_back(tmp_path_factory):
    """(doc, lang, layout) -> (Extracted, pdf folder): rendered once per session."""
    root = tmp_path_factory.mktemp("layouts")
    cache: dict = {}

    def get(name: str, lang: str, layout: str):
        key = (name, lang, layout)
        if key not in cache:
            folder = root / layout / name
            folder.mkdir(parents=True, exist_ok=True)
            render(_source(name), folder / f"{lang}.pdf", layout, lang=lang)
            (folder / f"{lang}.txt").write_text(_txt(name, lang), encoding="utf-8")
            src = find_sources(folder, [lang], ["pdf"])[lang]
            cache[key] = (read_source(src, {**PARAMS["ingest"], "workers": 1}), folder)
        return cache[key]

    return get


def compare(ex, exp: Expected, lang: str) -> list[str]:
    """Differences between the reader's blocks and the expected units (empty: read back exactly)."""
    problems = []
    blocks = ex.blocks
    metas = [norm(b.lines[0], lang) for b in blocks if b.kind == "meta"]
    want_meta = [norm(t, lang) for t in exp.meta]
    if metas != want_meta:
        problems.append(f"masthead {metas} != {want_meta}")
    got = [b for b in blocks if b.kind not in ("meta", "footnote")]
    want = exp.body
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else None
        w = want[i] if i < len(want) else None
        if g is None or w is None:
            problems.append(f"unit {i}: got {g and g.lines[0][:60]!r}, want {w and str(w[1])[:60]!r}")
            break
        kind, text = w
        if kind == "table_row":
            if g.kind != "table_row" or [norm(c, lang) for c in g.cells] != [norm(c, lang) for c in text]:
                problems.append(
                    f"unit {i}: table row {list(g.cells) if g.kind == 'table_row' else g.lines[0]!r} != {text}"
                )
                break
        elif norm(g.lines[0], lang) != norm(text, lang):
            problems.append(f"unit {i} ({kind}): {g.lines[0][:90]!r} != {text[:90]!r}")
            break
        elif kind in ("heading", "title") and g.kind != "heading":
            problems.append(f"unit {i}: {kind} {text[:40]!r} read as {g.kind}")
    notes = {b.label: norm(b.lines[0], lang) for b in blocks if b.kind == "footnote"}
    if notes != {k: norm(v, lang) for k, v in exp.notes.items()}:
        problems.append(f"footnotes {notes} != {exp.notes}")
    # footnotes follow the body text of the page citing them
    for n, b in enumerate(blocks):
        if b.kind == "footnote":
            cited = [k for k, c in enumerate(blocks) if b.label in c.refs and c.kind != "footnote"]
            if cited and cited[0] > n:
                problems.append(f"footnote {b.label} before the unit citing it")
            later = [c for c in blocks[n + 1 :] if c.kind != "footnote" and c.page == b.page]
            if later:
                problems.append(f"footnote {b.label} before body text of its page: {later[0].lines[0][:40]!r}")
    if lang == "zh":  # no space between two Chinese characters unless the text prints one
        printed = set(
            m.group(0)
            for t in [*exp.meta, *exp.notes.values(), *(str(t) for _, t in exp.body)]
            for m in CJK_SPACE.finditer(t)
        )
        for b in blocks:
            for m in CJK_SPACE.finditer(b.lines[0]):
                if m.group(0) not in printed:
                    problems.append(f"space between CJK characters: {m.group(0)!r} in {b.lines[0][:60]!r}")
    return problems


# ---------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name, lang, layout", CASES)
def test_pdf_reads_back_as_the_text_version(name, lang, layout, read_back):
    ex, _ = read_back(name, lang, layout)
    problems = compare(ex, expected(_source(name), lang), lang)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name, layout", [(n, lay) for n in sorted(DOCS) for lay in LAYOUTS])
def test_masthead_metadata_of_every_layout(name, layout, read_back):
    src = _source(name)
    for lang, letter in (("zh", "C"), ("en", "E")):
        _, folder = read_back(name, lang, layout)
        docs, _ = ingest_document(folder, [lang], ["pdf"], 0.0, {**PARAMS["ingest"], "workers": 1})
        d = next(x for x in docs if x["lang"] == lang)
        assert d["printed_symbol"] == src.symbol
        job = f"GE.{src.job}({letter})" if layout == "geneva" else f"{src.job} ({letter})"
        assert d["job_number"] == job
        distr = [
            ln
            for e in src.entries
            if e.kind == "meta" and e.style == "distr"
            for p in e.versions[lang].paragraphs
            for ln in p
        ]
        dates = [ln for ln in distr if re.match(r"^\d{1,2} [A-Z][a-z]+ \d{4}$", ln)]
        if dates:
            day, month, year = dates[0].split()
            assert d["date"] == f"{year}-{devcorpus_month(month):02d}-{int(day):02d}"
        for ln in distr:
            m = re.match(r"^Distr\.:\s*(\w+)", ln)
            if m:
                assert d["distribution"] == m.group(1).capitalize()


def devcorpus_month(name: str) -> int:
    return (
        "january february march april may june july august september october november december".split().index(
            name.lower()
        )
        + 1
    )
