"""The workbench's searches, independent of HTTP: filters, sort, paging, translation
spotting, variants and context. The index and the model are opened once."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..errors import PipelineError
from ..search.engine import Filters, SearchIndex
from ..search.spotting import rendering_key
from ..search.word_links import WordLinks, made_with
from ..search.terms import compile_term, is_chinese
from .catalog import Catalog

MODES = ("keyword", "semantic")
SORTS = ("corpus", "date", "score", "document")
LEVELS = ("sentence", "unit")


@dataclass(frozen=True)
class ServeSettings:
    """params.yaml ``serve``."""

    host: str = "127.0.0.1"  # only this machine can connect
    port: int = 8765
    page_size: int = 20
    max_hits: int = 1000  # hits read for sorting, filtering by variant and export
    variant_hits: int = 40  # hits whose translation is spotted for the variants panel
    max_query_chars: int = 500  # longer queries are refused (400)
    context_units: int = 3  # units shown before and after a hit in its context view


class BadQuery(ValueError):
    """A request the workbench refuses with a one-line reason (HTTP 400)."""


@dataclass
class Query:
    text: str = ""
    mode: str = "keyword"
    lang: str = ""  # '', 'zh' or 'en' (keyword: the side the term is looked up in)
    level: str = "sentence"
    doc: str = ""  # symbol prefix, e.g. CTOC/COP
    body: str = ""
    year: str = ""
    doc_type: str = ""
    kind: str = ""
    min_score: str = ""
    sort: str = "corpus"
    page: int = 1
    variant: str = ""  # keep hits whose other side has this rendering

    @classmethod
    def parse(cls, args: dict, max_chars: int) -> "Query":
        known = {f.name for f in fields(cls)}
        values = {k: str(v) for k, v in args.items() if k in known}
        for k, v in values.items():
            if len(v) > max_chars:
                raise BadQuery(f"{k} is {len(v)} characters long; the limit is {max_chars}")
        try:
            page = int(values.pop("page", "1") or 1)
        except ValueError:
            raise BadQuery("page must be a whole number") from None
        q = cls(**{k: v.strip() for k, v in values.items()}, page=max(1, min(page, 10**6)))
        for name, allowed in (("mode", MODES), ("sort", SORTS), ("level", LEVELS), ("lang", ("", "zh", "en"))):
            if getattr(q, name) not in allowed:
                raise BadQuery(f"{name} must be one of {', '.join(a or 'auto' for a in allowed)}")
        if q.min_score:
            try:
                score = float(q.min_score)
            except ValueError:
                raise BadQuery("min_score must be a number between 0 and 1") from None
            if not 0 <= score <= 1:
                raise BadQuery("min_score must be a number between 0 and 1")
        return q

    def src_lang(self) -> str:
        return self.lang or ("zh" if is_chinese(self.text) else "en")

    def params(self, **change) -> dict:
        """The query as URL parameters (empty ones left out)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out.update(change)
        return {k: v for k, v in out.items() if v not in ("", None) and not (k == "page" and v == 1)}


@dataclass
class Page:
    query: Query
    hits: list[dict] = field(default_factory=list)
    total: int = 0
    truncated: bool = False  # more hits than counted in total
    pages: int = 0
    error: str = ""


def other(lang: str) -> str:
    return "en" if lang == "zh" else "zh"


def _readable_links(data: bytes, zh: str, en: str) -> WordLinks | None:
    """Stored links, or None when they cannot be read or do not fit the texts (spotted live)."""
    try:
        links = WordLinks.from_bytes(data)
    except ValueError:
        return None
    return links if links.fits(zh, en) else None


