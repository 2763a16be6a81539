"""Run the pipeline on the development documents (tests/fixtures/doctypes) once and build
their search index: the corpus the workbench benchmarks (semantic recall, translation
spotting) measure on.

    .venv/bin/python benchmarks/devcorpus_index.py --out /tmp/devcorpus [--passage-prompt "passage: "]

Writes OUT/aligned (tables), OUT/aligned/index (index built with the given passage prompt;
default: the embedding prompt, as before issue 20). Embeddings are cached in OUT/cache,
not in the project's .cache.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

DOCTYPES = ROOT / "tests" / "fixtures" / "doctypes"


def build_tables(out: Path) -> Path:
    """aligned/ tables of every development document (skipped when already there)."""
    import yaml

    from tests.conftest import run_pipeline

    aligned = out / "aligned"
    if (aligned / "alignments.parquet").is_file():
        return aligned
    docs = sorted(p.name for p in DOCTYPES.iterdir() if (p / "zh.txt").is_file())
    raw = out / "raw"
    for doc in docs:
        shutil.copytree(DOCTYPES / doc, raw / doc, dirs_exist_ok=True)
    params = yaml.safe_load((ROOT / "configs" / "params.yaml").read_text(encoding="utf-8"))
    params["embedding"]["embedded_dir"] = str(ROOT / params["embedding"]["embedded_dir"])
    params["embedding"]["cache_dir"] = str(out / "cache")
    (out / "params.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return run_pipeline(raw, docs, out, out / "params.yaml")


def build_index(out: Path, index_dir: Path, passage_prompt: str | None) -> dict:
    from pipeline.params import load_params
    from pipeline.search.build import build_from_tables

    params = load_params(out / "params.yaml")
    if passage_prompt is not None:  # "none": the embed stage's vectors, one prompt for both
        params.setdefault("index", {})["passage_prompt"] = None if passage_prompt == "none" else passage_prompt
    return build_from_tables(out / "aligned", out / "work", index_dir, params, progress=print)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--index", type=Path, default=None, help="index folder (default OUT/aligned/index)")
    parser.add_argument(
        "--passage-prompt",
        default=None,
        help="prompt of the indexed texts (default: as params; none = the embed stage's vectors)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    build_tables(args.out)
    meta = build_index(args.out, args.index or args.out / "aligned" / "index", args.passage_prompt)
    print(f"{meta['pairs']} pairs from {meta['documents']} documents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
