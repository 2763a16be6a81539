"""The workbench in a real browser: Debian's chromium driven by playwright (never
`playwright install`: no browser download). Each step is asserted on the DOM;
screenshots at 1280x800 and 390x844 go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest

from pipeline.params import load_params
from pipeline.serve.app import create_app
from pipeline.serve.workbench import Workbench

from .workbench_fixtures import hostile_index, read_xlsx, running

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=f"{CHROMIUM} missing: run `make install`")


@pytest.fixture(scope="module")
def base_url(bundled_output, bundled_index):
    params = load_params(bundled_output.parent / "params.yaml")
    wb = Workbench(bundled_index, bundled_output, bundled_output.parent, params)
    wb.warm_up()
    with running(create_app(wb)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    p = context.new_page()
    yield p
    context.close()


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_search_marks_term_and_translation(page, base_url):
    page.goto(base_url + "/")
    page.fill("#q", "voluntary contributions")
    page.press("#q", "Enter")
    page.wait_for_selector("li.hit")
    first = page.locator("li.hit").first
    assert first.locator("mark.term").inner_text().lower() == "voluntary contributions"
    assert "捐款" in first.locator("mark.trans").inner_text()
    # the translation is marked in the other column than the term
    assert first.locator(".src mark.term").count() == 1 and first.locator(".tgt mark.trans").count() == 1
    shoot(page, "search-1280x800")
    page.goto(base_url + "/?text=技术援助")
    assert page.locator("mark.term").count() >= 20 and page.locator("mark.trans").count() >= 15
    assert no_horizontal_scroll(page)
    shoot(page, "search-zh-1280x800")


def test_variants_panel_filters_hits(page, base_url):
    page.goto(base_url + "/?text=技术援助")
    panel = page.locator("#variants")
    links = panel.locator("a.variant")
    assert links.count() >= 1
    text = links.first.inner_text()
    count = int(re.search(r"×(\d+)", panel.locator("li").first.inner_text()).group(1))
    assert count >= 5
    links.first.click()
    page.wait_for_selector("#clear-variant")
    assert text in page.locator("#summary").inner_text()
    trans = [m.lower() for m in page.locator("mark.trans").all_inner_texts()]
    assert trans and all(t == text.lower() for t in trans)
    with page.expect_download() as dl:
        page.click("#export-tbx")
    assert dl.value.suggested_filename.endswith(".tbx")
    assert "<term>技术援助</term>" in Path(dl.value.path()).read_text(encoding="utf-8")
    with page.expect_download() as dl:
        page.click("#export-glossary-xlsx")
    rows = read_xlsx(Path(dl.value.path()).read_bytes())["rows"]
    assert rows[0] == ["zh", "en", "count", "documents"] and rows[1][:2] == ["技术援助", text]


def test_filters_sort_and_paging(page, base_url):
    page.goto(base_url + "/?text=technical+assistance")
    assert page.locator("li.hit").count() == 20
    page.click("#next-page")
    page.wait_for_selector("#prev-page")
    assert page.locator(".rank").first.inner_text() == "21."
    page.goto(base_url + "/?text=technical+assistance")
    page.click("summary")
    page.select_option("#f-kind", "list_item")
    page.select_option("#f-sort", "score")
    page.fill("#f-score", "0.5")
    page.press("#f-score", "Enter")
    page.wait_for_selector("li.hit")
    metas = page.locator("li.hit .meta").all_inner_texts()
    assert metas and all("list_item" in m for m in metas)
    scores = [float(re.search(r"score (\d\.\d+)", m).group(1)) for m in metas]
    assert scores == sorted(scores, reverse=True) and min(scores) >= 0.5
    page.fill("#f-doc", "S/2031")
    page.press("#f-doc", "Enter")
    assert "No pairs match" in page.locator("#summary").inner_text()


def test_keyboard_flow_context_and_page_image(page, base_url):
    page.goto(base_url + "/")
    page.keyboard.press("Escape")  # leave the search box the page focuses on load
    assert page.evaluate("document.activeElement.id") != "q"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("recipient States")
    page.keyboard.press("Enter")
    page.wait_for_selector("li.hit")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == "hit-2"
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.id") == "hit-1"
    page.keyboard.press("o")
    page.wait_for_selector("#context")
    assert page.locator("li.unit.current").count() == 1
    assert "recipient States".lower() in page.locator("li.unit.current").inner_text().lower()
    assert "2009-08-14" in page.locator("#docmeta").inner_text()
    img = page.locator("#page-en img")
    img.wait_for()
    page.wait_for_function("document.querySelector('#page-en img').naturalWidth > 0")
    box = page.locator("#page-en .box").bounding_box()
    sheet = page.locator("#page-en .sheet").bounding_box()
    assert box and sheet and box["width"] > 20 and box["height"] > 5
    assert sheet["x"] <= box["x"] and box["x"] + box["width"] <= sheet["x"] + sheet["width"] + 1
    shoot(page, "context-1280x800")
    page.keyboard.press("Escape")
    page.wait_for_selector("li.hit")
    assert "recipient" in page.url


def test_export_of_the_selection(page, base_url):
    page.goto(base_url + "/?text=technical+assistance")
    with page.expect_download() as dl:
        page.click("#export-tmx")
    body = Path(dl.value.path()).read_text(encoding="utf-8")
    assert '<tmx version="1.4">' in body and body.count("<tu ") > 20
    with page.expect_download() as dl:
        page.click("#export-csv")
    rows = list(csv.reader(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8"))))
    assert rows[0][:2] == ["pair_id", "symbol"]
    with page.expect_download() as dl:
        page.click("#export-xlsx")
    assert dl.value.suggested_filename == "technical_assistance.xlsx"
    book = read_xlsx(Path(dl.value.path()).read_bytes())
    assert book["rows"][0] == rows[0] and len(book["rows"]) == len(rows) > 21
    for got, want in zip(book["rows"][1:], rows[1:]):  # the score is a number, empty cells None
        assert [g or "" for g in got[:5] + got[6:]] == want[:5] + want[6:] and got[5] == float(want[5])
    assert all("technical assistance" in row[7].lower() for row in book["rows"][1:])


def test_phone_layout(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    p = context.new_page()
    try:
        p.goto(base_url + "/?text=技术援助")
        p.wait_for_selector("li.hit")
        assert no_horizontal_scroll(p)
        shoot(p, "search-zh-390x844")
        p.goto(base_url + "/context?id=" + p.locator("li.hit").first.get_attribute("data-pair"))
        assert no_horizontal_scroll(p)
        shoot(p, "context-390x844")
    finally:
        context.close()


def test_script_in_documents_and_queries_never_runs(browser, tmp_path, bundled_output):
    params = load_params(bundled_output.parent / "params.yaml")
    folder = hostile_index(tmp_path / "index")
    wb = Workbench(folder, None, folder, params)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    p = context.new_page()
    dialogs = []
    p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        with running(create_app(wb)) as url:
            for q in (
                "technical assistance",
                "技术援助",
                "<script>alert(1)</script>",
                '"><img src=x onerror=alert(2)>',
            ):
                p.goto(url + "/")
                p.fill("#q", q)
                p.press("#q", "Enter")
                p.wait_for_load_state()
                assert p.evaluate("window.__pwned") is None
            p.goto(url + "/?text=technical+assistance")
            assert (
                "<img src=x"
                in p.locator("li.hit .side").first.inner_text() + p.locator("li.hit .side").last.inner_text()
            )
            p.goto(url + "/context?id=EVIL:0.0")
            assert p.evaluate("window.__pwned") is None and p.locator("li.unit.current").count() == 1
    finally:
        context.close()
    assert dialogs == []
