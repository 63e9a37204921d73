"""Answer and source cards as HTML: pure functions from the Answer's dict to markup.

Everything from the articles or the model is escaped; the only markup is ours.
"""

from __future__ import annotations

import html
import re

from rag.answer.assemble import UPDATE_HEADER, as_of, note_sentence
from rag.outlets import summary
from rag.types import OTHER_REPORTS
from rag.when import iso_text

_MARKER = re.compile(r"\[(\d+)\]")

# The chat and a few labels render Markdown. Text from articles, uploads, the model or the user is
# HTML-escaped, its brackets (every image, link and reference needs them) are written as entities,
# and URLs lose the shape that autolinks them: `![](http://host/x.png)` shows as those characters,
# and the browser fetches nothing.
_BRACKETS = str.maketrans({"[": "&#91;", "]": "&#93;"})
_AUTOLINK = re.compile(r"(?i)(://|www\.)")


def text(value: str) -> str:
    """Article, model or user text made inert for the Markdown chat: no image, link or HTML of its
    own; what it says is shown as it is."""
    inert = html.escape(value, quote=False).translate(_BRACKETS)
    return _AUTOLINK.sub(lambda m: m.group(1).replace("/", "&#47;").replace(".", "&#46;"), inert)


def answer_html(answer: dict, session: str) -> str:
    """The answer for the chat, built from its claims: each claim's citations become links to their
    source cards, quotes are set in quotation marks, another article's differing report follows
    under its header, and a badge says whether the answer is verified, a quote, a refusal, or the
    quick answer shown while the model writes."""
    known = {c["n"] for c in answer["citations"]}

    def links(numbers) -> str:
        return "".join(
            f'<a class="cite" href="#src-{session}-{n}" title="source {n}">[{n}]</a>'
            if n in known
            else f"[{n}]"
            for n in numbers
        )

    claims = answer.get("claims", [])
    lead = [c for c in claims if c["kind"] not in OTHER_REPORTS]
    others = [c for c in claims if c["kind"] == "conflict"]
    updates = sorted((c for c in claims if c["kind"] == "update"), key=lambda c: c.get("date") or "")
    note = answer.get("time_note")
    parts = [f'<span class="time-note">{text(note_sentence(note))}</span>'] if note else []
    for c in lead:
        said = c["text"].strip()
        if c["kind"] == "quote":
            shown = f"“{text(said)}” {links(c['citations'])}"
        else:
            end = said[-1] if said[-1:] in ".!?" else "."
            shown = f"{text(said.rstrip('.!?'))} {links(c['citations'])}{end}"
        parts.append(as_of(c["date"], shown) if c.get("as_of") and c.get("date") else shown)
    if updates:
        parts.append(f"<br>{UPDATE_HEADER}")
        parts += [f"{iso_text(c['date'])}: “{text(c['text'])}” {links(c['citations'])}" for c in updates]
    if others:
        parts.append("<br>The sources disagree:")
        parts += [f"“{text(c['text'])}” {links(c['citations'])}" for c in others]
    if answer.get("timeline") and lead:  # dated events in date order, each a cited quote
        parts = (
            ['<ol class="timeline">']
            + [
                f"<li><b>{iso_text(c['date'])}</b> “{text(c['text'])}” {links(c['citations'])}</li>"
                for c in lead
            ]
            + ["</ol>"]
        )
        if answer.get("undated"):
            parts.append(f"<br>{answer['undated']} relevant articles state no date and are left out.")
    if answer.get("outlets") and answer["outlets"]["reporting"]:
        parts.append(outlets_html(answer["outlets"]))
    body = " ".join(parts) or text(answer["answer"])
    if answer.get("preliminary"):
        badge = '<span class="badge quoted">quick answer · quoting the articles while the model writes</span>'
    elif answer["refused"]:
        badge = '<span class="badge refused">refused · the articles do not support an answer</span>'
        if answer.get("closest"):
            body += "<br>The closest passages are beside the chat, for you to judge."
    elif answer.get("timeline"):
        badge = '<span class="badge verified">timeline · each event quoted from its article, by date</span>'
    elif answer["extractive"]:
        badge = '<span class="badge quoted">quoted · no generated sentence could be verified</span>'
    else:
        badge = '<span class="badge verified">verified · every sentence checked against its source</span>'
    seconds = answer["timings"].get("total_ms", answer["timings"].get("first_answer_ms", 0)) / 1000
    meta = f"{text(answer['backend'] or '…')} · {text(answer['model'])} · {seconds:.1f} s"
    return f'{badge}\n\n{body}\n\n<span class="answer-meta">{meta}</span>'


