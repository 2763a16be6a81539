"""Corpus-scale processing: documents found on disk, processed one task each.

- :mod:`.manifest`: ``bitext scan`` walks ``raw/`` and lists every document's files
  with their sha256 (re-hashing only files whose size or mtime changed, which a stat
  cache beside the manifest remembers);
- :mod:`.fingerprint`: what each step of a document depends on (inputs, code,
  parameters, model, calibration), hashed, so an unchanged step is never re-run;
- :mod:`.document`: the one task: ingest -> segment -> embed -> align -> publish for
  one document (all its language versions), each step skipped when its fingerprint
  is unchanged;
- :mod:`.store`: the corpus tables, one parquet file per document and table, each
  replaced atomically;
- :mod:`.executors`: *how* tasks run (in this process, a Dask ``LocalCluster``, or a
  Dask scheduler anywhere), apart from *what* they do;
- :mod:`.run`: the driver behind ``bitext process``: decides which documents need a
  task, submits them, keeps the ledger and the summary;
- :mod:`.runlog`: the run records (attempts, seconds, workers, steps run), which differ
  from run to run and so are no stage's output.
"""
