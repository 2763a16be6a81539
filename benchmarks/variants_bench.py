"""The renderings panel term by term, in process: where its time goes (issue 20).

For each of the serve benchmark's terms, the spotter's cache is emptied and the panel
computed once: milliseconds, texts the encoder ran on (of 2 x ``serve.variant_hits``),
and the top renderings. ``--set KEY=VALUE`` changes spotting settings for the run.

    .venv/bin/python benchmarks/variants_bench.py /tmp/qb1m/index [--set round_size=4]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.query_bench import FIXED_TERMS  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", type=Path)
    parser.add_argument("--params", type=Path, default=ROOT / "configs" / "params.yaml")
    parser.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="spotting settings (YAML values)")
    parser.add_argument("--report", type=Path, default=None)
    args = parser.parse_args(argv)
    from pipeline.params import load_params
    from pipeline.serve.workbench import Query, Workbench

    params = load_params(args.params)
    changes = {k: yaml.safe_load(v) for k, v in (a.split("=", 1) for a in args.set)}
    params["spotting"] = {**(params.get("spotting") or {}), **changes}
    bench = Workbench(args.index, args.index.parent, args.index.parent, params)
    bench.warm_up()
    spotter = bench.spotter
    encoded: list[str] = []
    encode = spotter._encode
    spotter._encode = lambda texts: encoded.extend(texts) or encode(texts)
    rows = []
    for term in FIXED_TERMS:
        spotter._cache.clear()
        encoded.clear()
        started = time.perf_counter()
        panel = bench.variants(Query(text=term))
        ms = 1000 * (time.perf_counter() - started)
        top = [(v["text"], v["count"]) for v in panel["variants"][:3]]
        rows.append({"term": term, "ms": round(ms), "texts_encoded": len(encoded), "top": top})
        print(f"{term!r:36} {ms:6.0f} ms {len(encoded):3d} texts  {top}", flush=True)
    report = {"index": str(args.index), "spotting": params["spotting"], "terms": rows}
    if args.report:
        args.report.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
