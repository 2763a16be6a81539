"""Queries over the index folder: concordance (keyword) and semantic search.

Every result is a dict with the fields of :data:`RESULT_FIELDS` (the JSON output of
``bitext query`` and the columns of :func:`pipeline.api.Corpus.query`).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import PipelineError
from . import ivf, vectorfile
from .corpus import LEVELS
from .schema import FILES, SCHEMA_VERSION, read_meta
from .terms import Term, compile_term

# name -> meaning; the order is the column order of TSV output and DataFrames.
RESULT_FIELDS = {
    "rank": "1-based position in the results",
    "level": "'sentence' or 'unit'",
    "pair_id": "sentence pair id ('<doc>:<n>.<m>') or unit pair id ('<doc>:<n>')",
    "unit_pair_id": "the unit pair the result lies in (= pair_id at unit level)",
    "doc_id": "document id",
    "symbol": "UN document symbol",
    "item": "agenda item (null for front matter and annexes)",
    "kind": "segment kind of the unit (paragraph, heading, list_item, ...)",
    "link": "'<n zh>-<n en>', e.g. 1-1, 1-0",
    "score": "alignment confidence in [0, 1]",
    "similarity": "semantic search: cosine similarity of the query and the closer side; null for keyword search",
    "match_lang": "side the term was found in (keyword) or the closer side (semantic): zh or en",
    "match_type": "zh: 'word' (jieba token sequence) or 'substring'; en: 'exact' or 'inflected'; 'semantic'",
    "match_spans": "[start, end) character offsets of each match in that side's text (keyword only)",
    "zh_text": "Chinese text ('' when the pair has no Chinese side)",
    "en_text": "English text ('' when the pair has no English side)",
}
SIDES = ("both", "zh", "en")


@dataclass
class Filters:
    level: str = "sentence"
    docs: list[str] = field(default_factory=list)  # doc ids or symbols
    items: list[str] = field(default_factory=list)  # '2' also matches '2(a)'
    kinds: list[str] = field(default_factory=list)
    min_score: float | None = None

    def describe(self) -> dict:
        return {
            "level": self.level,
            "doc": self.docs,
            "item": self.items,
            "kind": self.kinds,
            "min_score": self.min_score,
        }


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def _close(state: dict) -> None:
    """Close a database connection and files (a superseded build, or one half opened)."""
    for fh in state.get("files", {}).values():
        fh.close()
    if state.get("db") is not None:
        state["db"].close()


def _not_found(folder: Path) -> PipelineError:
    return PipelineError(f"{folder}: no search index here; run `bitext index` (or `dvc repro`) first")


class SearchIndex:
    """A read-only view of an index folder; cheap to open, vectors memory-mapped on demand.

    ``threads``: torch threads of the vector scan (``embedding.query_threads``: whoever
    encodes the queries sets it to the encoder's count).
    """

    def __init__(self, folder: str | Path = "aligned/index", threads: int = 1):
        self.folder = Path(folder)
        self.threads = threads
        self.generation = 0  # moves each time the index is (re)loaded: derived state is stale
        self._lock = threading.Lock()  # the lazy loads below share file positions
        self._files: dict = {}
        self._open()

    def _open(self) -> None:
        """Open the database and the files of the same build (a full build may replace the
        folder at any time: held open, they stay one build's); retried when it did."""
        db_path = self.folder / FILES["db"]
        for _ in range(3):
            before = _identity(db_path)
            if before is None:
                raise _not_found(self.folder)
            try:
                state = self._read_state(db_path)
            except FileNotFoundError:
                continue  # a full build is swapping the folder in
            except sqlite3.DatabaseError as err:
                raise PipelineError(f"{db_path}: unreadable index ({err}); re-run `bitext index`") from None
            if _identity(db_path) == before:
                self._install(state, before)
                return
            _close(state)
        raise PipelineError(f"{self.folder}: the index kept changing while it was opened; try again")

    def _read_state(self, db_path: Path) -> dict:
        db = sqlite3.connect(db_path.resolve().as_uri() + "?mode=ro", uri=True, check_same_thread=False)
        state = {"db": db, "files": {}}
        try:
            state["version"] = db.execute("PRAGMA data_version").fetchone()[0]
            state["meta"] = read_meta(db)
            if state["meta"].get("schema_version") != SCHEMA_VERSION:
                raise PipelineError(
                    f"{db_path}: index schema version {state['meta'].get('schema_version')}, this "
                    f"program reads version {SCHEMA_VERSION}; re-run `bitext index`"
                )
            state["documents"] = [
                dict(zip(("doc_id", "symbol", "original_lang", "srclang"), r))
                for r in db.execute("SELECT doc_id, symbol, original_lang, srclang FROM documents ORDER BY position")
            ]
            for key in ("rows", "zh", "en", "ivf"):
                path = self.folder / FILES[key]
                if key != "ivf" or path.is_file():
                    state["files"][key] = open(path, "rb")
        except BaseException:
            _close(state)
            raise
        return state

    def _install(self, state: dict, identity) -> None:
        with self._lock:
            # The previous build stays open until the next reload: a query of another
            # thread may still be reading it.
            retired, self._retired = (
                getattr(self, "_retired", {}),
                {"db": getattr(self, "db", None), "files": self._files},
            )
            self.db, self._files, self._version = state["db"], state["files"], state["version"]
            self.meta, self.documents, self._file = state["meta"], state["documents"], identity
            self._arrays: dict | None = None
            self._vectors: dict[str, np.ndarray] = {}
            self._ivf: dict | None = None
            self.generation += 1
        _close(retired)

    def refresh(self) -> bool:
        """Follow ``bitext index`` for a long-running reader (``bitext serve``): a full build
        replaces the database file, an update commits to it (``PRAGMA data_version``
        moves). Cheap (a stat and a pragma); returns True when the index was reloaded."""
        now = _identity(self.folder / FILES["db"])
        if now is None:  # a full build is swapping the folder in: keep reading the old one
            return False
        try:
            changed = now != self._file or self.db.execute("PRAGMA data_version").fetchone()[0] != self._version
        except sqlite3.DatabaseError as err:
            raise PipelineError(
                f"{self.folder / FILES['db']}: unreadable index ({err}); re-run `bitext index`"
            ) from None
        if changed:
            self._open()
        return changed

    # --- shared --------------------------------------------------------------------

    def check_not_empty(self) -> None:
        if not self.meta.get("pairs"):
            raise PipelineError(
                f"{self.folder}: the index has no pairs (the corpus is empty); add document "
                f"folders under raw/ (raw/<DOC>/zh.pdf, en.pdf), then run `dvc repro`"
            )

    def _doc_ids(self, docs: list[str]) -> list[str]:
        known = {d["doc_id"]: d["doc_id"] for d in self.documents}
        known.update({d["symbol"]: d["doc_id"] for d in self.documents})
        out = []
        for d in docs:
            if d not in known:
                sample = ", ".join(x["symbol"] for x in self.documents[:5])
                raise PipelineError(
                    f"unknown document {d!r} (the index has {len(self.documents)}: {sample}"
                    f"{', ...' if len(self.documents) > 5 else ''})"
                )
            out.append(known[d])
        return out

    def _check(self, f: Filters) -> None:
        if f.level not in LEVELS:
            raise PipelineError(f"level must be one of {', '.join(LEVELS)}, got {f.level!r}")
        unknown = [k for k in f.kinds if k not in self.meta.get("kinds", [])]
        if unknown:
            raise PipelineError(f"unknown kind {unknown[0]!r}; the index has: {', '.join(self.meta.get('kinds', []))}")

    def row_ranges(self, f: Filters) -> list[tuple[int, int]]:
        """Inclusive row ranges holding the level's pairs (of the documents), in row order;
        without documents, the span from the level's first row to its last (queries also
        test the level)."""
        if f.docs:
            ids = self._doc_ids(f.docs)
            found = []
            for start in range(0, len(ids), 500):  # far below SQLite's variable limit
                part = ids[start : start + 500]
                found += self.db.execute(
                    f"SELECT first_row, last_row FROM ranges WHERE level = ? AND doc_id IN ({','.join('?' * len(part))})",
                    [f.level, *part],
                )
            return sorted(tuple(r) for r in found)
        lo, hi = self.db.execute(
            "SELECT min(first_row), max(last_row) FROM ranges WHERE level = ?", [f.level]
        ).fetchone()
        return [] if lo is None else [(lo, hi)]  # a full build's level is one range; updates append after it

    def _sql_filters(self, f: Filters) -> tuple[str, list]:
        cond, args = ["p.level = ?"], [f.level]
        if f.kinds:
            cond.append(f"p.kind IN ({','.join('?' * len(f.kinds))})")
            args += f.kinds
        if f.items:
            cond.append("(" + " OR ".join("p.item = ? OR p.item LIKE ? ESCAPE '\\'" for _ in f.items) + ")")
            for it in f.items:
                args += [it, it.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "(%"]
        if f.min_score is not None:
            cond.append("p.score >= ?")
            args.append(float(f.min_score))
        return "".join(f" AND {c}" for c in cond), args

    def fetch(self, rows: list[int]) -> dict[int, dict]:
        """Result dicts (without rank/match fields) of the given rows."""
        out = {}
        symbols = {d["doc_id"]: d["symbol"] for d in self.documents}
        for start in range(0, len(rows), 500):
            part = rows[start : start + 500]
            for r in self.db.execute(
                "SELECT row, level, pair_id, unit_pair_id, doc_id, item, kind, link, score, zh_text, en_text "
                f"FROM pairs WHERE row IN ({','.join('?' * len(part))})",
                part,
            ):
                out[r[0]] = {
                    "level": r[1],
                    "pair_id": r[2],
                    "unit_pair_id": r[3],
                    "doc_id": r[4],
                    "symbol": symbols.get(r[4]),
                    "item": r[5],
                    "kind": r[6],
                    "link": r[7],
                    "score": round(float(r[8]), 4),
                    "zh_text": r[9],
                    "en_text": r[10],
                }
        return out

    def word_links(self, pair_ids: list[str]) -> dict[str, tuple[str, str, bytes]]:
        """pair_id -> (zh_text, en_text, stored word links) of the pairs that have links
        (:mod:`.word_links`); the texts let a caller check the links are those of the text
        it holds (an update may have replaced the pair since it was read)."""
        out = {}
        for start in range(0, len(pair_ids), 500):
            part = pair_ids[start : start + 500]
            for pair_id, zh, en, data in self.db.execute(
                "SELECT p.pair_id, p.zh_text, p.en_text, w.data FROM pairs p JOIN word_links w ON w.row = p.row "
                f"WHERE p.pair_id IN ({','.join('?' * len(part))})",
                part,
            ):
                out[pair_id] = (zh, en, data)
        return out

    # --- keyword -------------------------------------------------------------------

    def keyword(
        self, term: str | Term, filters: Filters | None = None, limit: int = 20, lang: str | None = None
    ) -> tuple[list[dict], bool]:
        """Pairs whose zh (Chinese term) or en (English term) side contains the term, in corpus
        order; returns (results, truncated)."""
        self.refresh()
        f = filters or Filters()
        self._check(f)
        self.check_not_empty()
        t = term if isinstance(term, Term) else compile_term(term, lang)
        cond, args = self._sql_filters(f)
        col = f"{t.lang}_text"
        found: list[tuple[int, list]] = []
        truncated = False
        for lo, hi in self.row_ranges(f):
            if t.fts:
                sql = (
                    f"SELECT p.row, p.{col} FROM pairs_fts JOIN pairs p ON p.row = pairs_fts.rowid "
                    f"WHERE pairs_fts MATCH ? AND pairs_fts.rowid BETWEEN ? AND ?{cond} "
                    f"ORDER BY pairs_fts.rowid"
                )
                params = [t.fts, lo, hi, *args]
            else:  # single CJK characters: scan the texts
                sql = (
                    f"SELECT p.row, p.{col} FROM pairs p WHERE p.row BETWEEN ? AND ? "
                    f"AND instr(p.{col}, ?) > 0{cond} ORDER BY p.row"
                )
                params = [lo, hi, t.text.strip()[0], *args]
            for row, text in self.db.execute(sql, params):
                spans = t.spans(text)
                if spans:
                    if len(found) == limit:
                        truncated = True
                        break
                    found.append((row, spans))
            if truncated:
                break
        words = set()
        if t.lang == "zh" and t.fts_words and found:
            for row, _ in found:
                if self.db.execute(
                    "SELECT 1 FROM pairs_fts WHERE pairs_fts MATCH ? AND rowid = ?", (t.fts_words, row)
                ).fetchone():
                    words.add(row)
        data = self.fetch([r for r, _ in found])
        results = []
        folded = " ".join(t.text.split()).casefold()
        found = [(row, spans) for row, spans in found if row in data]  # an update may delete rows mid-query
        for rank, (row, spans) in enumerate(found, 1):
            rec = data[row]
            side = rec[col]
            if t.lang == "zh":
                mtype = "word" if row in words else "substring"
            else:
                exact = any(" ".join(side[a:b].split()).casefold() == folded for a, b in spans)
                mtype = "exact" if exact else "inflected"
            results.append(_result(rank, rec, None, t.lang, mtype, [list(s) for s in spans]))
        return results, truncated

    # --- semantic ------------------------------------------------------------------

    def _load_arrays(self) -> dict:
        """rows.npz (the committed rows), plus ``live``: False for deleted rows."""
        with self._lock:
            if self._arrays is None:
                n = self.meta["rows"]
                fh = self._files["rows"]
                fh.seek(0)
                with np.load(fh) as z:
                    arrays = {k: z[k][:n] for k in z.files}
                live = np.ones(n, dtype=bool)
                if self.meta.get("dead"):
                    live[[r for (r,) in self.db.execute("SELECT row FROM tombstones WHERE row < ?", (n,))]] = False
                arrays["live"] = live
                self._arrays = arrays
            return self._arrays

    def vectors(self, lang: str) -> np.ndarray:
        """The memory-mapped (rows, dim) vectors of one side."""
        with self._lock:
            if lang not in self._vectors:
                self._vectors[lang] = vectorfile.open_rows(self._files[lang], self.meta["rows"])
            return self._vectors[lang]

    def _load_ivf(self) -> dict:
        """level -> its centroids, for the levels with IVF lists."""
        with self._lock:
            if self._ivf is None:
                ivf_lists = {}
                if "ivf" in self._files:
                    fh = self._files["ivf"]
                    fh.seek(0)
                    with np.load(fh) as z:
                        for level in self.meta.get("ivf_levels", []):
                            ivf_lists[level] = z[f"{level}_centroids"]
                self._ivf = ivf_lists
            return self._ivf

    def _mask(self, f: Filters) -> np.ndarray:
        """Over every row: live pairs of the level that pass the filters."""
        a = self._load_arrays()
        mask = a["live"] & (a["level"] == LEVELS.index(f.level))
        if f.docs:
            m = np.zeros(len(mask), dtype=bool)
            for first, last in self.row_ranges(f):
                m[first : last + 1] = True
            mask &= m
        if f.kinds:
            codes = [self.meta["kinds"].index(k) for k in f.kinds]
            mask &= np.isin(a["kind"], codes)
        if f.items:
            items = self.meta.get("items", [])
            codes = [i for i, v in enumerate(items) if any(v == it or v.startswith(it + "(") for it in f.items)]
            mask &= np.isin(a["item"], codes)
        if f.min_score is not None:
            mask &= a["score"] >= f.min_score
        return mask

    def _scan(self, lang: str, rows: np.ndarray, query: np.ndarray, contiguous: bool) -> np.ndarray:
        """query . vector of each row, in the stored dtype (torch: float16 needs no conversion)."""
        import warnings

        import torch

        mat = self.vectors(lang)
        q = torch.from_numpy(query.astype(mat.dtype))
        out = np.empty(len(rows), dtype=np.float32)
        step = 262144
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # read-only memory map: torch only reads it
            for s in range(0, len(rows), step):
                part = rows[s : s + step]
                block = mat[part[0] : part[-1] + 1] if contiguous else mat[part]
                out[s : s + len(part)] = torch.mv(torch.from_numpy(np.asarray(block)), q).float().numpy()
        return out

    def _score_rows(
        self, rows: np.ndarray, query: np.ndarray, side: str, contiguous: bool, exact: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Similarity per row (max over the asked sides; -inf where a side is missing) and the side.

        Scans run in the stored dtype; ``exact`` recomputes in float32 (for the final top rows).
        """
        from .embedder import torch_threads

        a = self._load_arrays()
        sims = {}
        for lang in ("zh", "en") if side == "both" else (side,):
            if exact:
                sims[lang] = np.asarray(self.vectors(lang)[rows], dtype=np.float32) @ query
            else:
                with torch_threads(self.threads):
                    sims[lang] = self._scan(lang, rows, query, contiguous)
            sims[lang][~a[f"has_{lang}"][rows]] = -np.inf
        if side != "both":
            return sims[side], np.full(len(rows), side)
        best_zh = sims["zh"] >= sims["en"]
        return np.where(best_zh, sims["zh"], sims["en"]), np.where(best_zh, "zh", "en")

    def semantic(
        self,
        query: np.ndarray,
        filters: Filters | None = None,
        limit: int = 10,
        side: str = "both",
        exact: bool = False,
    ) -> list[dict]:
        """Pairs whose side(s) are closest in meaning to the query vector, best first."""
        self.refresh()
        f = filters or Filters()
        self._check(f)
        self.check_not_empty()
        if side not in SIDES:
            raise PipelineError(f"side must be one of {', '.join(SIDES)}, got {side!r}")
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        if query.shape[0] != self.meta["dim"]:
            raise PipelineError(
                f"query vector has {query.shape[0]} dimensions, the index {self.meta['dim']}: "
                f"was it built with another embedding model? re-run `bitext index`"
            )
        a = self._load_arrays()
        has = (a["has_zh"] | a["has_en"]) if side == "both" else a[f"has_{side}"]
        keep = self._mask(f) & has
        n_keep = int(keep.sum())
        if n_keep == 0:
            return []
        centroids = self._load_ivf().get(f.level)
        if exact or centroids is None or n_keep <= self.meta["exact_max_pairs"]:
            rows = np.flatnonzero(keep)
        else:
            rows = ivf.probe(centroids, a["ivf_list"], keep, query, max(int(self.meta["ivf_candidates"]), limit))
        contiguous = bool(len(rows)) and int(rows[-1] - rows[0]) + 1 == len(rows)
        sims, _ = self._score_rows(rows, query, side, contiguous)
        # The best rows of the (float16) scan, then their float32 similarities decide.
        k = min(max(4 * limit, 64), len(rows))
        pool = np.argpartition(-sims, k - 1)[:k] if k < len(rows) else np.arange(len(rows))
        pool_rows = np.sort(rows[pool])
        sims, sides = self._score_rows(pool_rows, query, side, False, exact=True)
        top = np.lexsort((pool_rows, -sims))[:limit]
        top = top[np.isfinite(sims[top])]
        data = self.fetch([int(pool_rows[i]) for i in top])
        top = [i for i in top if int(pool_rows[i]) in data]  # an update may delete rows mid-query
        return [
            _result(rank, data[int(pool_rows[i])], round(float(sims[i]), 4), str(sides[i]), "semantic", [])
            for rank, i in enumerate(top, 1)
        ]


def _result(rank: int, rec: dict, similarity, match_lang, match_type, spans) -> dict:
    out = {
        "rank": rank,
        **rec,
        "similarity": similarity,
        "match_lang": match_lang,
        "match_type": match_type,
        "match_spans": spans,
    }
    return {k: out.get(k) for k in RESULT_FIELDS}