def outlets_html(view: dict) -> str:
    """Which outlets report the answer and which cover the question without saying it (distinct
    stories: a wire copy run by several outlets counts once)."""

    return f'<br><span class="outlets">{summary(view, text)}</span>'


def sources_html(answer: dict | None, session: str, articles: dict[str, str] | None = None) -> str:
    """One card per citation: the article's title, outlet, date and file, the chunk with the
    supporting quote highlighted, and the full article behind a disclosure."""
    if not answer:
        return '<div class="sources-empty">Sources of the latest answer appear here.</div>'
    if answer["refused"] and answer.get("closest"):
        items = "".join(
            f"<li><b>{html.escape(c['title'] or c['source'])}</b> "
            f'<span class="source-facts">{html.escape(_facts(c))}'
            f"</span><blockquote>{html.escape(' '.join(c['quote'].split()))}</blockquote></li>"
            for c in answer["closest"]
        )
        return (
            '<div class="sources-empty">Refused: no passage answers the question well enough. '
            f'The closest passages it looked at:</div><ol class="closest">{items}</ol>'
        )
    if not answer["citations"]:
        why = "refused: nothing retrieved supports an answer" if answer["refused"] else "no citations"
        return f'<div class="sources-empty">{html.escape(why)}</div>'
    chunks = {c["chunk_id"]: c for c in answer["contexts"]}
    cards = []
    for c in answer["citations"]:
        chunk = chunks.get(c["chunk_id"])
        title = c["title"] or c["source"]
        facts = " · ".join(html.escape(x) for x in (c["outlet"], c["date"], c["source"]) if x)
        url = c.get("url") or ""
        if url.lower().startswith(("http://", "https://")):  # a link to read it there, never fetched here
            facts += f' · <a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">open</a>'
        cards.append(
            f'<div class="source-card" id="src-{session}-{c["n"]}">'
            f'<div class="source-head"><span class="source-n">[{c["n"]}]</span> '
            f'<span class="source-title">{html.escape(title)}</span></div>'
            f'<div class="source-facts">{facts}</div>'
            + (
                _chunk_block(chunk, c)
                if chunk
                else f'<blockquote class="source-quote">{html.escape(c["quote"])}</blockquote>'
            )
            + (_article_block(articles.get(c["source"]), c) if articles and c["source"] in articles else "")
            + "</div>"
        )
    return '<div class="sources">' + "".join(cards) + "</div>"


def _chunk_block(chunk: dict, citation: dict) -> str:
    """The quote highlighted in a few lines of its chunk (found by the article offsets minus the
    chunk's start), with the whole chunk behind a disclosure."""
    text = chunk["text"]
    start = citation["start"] - chunk.get("start", 0)
    end = citation["end"] - chunk.get("start", 0)
    if not (0 <= start < end <= len(text)) or text[start:end] != citation["quote"]:
        start = text.find(citation["quote"])
        end = start + len(citation["quote"])
    if start < 0:
        return f'<blockquote class="source-quote">{html.escape(citation["quote"])}</blockquote>' + _details(
            f"full chunk {chunk['chunk_id']}", html.escape(text)
        )
    a = max(0, text.rfind(" ", 0, max(0, start - CONTEXT_CHARS)) + 1) if start > CONTEXT_CHARS else 0
    b = text.find(" ", end + CONTEXT_CHARS)
    b = len(text) if b < 0 else b
    window = (
        ("…" if a else "")
        + html.escape(text[a:start])
        + _mark(text[start:end])
        + html.escape(text[end:b])
        + ("…" if b < len(text) else "")
    )
    full = html.escape(text[:start]) + _mark(text[start:end]) + html.escape(text[end:])
    return f'<div class="source-quote chunk-text">{window}</div>' + _details(
        f"full chunk {chunk['chunk_id']}", full
    )


