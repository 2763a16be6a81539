"""bitext serve: the translator workbench, a bilingual concordance in the browser.

Opens aligned/index (and the aligned tables beside it, for dates, document types and
page images) and the embedding model once, then serves http://127.0.0.1:8765/ until
stopped with Ctrl-C. Bound to this machine only unless --host says otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

HELP = "open the translator workbench (concordance, renderings, context) in the browser"


def add_arguments(parser) -> None:
    parser.add_argument(
        "--index", type=Path, default=Path("aligned/index"), help="index folder (default: aligned/index)"
    )
    parser.add_argument(
        "--aligned",
        type=Path,
        default=None,
        help="folder of the aligned tables (default: the index folder's parent, if it has them)",
    )
    parser.add_argument("--host", default=None, help="address to listen on (default: serve.host, 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default: serve.port, 8765)")
    parser.add_argument("--root", type=Path, default=Path("."), help="project root that source paths are relative to")


def run(args, params: dict) -> None:
    import uvicorn

    from ..serve.app import create_app
    from ..serve.workbench import ServeSettings, Workbench

    settings = ServeSettings(**(params.get("serve") or {}))
    aligned = args.aligned or args.index.parent
    wb = Workbench(args.index, aligned, args.root, params)
    print(f"serve: {wb.index.meta.get('pairs', 0)} pairs from {args.index}; loading the model", file=sys.stderr)
    wb.warm_up()
    host, port = args.host or settings.host, args.port or settings.port
    print(f"serve: open http://{host}:{port}/ (Ctrl-C stops)", file=sys.stderr)
    uvicorn.run(create_app(wb), host=host, port=port, log_level="warning")
