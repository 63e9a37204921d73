"""The chat page in a real browser: headless Chromium (Debian's /usr/bin/chromium) driven by
Playwright. Asks a corpus question, waits for the verified answer, checks the citation marker,
its source card and the highlighted quote, follows the marker, and saves a screenshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import CHROMIUM, launch
from tests.conftest import REPO
from tests.ui_server import embedded_page

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SCREENSHOT = REPO / ".artifacts" / "ui.png"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Chromium is needed for the browser test: apt-get install chromium chromium-driver "
            "(./quickstart.sh test installs it when run as root)"
        )
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def url(tmp_path_factory, models_dir, embedder):
    with embedded_page(tmp_path_factory.mktemp("browser"), models_dir, embedder) as (address, _):
        yield address


def test_ask_in_the_browser_and_check_the_cited_source(browser, url):
    page = browser.new_page(viewport={"width": 1360, "height": 1000})
    page.goto(url)
    page.fill("#question textarea", "How much money will North Korea receive from Moscow for its troops?")
    page.click("#ask")
    card = page.wait_for_selector("#sources .source-card", timeout=90_000)
    marker = page.wait_for_selector("#chat a.cite")
    assert marker.inner_text() == "[1]"
    assert "200 million" in page.inner_text("#chat")
    assert "verified" in page.inner_text("#chat") or "quoted" in page.inner_text("#chat")
    highlighted = card.query_selector("mark")
    assert highlighted is not None and "200 million" in highlighted.inner_text()
    assert "Voice of America" in card.inner_text()
    marker.click()  # the marker leads to its card: scrolled to and outlined for a moment
    assert "solid" in card.evaluate("e => e.style.outline")
    page.wait_for_timeout(1800)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 20_000


def test_empty_question_shows_a_message_not_a_trace(browser, url):
    page = browser.new_page()
    page.goto(url)
    page.click("#ask")
    page.wait_for_function("() => document.querySelector('#error').innerText.includes('empty')")
    assert "Traceback" not in page.inner_text("body")
