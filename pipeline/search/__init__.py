"""Search over the aligned pairs: the index (``bitext index``), concordance and semantic
queries (``bitext query``). See :mod:`pipeline.search.schema` for the index's files."""
