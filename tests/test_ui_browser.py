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


@pytest.fixture
def attacker():
    """A loopback 'attacker' server that counts every request the page's browser makes to it."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits: list[str] = []

    class Count(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Count)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def test_markdown_in_an_article_or_answer_makes_no_request_leave_the_page(
    browser, attacker, tmp_path, models_dir, embedder
):
    """Issue 10, item 10: the chat rendered Markdown, so an image in a quoted sentence made the
    browser fetch a remote URL. The planted article's sentence is quoted at once (the draft) and
    the scripted model's answer copies it (the final answer); neither may reach the attacker."""
    from rag.assistant import Assistant
    from rag.settings import Settings
    from tests.fakes import ScriptedLLM
    from tests.ui_server import running_ui

    host, hits = attacker
    planted = (
        f"The Port Azure ferry terminal will open on 14 March 2031, the harbour authority said "
        f"![chart]({host}/image.png) in a statement [details]({host}/link) "
        f'<img src="{host}/raw.png"> and {host}/bare.png on Monday.'
    )
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "port.txt").write_text(
        "Port Azure ferry terminal to open in 2031\n\n"
        + planted
        + "\n\nThe terminal will serve 40 ferries a day between Port Azure and the islands.\n"
    )

    class Scripted(ScriptedLLM):
        backend, model = "llamacpp", "scripted"

    settings = Settings(home=tmp_path / "home", models=models_dir, backend="llamacpp")
    answer = f"The Port Azure terminal opens on 14 March 2031 ![x]({host}/generated.png) [1]."
    assistant = Assistant(settings, embedder=embedder, llm=Scripted(answer, answer))
    assistant.ingest([corpus])
    with running_ui(assistant) as url:
        page = browser.new_page()
        page.goto(url)
        page.fill("#question textarea", f"When will the Port Azure ferry terminal open? ![q]({host}/q.png)")
        page.click("#ask")
        page.wait_for_selector("#sources .source-card", timeout=90_000)
        page.wait_for_timeout(1500)
        chat = page.inner_text("#chat")
        assert "14 March 2031" in chat
        assert "![chart]" in chat  # shown as the text it is, not rendered
        links = page.eval_on_selector_all(
            "#chat img, #chat a, #read-as a, #read-as img", "els => els.map(e => e.src || e.href)"
        )
        assert not [x for x in links if x.startswith(host)]
        page.close()
    assert hits == []


def test_conversations_are_listed_kept_over_a_reload_reopened_with_sources_and_deleted(browser, url):
    page = browser.new_page(viewport={"width": 1500, "height": 1050})
    page.goto(url)
    page.fill("#question textarea", "How much money will North Korea receive from Moscow for its troops?")
    page.click("#ask")
    page.wait_for_selector("#sources .source-card", timeout=90_000)
    title = "How much money will North Korea receive from Moscow for its troops?"
    listed = f'#past label:has-text("{title}")'
    page.wait_for_selector(listed, state="attached", timeout=60_000)
    page.reload()  # the browser keeps its own token: its conversations are still listed
    page.wait_for_selector(listed, state="attached", timeout=60_000)
    assert "200 million" not in page.inner_text("#chat")  # a fresh page
    page.click(listed)
    page.click("#open-conversation")
    card = page.wait_for_selector("#sources .source-card", timeout=30_000)
    assert "200 million" in page.inner_text("#chat") and "Voice of America" in card.inner_text()
    assert card.query_selector("mark") is not None  # the quote is highlighted again
    page.wait_for_timeout(500)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT.parent / "conversations.png"), full_page=True)
    page.click("#export-md")
    page.wait_for_selector("#exported a", timeout=30_000)
    page.click("#delete-conversation")
    page.wait_for_selector(listed, state="detached", timeout=30_000)
    other = browser.new_context().new_page()  # another browser sees none of it
    other.goto(url)
    other.wait_for_selector("#past")
    other.wait_for_timeout(1500)
    assert other.query_selector(listed) is None
