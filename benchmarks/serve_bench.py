"""Latency of the workbench through HTTP (issue 20, acceptance 4), and the server's memory.

Starts ``bitext serve`` on an index (e.g. the 10^6-pair index that
``benchmarks/query_bench.py --out DIR --keep`` builds, made from the UNPC development
set: real UNPC texts, synthetic documents, UNPC vectors plus noise), then times GET
requests from one client, after a warm-up:

- keyword: ``/api/search?text=TERM&spot=0`` (concordance, no translation spotting)
- keyword+spotting: ``/api/search?text=TERM`` (the 20 hits of a page spotted)
- semantic: ``/api/search?mode=semantic&text=SENTENCE`` (query encoding + search)
- variants: ``/api/variants?text=TERM`` (renderings of the first serve.variant_hits hits)

    .venv/bin/python benchmarks/serve_bench.py /tmp/bench/index --report benchmarks/results_serve.json
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.query_bench import FIXED_TERMS, SEMANTIC_QUERIES, percentiles  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", type=Path)
    parser.add_argument("--repeats", type=int, default=3, help="times each query is sent (default 3)")
    parser.add_argument("--report", type=Path, default=None)
    args = parser.parse_args(argv)
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/bitext"), "serve", "--index", str(args.index), "--port", str(port)],
        cwd=ROOT,
        env=env,
    )
    try:
        t0 = time.perf_counter()
        conn = None
        while conn is None:
            if server.poll() is not None:
                raise SystemExit("the server stopped")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                conn.request("GET", "/api/search?text=warm")
                conn.getresponse().read()
            except OSError:
                conn = None
                time.sleep(0.5)
        report = {"index": str(args.index), "cores": os.cpu_count(), "start_s": round(time.perf_counter() - t0, 1)}

        def get(path: str, params: dict) -> float:
            t = time.perf_counter()
            conn.request("GET", path + "?" + urlencode(params))
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                raise SystemExit(f"{path} {params}: HTTP {r.status}")
            return 1000 * (time.perf_counter() - t)

        cases = {
            "keyword": [("/api/search", {"text": t, "spot": "0"}) for t in FIXED_TERMS],
            "keyword+spotting": [("/api/search", {"text": t}) for t in FIXED_TERMS],
            "semantic": [("/api/search", {"text": s, "mode": "semantic"}) for s in SEMANTIC_QUERIES],
            "variants": [("/api/variants", {"text": t}) for t in FIXED_TERMS],
        }
        for name, requests in cases.items():
            get(*requests[0])  # warm
            times = [get(p, q) for _ in range(args.repeats) for p, q in requests]
            report[name] = percentiles(times)
            report[name]["rss_mib_after"] = rss_mib(server.pid)
            print(name, report[name], file=sys.stderr, flush=True)
        report["server_rss_mib"] = rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
