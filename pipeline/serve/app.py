"""The workbench's ASGI app (Starlette): server-rendered pages, JSON for scripts, downloads.

Every error a request can cause is a 4xx page or JSON with a one-line reason; an
unexpected failure is a plain 500 without a traceback (and is logged).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import urlencode

from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from .exports import (
    XLSX_MEDIA,
    glossary_csv,
    glossary_tbx,
    glossary_xlsx,
    selection_csv,
    selection_tmx,
    selection_xlsx,
)
from .pages import PageImages
from .workbench import BadQuery, Query, Workbench, other

HERE = Path(__file__).parent
log = logging.getLogger("bitext.serve")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def marked(text: str, spans, cls: str) -> Markup:
    """The text, escaped, with each [start, end) span in <mark class=cls>."""
    text = text or ""
    out, last = [], 0
    for a, b in sorted((int(a), int(b)) for a, b in spans or []):
        if a < last or b > len(text) or a >= b:
            continue
        out += [escape(text[last:a]), Markup(f'<mark class="{cls}">'), escape(text[a:b]), Markup("</mark>")]
        last = b
    out.append(escape(text[last:]))
    return Markup("").join(out)


def sides(hit: dict) -> dict:
    """Per language: the text as HTML with the term (or its translation) marked."""
    src = hit.get("match_lang") or "zh"
    term = hit.get("match_spans") if hit.get("match_type") != "semantic" else []
    return {
        src: marked(hit[f"{src}_text"], term, "term"),
        other(src): marked(hit[f"{other(src)}_text"], hit.get("trans_spans"), "trans"),
    }


def create_app(workbench: Workbench) -> Starlette:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(sides=sides, urlencode=urlencode, other=other)
    pages = PageImages()
    wb = workbench
    limit = wb.settings.max_query_chars

    def query_of(request: Request) -> Query:
        return Query.parse(dict(request.query_params), limit)

    def bad(request: Request, message: str, status: int = 400) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=status)
        return templates.TemplateResponse(
            request, "error.html", {"message": message, "status": status}, status_code=status
        )

    async def home(request: Request) -> Response:
        try:
            q = query_of(request)
            page = wb.search(q)
            variants = wb.variants(q) if q.text and q.mode == "keyword" and page.hits else None
        except BadQuery as err:
            return templates.TemplateResponse(
                request,
                "search.html",
                {"q": Query(), "page": None, "variants": None, "facets": wb.facets(), "error": str(err)},
                status_code=400,
            )
        return templates.TemplateResponse(
            request,
            "search.html",
            {"q": q, "page": page, "variants": variants, "facets": wb.facets(), "error": ""},
        )

    async def api_search(request: Request) -> Response:
        try:
            q = query_of(request)
            page = wb.search(q, spot=request.query_params.get("spot", "1") != "0")
        except BadQuery as err:
            return bad(request, str(err))
        hits = [{k: v for k, v in h.items() if k != "doc"} for h in page.hits]
        return JSONResponse(
            {"query": q.params(), "hits": hits, "total": page.total, "truncated": page.truncated, "pages": page.pages}
        )

    async def api_variants(request: Request) -> Response:
        try:
            return JSONResponse(wb.variants(query_of(request)))
        except BadQuery as err:
            return bad(request, str(err))

    async def context(request: Request) -> Response:
        pair_id = request.query_params.get("id", "")
        if not pair_id or len(pair_id) > limit:
            return bad(request, "give the id of a pair: /context?id=<pair id>")
        ctx = wb.context(pair_id)
        if ctx is None:
            return bad(request, f"no pair {pair_id!r} in the index", 404)
        for lang, shown in ctx["pages"].items():  # the unit's box, as shares of the page
            rendered = pages.render(wb.catalog.pdf_path(ctx["doc_id"], lang), shown["page"])
            box = shown.get("bbox")
            if rendered and box:
                w, h = rendered[1]
                shown["box"] = {
                    "left": 100 * box[0] / w,
                    "top": 100 * box[1] / h,
                    "width": 100 * (box[2] - box[0]) / w,
                    "height": 100 * (box[3] - box[1]) / h,
                }
        back = request.query_params.get("back", "")
        back = back if back.startswith("/?") or back == "/" else "/"
        return templates.TemplateResponse(request, "context.html", {"ctx": ctx, "back": back})

    async def page_image(request: Request) -> Response:
        doc_id, lang = request.path_params["doc_id"], request.path_params["lang"]
        if lang not in ("zh", "en") or doc_id not in wb.symbols:
            return bad(request, "no such document version", 404)
        pdf = wb.catalog.pdf_path(doc_id, lang)
        if pdf is None:
            return bad(request, f"{doc_id} {lang}: not a PDF input", 404)
        rendered = pages.render(pdf, request.path_params["page"])
        if rendered is None:
            return bad(request, f"{doc_id} {lang}: no page {request.path_params['page']}", 404)
        return Response(rendered[0], media_type="image/png", headers={"Cache-Control": "max-age=3600"})

    async def page_size(request: Request) -> Response:
        doc_id, lang = request.path_params["doc_id"], request.path_params["lang"]
        pdf = wb.catalog.pdf_path(doc_id, lang) if lang in ("zh", "en") and doc_id in wb.symbols else None
        rendered = pages.render(pdf, request.path_params["page"]) if pdf else None
        if rendered is None:
            return bad(request, "no such page", 404)
        return JSONResponse({"width": rendered[1][0], "height": rendered[1][1]})

    async def export(request: Request) -> Response:
        fmt = request.path_params["fmt"]
        try:
            q = query_of(request)
            if fmt in ("tmx", "csv", "xlsx"):
                hits = wb.selection(q)
                if fmt == "tmx":
                    body = selection_tmx(hits, q.src_lang())
                else:
                    body = selection_csv(hits) if fmt == "csv" else selection_xlsx(hits)
            elif fmt in ("tbx", "glossary.csv", "glossary.xlsx"):
                variants = wb.variants(q)
                if fmt == "tbx":
                    body = glossary_tbx(variants)
                else:
                    body = glossary_csv(variants) if fmt == "glossary.csv" else glossary_xlsx(variants)
            else:
                return bad(
                    request, f"unknown export format {fmt!r} (tmx, csv, xlsx, tbx, glossary.csv, glossary.xlsx)", 404
                )
        except BadQuery as err:
            return bad(request, str(err))
        name = (_SAFE_NAME.sub("_", q.text)[:40].strip("_") or "selection") + "." + fmt
        media = {"tmx": "application/x-tmx+xml", "tbx": "application/x-tbx+xml"}.get(fmt, "text/csv")
        if isinstance(body, str):
            body, media = body.encode("utf-8"), f"{media}; charset=utf-8"
        else:  # XLSX
            media = XLSX_MEDIA
        return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    async def not_found(request: Request, exc: HTTPException) -> Response:
        return bad(request, exc.detail if exc.status_code != 404 else "no such page", exc.status_code)

    async def failure(request: Request, exc: Exception) -> Response:
        log.exception("request %s failed", request.url.path)
        return PlainTextResponse("internal error (logged by the server)", status_code=500)

    routes = [
        Route("/", home),
        Route("/api/search", api_search),
        Route("/api/variants", api_variants),
        Route("/context", context),
        Route("/page/{doc_id}/{lang}/{page:int}.png", page_image),
        Route("/page/{doc_id}/{lang}/{page:int}.json", page_size),
        Route("/export/{fmt}", export),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: not_found, Exception: failure})