class Workbench:
    def __init__(self, index_dir: Path, aligned_dir: Path | None, root: Path, params: dict, model=None):
        self.index = SearchIndex(index_dir)
        self.aligned_dir, self.root = aligned_dir, root
        self.catalog = Catalog.load(aligned_dir, root)
        self.params = params
        self.settings = ServeSettings(**(params.get("serve") or {}))
        self._model = model
        self._encoder = None
        self._spotter = None
        self.symbols = {d["doc_id"]: d["symbol"] for d in self.index.documents}
        self._generation = self.index.generation

    def sync(self) -> None:
        """Follow `bitext index` while serving: reload what derives from the index when it
        changed (whoever noticed the change: the index also refreshes itself per query)."""
        self.index.refresh()
        if self.index.generation != self._generation:
            self._generation = self.index.generation
            self.symbols = {d["doc_id"]: d["symbol"] for d in self.index.documents}
            self.catalog = Catalog.load(self.aligned_dir, self.root)

    # --- model (loaded once, on first use or by warm_up) -----------------------------

    @property
    def encoder(self):
        if self._encoder is None:
            from ..search.embedder import QueryEncoder

            self._encoder = QueryEncoder(self.params, self.index.meta, model=self._model)
            self.index.threads = self._encoder.threads  # the vector scan follows the query's encoding
        return self._encoder

    @property
    def spotter(self):
        if self._spotter is None:
            from ..search.spotting import Spotter, SpottingSettings

            settings = SpottingSettings(**(self.params.get("spotting") or {}))
            self._spotter = Spotter(self.encoder.model, self.encoder.prompt, settings, self.encoder.threads)
        return self._spotter

    def warm_up(self) -> None:
        self.encoder.encode("warm up")
        self.spotter.spot("warm up", [(0, 4)], "热身", "zh")

    # --- filters -------------------------------------------------------------------

    def facets(self) -> dict:
        """Values offered by the filter menus."""
        self.sync()
        docs = self.catalog.documents.values()
        return {
            "bodies": sorted({d["body"] for d in docs} | {s.split("/", 1)[0] for s in self.symbols.values()}),
            "years": sorted({str(d["date"])[:4] for d in docs if d.get("date")}, reverse=True),
            "doc_types": sorted({d["doc_type"] for d in docs if d.get("doc_type")}),
            "kinds": list(self.index.meta.get("kinds", [])),
        }

    def _doc_ids(self, q: Query) -> list[str] | None:
        """Documents the filters allow (None: all of them)."""
        if not (q.doc or q.body or q.year or q.doc_type):
            return None
        out = []
        for doc_id, symbol in self.symbols.items():
            meta = self.catalog.doc(doc_id)
            if q.doc and not symbol.upper().startswith(q.doc.upper()):
                continue
            if q.body and symbol.split("/", 1)[0] != q.body:
                continue
            if q.year and self.catalog.year(doc_id) != q.year:
                continue
            if q.doc_type and meta.get("doc_type") != q.doc_type:
                continue
            out.append(doc_id)
        return out

    def _filters(self, q: Query) -> Filters | None:
        docs = self._doc_ids(q)
        if docs == []:
            return None  # nothing can match
        kinds = [q.kind] if q.kind else []
        if kinds and q.kind not in self.index.meta.get("kinds", []):
            raise BadQuery(f"unknown kind {q.kind!r}")
        return Filters(
            level=q.level, docs=docs or [], kinds=kinds, min_score=float(q.min_score) if q.min_score else None
        )

    # --- search --------------------------------------------------------------------

    def _hits(self, q: Query, want: int) -> tuple[list[dict], bool]:
        f = self._filters(q)
        if f is None or not q.text:
            return [], False
        if not self.index.meta.get("pairs"):
            return [], False
        if q.mode == "semantic":
            vector = self.encoder.encode(q.text)
            return self.index.semantic(vector, f, limit=want), False
        try:
            term = compile_term(q.text, q.lang or None)
        except PipelineError as err:
            raise BadQuery(str(err)) from None
        return self.index.keyword(term, f, limit=want)

    def search(self, q: Query, spot: bool = True) -> Page:
        self.sync()
        s = self.settings
        page = Page(q)
        if not q.text:
            return page
        whole = q.sort != "corpus" or bool(q.variant)
        want = s.max_hits if whole else min(s.max_hits, q.page * s.page_size + 1)
        hits, truncated = self._hits(q, want)
        if q.mode == "keyword":
            hits = self._with_variant(q, hits)
        hits = self._sorted(q, hits)
        if whole or q.mode == "semantic":
            page.truncated = truncated
            page.pages = max(1, math.ceil(len(hits) / s.page_size))
        else:  # corpus order reads only one hit past the page: more pages may follow
            page.truncated = len(hits) > q.page * s.page_size
            hits = hits[: q.page * s.page_size]
            page.pages = q.page + page.truncated
        page.total = len(hits)
        first = (q.page - 1) * s.page_size
        page.hits = [dict(h, rank=first + i + 1) for i, h in enumerate(hits[first : first + s.page_size])]
        for h in page.hits:
            h.setdefault("trans_spans", [])
        if spot and q.mode == "keyword":
            self._spot(page.hits)
        for h in page.hits:
            h["doc"] = self.catalog.doc(h["doc_id"])
        return page

    def _with_variant(self, q: Query, hits: list[dict]) -> list[dict]:
        """Only hits whose other side has the chosen rendering, which is then their translation."""
        if not q.variant:
            return hits
        try:
            variant = compile_term(q.variant, other(q.src_lang()))
        except PipelineError as err:
            raise BadQuery(f"variant: {err}") from None
        out = []
        for h in hits:
            spans = variant.spans(h[f"{other(h['match_lang'])}_text"])
            if spans:
                out.append(dict(h, trans_spans=[list(sp) for sp in spans]))
        return out

    def _sorted(self, q: Query, hits: list[dict]) -> list[dict]:
        if q.sort == "score":
            return sorted(hits, key=lambda h: -h["score"])
        if q.sort == "document":
            return sorted(hits, key=lambda h: h["symbol"] or h["doc_id"])
        if q.sort == "date":
            return sorted(hits, key=lambda h: str(self.catalog.doc(h["doc_id"]).get("date") or ""), reverse=True)
        return hits

    def _spot(self, hits: list[dict]) -> None:
        """Mark each hit's translation of its match, from the pair's stored word links when the
        index has them (made as this spotter would make them), else with the encoder."""
        todo = [h for h in hits if not h.get("trans_spans") and h.get("match_spans")]
        items = [
            (
                h[f"{h['match_lang']}_text"],
                h["match_spans"],
                h[f"{other(h['match_lang'])}_text"],
                other(h["match_lang"]),
            )
            for h in todo
        ]
        for h, spans in zip(todo, self.spotter.spot_many(items, self._stored_links(todo))):
            h["trans_spans"] = [list(sp) for sp in spans]

    def _stored_links(self, hits: list[dict]) -> list[WordLinks | None]:
        """Each hit's stored word links; None where the index has none for its texts, or
        none this spotter would make (another layer, prompt or format)."""
        made = self.index.meta.get("word_links")
        spotter = self.spotter
        if made != made_with(spotter.settings.layer, spotter.prompt):
            return [None] * len(hits)
        found = self.index.word_links([h["pair_id"] for h in hits])
        out = []
        for h in hits:
            zh, en, data = found.get(h["pair_id"], (None, None, None))
            same_texts = data is not None and (zh, en) == (h["zh_text"], h["en_text"])
            out.append(_readable_links(data, zh, en) if same_texts else None)
        return out

    def selection(self, q: Query) -> list[dict]:
        """Every hit of the query (up to max_hits), in the page's order, for export."""
        self.sync()
        hits, _ = self._hits(q, self.settings.max_hits) if q.text else ([], False)
        if q.mode == "keyword":
            hits = self._with_variant(q, hits)
        return self._sorted(q, hits)

    # --- variants ------------------------------------------------------------------

    def variants(self, q: Query) -> dict:
        """Distinct renderings of a keyword term in its first ``variant_hits`` hits."""
        self.sync()
        if q.mode != "keyword" or not q.text:
            return {"term": q.text, "lang": "", "variants": [], "spotted": 0, "hits": 0, "truncated": False}
        base = Query(**{**q.params(), "variant": "", "sort": "corpus", "page": 1})
        hits, truncated = self._hits(base, self.settings.max_hits)
        sample = hits[: self.settings.variant_hits]
        self._spot(sample)
        counts: Counter = Counter()
        docs: dict[str, set] = {}
        shown: dict[str, str] = {}
        for h in sample:
            tgt = h[f"{other(h['match_lang'])}_text"]
            for a, b in h.get("trans_spans", [])[:1]:
                text = " ".join(tgt[a:b].split())
                key = rendering_key(text)
                counts[key] += 1
                docs.setdefault(key, set()).add(h["symbol"] or h["doc_id"])
                shown.setdefault(key, text)
        unspotted = sum(1 for h in sample if not h.get("trans_spans"))
        return {
            "term": q.text,
            "lang": q.src_lang(),
            "target_lang": other(q.src_lang()),
            "variants": [{"text": shown[k], "count": n, "documents": sorted(docs[k])} for k, n in counts.most_common()],
            "unspotted": unspotted,
            "spotted": len(sample),
            "hits": len(hits),
            "truncated": truncated,
        }

    # --- context -------------------------------------------------------------------

    def context(self, pair_id: str) -> dict | None:
        """The hit's unit and its neighbours in the same document, both versions side by side."""
        self.sync()
        db = self.index.db
        row = db.execute("SELECT unit_pair_id, doc_id FROM pairs WHERE pair_id = ?", (pair_id,)).fetchone()
        if row is None:
            return None
        unit_id, doc_id = row
        unit = db.execute("SELECT row FROM pairs WHERE pair_id = ? AND level = 'unit'", (unit_id,)).fetchone()
        if unit is None:
            return None
        n = self.settings.context_units
        units = []
        for r in db.execute(
            "SELECT row, pair_id, item, kind, link, score, zh_ids, en_ids, zh_text, en_text FROM pairs "
            "WHERE level = 'unit' AND doc_id = ? AND row BETWEEN ? AND ? ORDER BY row",
            (doc_id, unit[0] - n, unit[0] + n),
        ):
            sides = {}
            for lang, ids, text in (("zh", r[6], r[8]), ("en", r[7], r[9])):
                seg = self.catalog.segment(doc_id, ids) or {}
                sides[lang] = {
                    "text": text,
                    "label": seg.get("label"),
                    "page": seg.get("page"),
                    "bbox": seg.get("bbox"),
                }
            units.append(
                {
                    "pair_id": r[1],
                    "item": r[2],
                    "kind": r[3],
                    "link": r[4],
                    "score": round(float(r[5]), 3),
                    "current": r[1] == unit_id,
                    **sides,
                }
            )
        current = next(u for u in units if u["current"])
        pages = {}
        for lang in ("zh", "en"):
            side = current[lang]
            if side["page"] and self.catalog.pdf_path(doc_id, lang):
                pages[lang] = {"page": side["page"], "bbox": side["bbox"]}
        return {
            "pair_id": pair_id,
            "unit_pair_id": unit_id,
            "doc_id": doc_id,
            "symbol": self.symbols.get(doc_id, doc_id),
            "doc": self.catalog.doc(doc_id),
            "units": units,
            "pages": pages,
        }
