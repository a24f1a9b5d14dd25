"""The human pages in a real browser: Debian's Chromium, headless, driven by Playwright.

A real ``vckg serve`` on the demo cases; every page must load without a console error or a
failed request. Screenshots go to ``$VCKG_SCREENSHOTS`` (default: the test's tmp folder) as
artefacts to look at.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import live_server
import pytest
from live_server import LiveServer
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Request,
    expect,
    sync_playwright,
)

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "data" / "cases"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IMPACT = "cobalt-child-labour-drc"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    log = tmp_path_factory.mktemp("browser-server") / "server.log"
    running = live_server.start(log, "--data", str(CASES))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run scripts/system-deps.sh")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("VCKG_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def page(browser: Browser, server: LiveServer) -> Iterator[Page]:
    """A fresh page that records console errors and failed requests; the test fails on any."""
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    opened.on("console", on_console)
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def on_failed(request: Request) -> None:
        # A navigation cancels the requests still in flight (net::ERR_ABORTED): not a fault.
        if "ERR_ABORTED" not in (request.failure or ""):
            problems.append(f"request failed: {request.url} ({request.failure})")

    opened.on("requestfailed", on_failed)
    opened.set_default_timeout(20_000)
    yield opened
    context.close()
    assert problems == []


def test_home_lists_impacts_and_filters_them(page: Page, shots: Path) -> None:
    page.goto("/")
    rows = page.locator("#impacts tbody tr")
    expect(rows.first).to_be_visible()
    everything = rows.count()
    assert everything > 10
    page.select_option("#filters select[name=category]", "employment")
    expect(page).to_have_url(re.compile(r"/\?category=employment$"))
    expect(rows.filter(has_text="Child labour in artisanal cobalt")).to_have_count(1)
    assert rows.count() < everything
    # a narrower category is shown with its chapter
    assert any("child-labour (employment, human-rights)" in t for t in rows.all_inner_texts())
    page.select_option("#filters select[name=category]", "")
    page.fill("#filters input[name=q]", "cobalt child")
    expect(rows).to_have_count(1)
    page.screenshot(path=str(shots / "home.png"), full_page=True)
    rows.first.locator("a").click()
    expect(page).to_have_url(re.compile(f"/explore/impacts/{IMPACT}(\\?|$)"))


def test_impact_page_draws_the_graph_and_highlights_a_path(page: Page, shots: Path) -> None:
    page.goto(f"/explore/impacts/{IMPACT}")
    expect(page.locator("#view[data-ready=true]")).to_have_count(1)
    expect(page.locator("#title")).to_contain_text("Child labour")
    nodes = page.evaluate("window.vckgGraph.nodes().length")
    linked = page.locator("#linked tbody tr").count()
    assert linked > 5 and nodes >= linked + 1  # every linked actor and the impact
    page.locator("#linked button[data-actor=hunan-shanshan]").click()
    expect(page.locator("#path")).to_contain_text("huayou-cobalt -supplies-> hunan-shanshan")
    expect(page.locator("#path")).to_contain_text("processed-cobalt")
    highlighted = page.evaluate("window.vckgGraph.$('.highlighted').map(e => e.id())")
    assert "a:hunan-shanshan" in highlighted and "a:huayou-cobalt" in highlighted
    assert any(h.startswith("step:huayou-cobalt:supplies:hunan-shanshan") for h in highlighted)
    page.screenshot(path=str(shots / "impact.png"), full_page=True)


def test_the_threshold_slider_changes_the_coalition(page: Page) -> None:
    page.goto(f"/explore/impacts/{IMPACT}")
    expect(page.locator("#view[data-ready=true]")).to_have_count(1)
    coalition = page.locator("#targets .coalition").first
    expect(coalition).to_contain_text("Coalition reaching 0.5")
    page.locator("#threshold").fill("0.05")
    expect(coalition).to_contain_text("Coalition reaching 0.05")
    expect(page).to_have_url(re.compile(r"\?threshold=0.05$"))
    expect(page.locator("#targets h3").first).to_contain_text("Congo Dongfang")
    assert "Coalition reaching 0.05" in coalition.inner_text()


def test_what_if_shows_imagined_leverage_and_stores_nothing(page: Page, server: LiveServer) -> None:
    page.goto(f"/explore/impacts/{IMPACT}")
    expect(page.locator("#view[data-ready=true]")).to_have_count(1)
    before = page.request.get(f"/impacts/{IMPACT}/leverage").json()
    page.select_option("#what-if select[name=kind]", "leverage")
    page.fill("#what-if input[name=actor]", "volkswagen")
    page.fill("#what-if input[name=other]", "congo-dongfang-mining")
    page.fill("#what-if input[name=strength]", "0.9")
    page.click("#what-if button[type=submit]")
    result = page.locator("#what-if-result")
    expect(result).to_contain_text("imagined, not stored")
    imagined = result.locator("table.holders tbody tr", has_text="Volkswagen")
    expect(imagined.first).to_contain_text("0.90")
    after = page.request.get(f"/impacts/{IMPACT}/leverage").json()
    assert after == before


def test_actor_page_shows_impacts_and_holdings(page: Page, shots: Path) -> None:
    page.goto(f"/explore/impacts/{IMPACT}")
    page.locator("#linked a", has_text="Apple").first.click()
    expect(page).to_have_url(re.compile("/explore/actors/apple$"))
    expect(page.locator("#view[data-ready=true]")).to_have_count(1)
    expect(page.locator("#name")).to_have_text("Apple Inc.")
    expect(page.locator("#impacts tbody tr", has_text="Child labour")).to_have_count(1)
    expect(page.locator("#holdings tbody tr").first).to_be_visible()
    expect(page.locator("#ties")).to_contain_text("Responsible Minerals Initiative")
    assert page.locator("#holdings tbody tr").count() >= 1
    page.screenshot(path=str(shots / "actor.png"), full_page=True)


def test_yasgui_runs_a_ready_query_and_links_results_to_the_explorer(
    page: Page, shots: Path
) -> None:
    page.goto("/sparql", wait_until="networkidle")
    expect(page.locator(".yasqe")).to_be_visible()
    expect(page.locator("#prefixes")).to_contain_text("vcid:")
    page.select_option("#examples", "labour-impacts-actors-by-mode")
    link = page.locator(".yasr_results a[data-explorer]").first
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href is not None and href.startswith("/explore/resolve?iri=")
    page.screenshot(path=str(shots / "sparql.png"), full_page=True)
    page.goto(href)
    expect(page).to_have_url(re.compile("/explore/(impacts|actors)/"))


def test_a_browser_query_link_opens_the_editor_with_the_answer(page: Page) -> None:
    query = "SELECT ?c WHERE { ?c skos:notation 'child-labour' }"
    page.goto(f"/sparql?query={quote(query)}", wait_until="networkidle")
    expect(page.locator(".yasr_results")).to_contain_text("category-child-labour")
    assert page.locator("a[href^='http']:visible").count() == 0  # every link stays here


def test_docs_render_the_operations(page: Page, shots: Path) -> None:
    page.goto("/docs")
    operation = page.locator(".opblock-summary-path", has_text="/impacts/{impact_id}/leverage")
    expect(operation.first).to_be_visible()
    expect(page.locator(".errors-wrapper")).to_have_count(0)
    assert page.locator(".opblock-summary-path").count() > 10  # every route, not one
    page.screenshot(path=str(shots / "docs.png"))
