"""Python API for notebooks: the aligned tables as DataFrames, queries as DataFrames.

    from pipeline.api import Corpus

    corpus = Corpus("aligned")                      # the folder `dvc repro` writes
    corpus.table("alignments")                      # any output table as a DataFrame
    hits = corpus.query("技术援助", level="unit")    # concordance, one row per pair
    close = corpus.semantic("aid coordination among donors", limit=5)

Queries need the search index (``aligned/index``, built by ``bitext index``); the result
columns are those of ``bitext query --format json`` (:data:`RESULT_FIELDS`), and
``df.attrs["truncated"]`` tells whether more pairs matched than ``limit``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import io
from .errors import PipelineError
from .schema import TABLES
from .search.engine import RESULT_FIELDS, Filters, SearchIndex

__all__ = ["Corpus", "RESULT_FIELDS", "load_tables"]


def load_tables(aligned: str | Path = "aligned") -> dict[str, pd.DataFrame]:
    """Every output table of ``aligned`` as a DataFrame, by name."""
    return {name: io.read_table(name, Path(aligned) / f"{name}.parquet") for name in TABLES}


def _list(v) -> list[str]:
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


class Corpus:
    """The aligned corpus of one project folder."""

    def __init__(
        self,
        aligned: str | Path = "aligned",
        index: str | Path | None = None,
        params: str | Path | dict | None = "configs/params.yaml",
    ):
        self.aligned = Path(aligned)
        self.index_dir = Path(index) if index is not None else self.aligned / "index"
        self._params = params
        self._index: SearchIndex | None = None
        self._encoder = None
        self._tables: dict[str, pd.DataFrame] = {}

    # --- tables --------------------------------------------------------------------

    def table(self, name: str) -> pd.DataFrame:
        """One output table (documents, segments, sentences, alignments, sentence_alignments)."""
        if name not in TABLES:
            raise PipelineError(f"unknown table {name!r}; tables: {', '.join(TABLES)}")
        if name not in self._tables:
            self._tables[name] = io.read_table(name, self.aligned / f"{name}.parquet")
        return self._tables[name].copy()

    def pairs(self, level: str = "unit") -> pd.DataFrame:
        """Unit pairs (``alignments``) or sentence pairs (``sentence_alignments``)."""
        return self.table({"unit": "alignments", "sentence": "sentence_alignments"}[level])

    # --- queries -------------------------------------------------------------------

    @property
    def index(self) -> SearchIndex:
        if self._index is None:
            self._index = SearchIndex(self.index_dir)
        return self._index

    def _filters(self, level, doc, item, kind, min_score) -> Filters:
        return Filters(level=level, docs=_list(doc), items=_list(item), kinds=_list(kind), min_score=min_score)

    @staticmethod
    def _frame(results: list[dict], truncated: bool) -> pd.DataFrame:
        df = pd.DataFrame(results, columns=list(RESULT_FIELDS))
        df.attrs["truncated"] = truncated
        return df

    def query(
        self,
        term: str,
        *,
        level: str = "sentence",
        doc=None,
        item=None,
        kind=None,
        min_score: float | None = None,
        limit: int = 100,
        lang: str | None = None,
    ) -> pd.DataFrame:
        """Concordance: pairs containing ``term`` (Chinese or English), in corpus order."""
        results, truncated = self.index.keyword(
            term, self._filters(level, doc, item, kind, min_score), limit=limit, lang=lang
        )
        return self._frame(results, truncated)

    def vector(self, text: str) -> np.ndarray:
        """The query vector of ``text`` (model loaded once per Corpus)."""
        if self._encoder is None:
            from .params import load_params
            from .search.embedder import QueryEncoder

            params = self._params if isinstance(self._params, dict) else load_params(self._params)
            self._encoder = QueryEncoder(params, self.index.meta)
            self.index.threads = self._encoder.threads  # the vector scan follows the query's encoding
        return self._encoder.encode(text)

    def semantic(
        self,
        text: str,
        *,
        level: str = "sentence",
        doc=None,
        item=None,
        kind=None,
        min_score: float | None = None,
        limit: int = 10,
        side: str = "both",
        exact: bool = False,
    ) -> pd.DataFrame:
        """Pairs closest in meaning to ``text`` (either language), best first."""
        self.index.check_not_empty()
        results = self.index.semantic(
            self.vector(text), self._filters(level, doc, item, kind, min_score), limit=limit, side=side, exact=exact
        )
        return self._frame(results, False)