CONTEXT_CHARS = 140  # characters of the chunk shown on each side of the quote


def _mark(text: str) -> str:
    return f"<mark>{html.escape(text)}</mark>"


def _details(summary: str, body: str) -> str:
    return (
        f'<details class="source-more"><summary>{html.escape(summary)}</summary>'
        f'<div class="chunk-text">{body}</div></details>'
    )


def _article_block(article: str | None, citation: dict) -> str:
    if not article:
        return ""
    s, e = citation["start"], citation["end"]
    if article[s:e] == citation["quote"]:
        body = html.escape(article[:s]) + _mark(article[s:e]) + html.escape(article[e:])
    else:
        body = html.escape(article)
    return _details("whole article", body)


def status_html(status: dict, backend: str, model: str) -> str:
    if not status.get("indexed"):
        return f"<b>{html.escape(backend)}</b> {html.escape(model)} · index empty: add articles"
    return (
        f"<b>{html.escape(backend)}</b> · {html.escape(model)} · "
        f"{status['articles']} articles · {status['chunks']} chunks indexed"
    )


def error_html(message: str) -> str:
    return f'<span class="badge error">error</span> {text(message)}'


CSS = """
#conversations button { min-width: 0 !important; }
#past label { font-size: 0.86rem; line-height: 1.3; }
.gradio-container { max-width: 1280px !important; margin: auto; }
#title h1 { margin-bottom: 0; font-size: 1.6rem; }
#title p { margin-top: 2px; color: var(--body-text-color-subdued); }
.badge { display: inline-block; font-size: 0.72rem; font-weight: 600; letter-spacing: .02em;
         padding: 1px 8px; border-radius: 999px; margin-bottom: 4px; }
.badge.verified { background: #e3f4e8; color: #1e6b36; }
.badge.quoted { background: #fff3d6; color: #8a5a00; }
.badge.refused { background: #eceff3; color: #4a5463; }
.badge.error { background: #fde2e1; color: #a12622; }
a.cite { text-decoration: none; font-weight: 600; color: #1f5fbf; padding: 0 1px; border-radius: 4px; }
a.cite:hover { background: #e4edfb; }
.answer-meta { font-size: 0.72rem; color: var(--body-text-color-subdued); }
.sources { display: flex; flex-direction: column; gap: 10px; }
.sources-empty { color: var(--body-text-color-subdued); font-size: 0.9rem; padding: 8px 2px; }
.source-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 10px 12px;
               background: var(--background-fill-secondary); scroll-margin-top: 12px; }
.source-card:target { outline: 2px solid #1f5fbf; }
.source-head { font-weight: 600; }
.source-n { color: #1f5fbf; }
.source-facts { font-size: 0.78rem; color: var(--body-text-color-subdued); margin: 2px 0 6px; }
.source-quote { margin: 4px 0 6px; padding: 6px 10px; border-left: 3px solid #f0b429;
                background: var(--background-fill-primary); font-size: 0.86rem; line-height: 1.5; }
.source-more summary { cursor: pointer; font-size: 0.78rem; color: var(--body-text-color-subdued); }
.source-more .chunk-text { white-space: pre-wrap; font-size: 0.84rem; line-height: 1.45; max-height: 360px;
              overflow-y: auto; padding: 6px 2px; }
.chunk-text mark { background: #ffe58a; padding: 0 1px; border-radius: 2px; }
#status { font-size: 0.85rem; }
"""


def _facts(passage: dict) -> str:
    """Outlet · date · file of a passage, the ones it has."""
    return " · ".join(x for x in (passage["outlet"], passage["date"], passage["source"]) if x)
