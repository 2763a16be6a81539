"""`bitext serve` through HTTP (no browser): concordance, translation spotting, filters,
context, exports, and hostile input (acceptance 5 of issue 20: never a 500 or a traceback)."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
from starlette.testclient import TestClient

from pipeline.params import load_params
from pipeline.serve.app import create_app
from pipeline.serve.exports import XLSX_MEDIA
from pipeline.serve.workbench import Query, Workbench, other

from .conftest import BUNDLED
from .workbench_fixtures import HOSTILE_EN, HOSTILE_ZH, hostile_index, read_xlsx


@pytest.fixture(scope="module")
def params(bundled_output):
    return load_params(bundled_output.parent / "params.yaml")


@pytest.fixture(scope="module")
def workbench(bundled_output, bundled_index, params) -> Workbench:
    wb = Workbench(bundled_index, bundled_output, bundled_output.parent, params)
    wb.warm_up()
    return wb


@pytest.fixture(scope="module")
def client(workbench) -> TestClient:
    return TestClient(create_app(workbench), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory, workbench, params) -> TestClient:
    folder = hostile_index(tmp_path_factory.mktemp("hostile") / "index")
    wb = Workbench(folder, None, folder, params, model=workbench.encoder.model)
    return TestClient(create_app(wb), raise_server_exceptions=False)


def marks(html: str, cls: str) -> list[str]:
    return re.findall(rf'<mark class="{cls}">([^<]*)</mark>', html)


def test_term_and_its_translation_are_marked(client):
    page = client.get("/", params={"text": "voluntary contributions"})
    assert page.status_code == 200
    assert [m.lower() for m in marks(page.text, "term")] == ["voluntary contributions"]
    assert "捐款" in "".join(marks(page.text, "trans"))
    page = client.get("/", params={"text": "技术援助"})
    assert set(marks(page.text, "term")) == {"技术援助"}
    found = [m.lower() for m in marks(page.text, "trans")]
    assert found and sum("technical assistance" in m for m in found) >= 0.8 * len(found)


def test_spotting_runs_on_the_query_threads(workbench):
    assert workbench.spotter.threads == workbench.encoder.threads == workbench.params["embedding"]["query_threads"]
    assert workbench.index.threads == workbench.encoder.threads  # the vector scan too


def test_variants_count_renderings_and_filter_hits(client):
    v = client.get("/api/variants", params={"text": "技术援助"}).json()
    assert v["target_lang"] == "en" and v["variants"]
    top = v["variants"][0]
    assert "technical assistance" in top["text"].lower() and top["count"] >= 5
    assert top["documents"] == ["CTOC/COP/WG.2/2009/1"]
    assert sum(x["count"] for x in v["variants"]) + v["unspotted"] == v["spotted"]
    hits = client.get("/api/search", params={"text": "技术援助", "variant": top["text"], "spot": "0"}).json()
    assert hits["hits"] and all(top["text"].lower() in h["en_text"].lower() for h in hits["hits"])


def test_filters_sort_and_paging(client, workbench):
    base = {"text": "technical assistance", "spot": "0"}
    everything = client.get("/api/search", params={**base, "sort": "score"}).json()
    scores = [h["score"] for h in everything["hits"]]
    assert scores == sorted(scores, reverse=True)
    assert everything["total"] > 20 and everything["pages"] >= 2
    second = client.get("/api/search", params={**base, "page": 2}).json()
    assert second["hits"][0]["rank"] == 21
    first = client.get("/api/search", params=base).json()
    assert not {h["pair_id"] for h in first["hits"]} & {h["pair_id"] for h in second["hits"]}
    for params, check in (
        ({"min_score": "0.9"}, lambda h: h["score"] >= 0.9),
        ({"kind": "list_item"}, lambda h: h["kind"] == "list_item"),
        ({"doc": "CTOC/COP"}, lambda h: h["symbol"].startswith("CTOC/COP")),
        ({"level": "unit"}, lambda h: h["level"] == "unit"),
    ):
        hits = client.get("/api/search", params={**base, **params}).json()["hits"]
        assert hits and all(check(h) for h in hits), params
    for params in ({"doc": "S/2031"}, {"year": "1999"}, {"body": "S"}):
        assert client.get("/api/search", params={**base, **params}).json()["hits"] == [], params
    assert client.get("/api/search", params={**base, "year": "2009", "doc_type": "agenda"}).json()["hits"]


def test_context_shows_neighbours_metadata_and_page_box(client):
    hit = client.get("/api/search", params={"text": "voluntary contributions", "spot": "0"}).json()["hits"][0]
    page = client.get("/context", params={"id": hit["pair_id"]})
    assert page.status_code == 200
    assert 'class="unit current"' in page.text and page.text.count('class="unit') >= 3
    assert "2009-08-14" in page.text and "agenda" in page.text
    img = re.search(r'src="(/page/[^"]+\.png)"', page.text)
    assert img and 'class="box"' in page.text
    png = client.get(img.group(1))
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_exports(client):
    tmx = client.get("/export/tmx", params={"text": "technical assistance"})
    assert tmx.status_code == 200 and "attachment" in tmx.headers["content-disposition"]
    root = ET.fromstring(tmx.content)
    assert root.get("version") == "1.4" and len(root.findall("body/tu")) > 20
    csv = client.get("/export/csv", params={"text": "technical assistance"}).text.splitlines()
    assert csv[0].startswith("pair_id,symbol") and len(csv) > 21
    tbx = ET.fromstring(client.get("/export/tbx", params={"text": "技术援助"}).content)
    terms = [t.text for t in tbx.iter("{urn:iso:std:iso:30042:ed-2}term")]
    assert terms[0] == "技术援助" and any("technical assistance" in t.lower() for t in terms[1:])
    glossary = client.get("/export/glossary.csv", params={"text": "技术援助"}).text.splitlines()
    assert glossary[0] == "zh,en,count,documents" and len(glossary) >= 2


def test_xlsx_exports_hold_the_csv_rows(client):
    params = {"text": "技术援助", "sort": "score"}
    r = client.get("/export/xlsx", params=params)
    assert r.status_code == 200 and r.headers["content-type"] == XLSX_MEDIA
    assert r.headers["content-disposition"] == 'attachment; filename="selection.xlsx"'
    rows = read_xlsx(r.content)["rows"]
    expected = list(csv.reader(io.StringIO(client.get("/export/csv", params=params).text)))
    assert rows[0] == expected[0] and len(rows) == len(expected) > 20
    assert [row[0] for row in rows] == [e[0] for e in expected]  # pair ids, in the page's order
    assert all("技术援助" in row[6] for row in rows[1:])
    assert client.get("/export/xlsx", params=params).content == r.content
    glossary = client.get("/export/glossary.xlsx", params={"text": "技术援助"})
    assert glossary.status_code == 200 and glossary.headers["content-type"] == XLSX_MEDIA
    rows = read_xlsx(glossary.content)["rows"]
    assert rows[0] == ["zh", "en", "count", "documents"] and rows[1][0] == "技术援助" and rows[1][2] >= 5


def test_wildcards(client):
    hits = client.get("/api/search", params={"text": "assist*", "spot": "0"}).json()["hits"]
    words = {h["en_text"][a:b].lower() for h in hits for a, b in h["match_spans"]}
    assert "assistance" in words
    hits = client.get("/api/search", params={"text": "技术*", "spot": "0"}).json()["hits"]
    assert hits and all(h["zh_text"][h["match_spans"][0][0] :].startswith("技术") for h in hits)


HOSTILE_QUERIES = [
    '"',
    '"technical',
    "*",
    "assist**",
    "NEAR(technical assistance, 2)",
    "technical NEAR assistance",
    "AND OR NOT",
    "en_words : technical",
    "{zh_chars} : 技术",
    "技术 OR 援助",
    "'; DROP TABLE pairs; --",
    "<script>alert(1)</script>",
    "\x00\x01",
    "%",
    "   ",
    "x" * 10_000,
    "技" * 3_400,  # 10 kB of UTF-8
]


@pytest.mark.parametrize("mode", ["keyword", "semantic"])
def test_hostile_queries_never_fail(client, mode):
    for q in HOSTILE_QUERIES:
        for path in ("/", "/api/search", "/api/variants", "/export/tmx", "/export/tbx", "/export/xlsx"):
            r = client.get(path, params={"text": q, "mode": mode})
            assert r.status_code in (200, 400), (path, q[:40], r.status_code)
            assert "Traceback" not in r.text
            if r.headers["content-type"].startswith(("text/html", "application/x-t")):  # HTML, TMX, TBX
                assert "<script>alert" not in r.text


def test_hostile_parameters_and_paths_are_4xx(client):
    for path, params in (
        ("/", {"text": "aid", "page": "-1e9"}),
        ("/", {"text": "aid", "sort": "<b>"}),
        ("/", {"text": "aid", "min_score": "nan"}),
        ("/", {"text": "aid", "kind": "nonsense"}),
        ("/context", {"id": "../../../../etc/passwd"}),
        ("/context", {"id": "x" * 10_000}),
        ("/context", {}),
        ("/export/..%2f..%2fetc%2fpasswd", {"text": "aid"}),
    ):
        r = client.get(path, params=params)
        assert 400 <= r.status_code < 500, (path, params, r.status_code)
        assert "Traceback" not in r.text
    for url in (
        f"/page/{BUNDLED}/en/0.png",
        f"/page/{BUNDLED}/en/999.png",
        f"/page/{BUNDLED}/fr/1.png",
        "/page/..%2F..%2Fetc/en/1.png",
        "/page/%2e%2e/en/1.png",
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/..%2fapp.py",
        "/nowhere",
    ):
        r = client.get(url)
        assert 400 <= r.status_code < 500, (url, r.status_code)
        assert b"Traceback" not in r.content and b"import" not in r.content


def test_markup_in_documents_is_escaped(hostile_client):
    for text in ("technical assistance", "技术援助", "NEAR", "AND OR"):
        r = hostile_client.get("/", params={"text": text})
        assert r.status_code == 200
        assert "<script>" not in r.text and "<img" not in r.text and "<b>1</b>" not in r.text
    r = hostile_client.get("/", params={"text": "technical assistance"})
    assert "&lt;img src=x" in r.text and "EVIL/&lt;b&gt;1&lt;/b&gt;" in r.text
    r = hostile_client.get("/context", params={"id": "EVIL:0.0"})
    assert r.status_code == 200 and "<script>" not in r.text and "&lt;script&gt;" in r.text
    tmx = hostile_client.get("/export/tmx", params={"text": "technical assistance"})
    assert ET.fromstring(tmx.content).find("body/tu/tuv/seg").text == HOSTILE_EN
    xlsx = read_xlsx(hostile_client.get("/export/xlsx", params={"text": "technical assistance"}).content)
    assert xlsx["rows"][1][6:] == [HOSTILE_ZH, HOSTILE_EN] and xlsx["formulas"] == []


def test_stored_word_links_give_the_live_spans_without_the_encoder(workbench, params, monkeypatch):
    from pipeline.search.spotting import Spotter, SpottingSettings

    layer = workbench.spotter.settings.layer
    assert workbench.index.meta["word_links"] == {"format": 1, "layer": layer, "prompt": "query: "}
    for term in ("technical assistance", "技术援助", "Conference"):
        q = Query.parse({"text": term}, 1000)
        hits = [h for h in workbench.search(q, spot=False).hits if h["level"] == "sentence"]
        assert hits and all(workbench._stored_links(hits))
        settings = SpottingSettings(**(params.get("spotting") or {}))
        live = Spotter(workbench.encoder.model, "query: ", settings).spot_many(
            [
                (
                    h[f"{h['match_lang']}_text"],
                    h["match_spans"],
                    h[f"{other(h['match_lang'])}_text"],
                    other(h["match_lang"]),
                )
                for h in hits
            ]
        )
        workbench.spotter._cache.clear()
        monkeypatch.setattr(workbench.spotter, "tokens", lambda texts: pytest.fail("encoded") if texts else [])
        workbench._spot(hits)
        monkeypatch.undo()
        assert [h["trans_spans"] for h in hits] == [[list(s) for s in spans] for spans in live]


def test_links_of_another_layer_or_text_are_not_used(workbench, bundled_output, bundled_index, params):
    other_layer = {**params, "spotting": {**(params.get("spotting") or {}), "layer": 6}}
    wb = Workbench(bundled_index, bundled_output, bundled_output.parent, other_layer, model=workbench.encoder.model)
    hits = [h for h in wb.search(Query.parse({"text": "technical assistance"}, 1000), spot=False).hits]
    assert hits and all(workbench._stored_links(hits)) and wb._stored_links(hits) == [None] * len(hits)
    wb._spot(hits)
    assert any(h.get("trans_spans") for h in hits)  # spotted live instead
    changed = {**hits[0], "en_text": hits[0]["en_text"] + " (edited since)"}
    assert workbench._stored_links([changed]) == [None]  # the index's pair has other texts now
