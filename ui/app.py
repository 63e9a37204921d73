"""The Gradio chat page. It only wires widgets to the Assistant's Python API: no retrieval or
prompting happens here. Each browser tab has its own history (gr.State); answers queue one at a
time because the embedded model serves one request at a time."""

from __future__ import annotations

import json
import logging
import re
import shutil
import uuid
from pathlib import Path

from rag.assistant import Assistant
from rag.errors import RagError
from rag.settings import Settings
from rag.types import Answer, IngestReport
from ui import render

log = logging.getLogger(__name__)

EXAMPLES = [
    "How much money will North Korea receive from Moscow for its troops?",
    "Who is the NATO Secretary General and what did he say about North Korean troops?",
    "When was the treaty between Russia and North Korea signed?",
    "What weapons were the North Korean soldiers armed with?",
]
UPLOAD_TYPES = [".txt", ".md", ".html", ".htm"]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Clicking a citation marker scrolls its source card into view (and highlights it).
HEAD_JS = """
<script>
document.addEventListener('click', (event) => {
  const link = event.target.closest('a.cite');
  if (!link) return;
  event.preventDefault();
  const card = document.getElementById(link.getAttribute('href').slice(1));
  if (!card) return;
  card.scrollIntoView({behavior: 'smooth', block: 'start'});
  card.style.outline = '2px solid #1f5fbf';
  setTimeout(() => { card.style.outline = ''; }, 1600);
}, true);
</script>
"""


def _label(backend: str, model: str) -> str:
    return f"{'embedded' if backend == 'llamacpp' else backend} · {model}"


def _parse_label(label: str) -> tuple[str, str]:
    kind, _, model = label.partition(" · ")
    return ("llamacpp" if kind == "embedded" else kind), model


def _new_session() -> dict:
    return {"id": uuid.uuid4().hex[:8], "history": []}


def build(assistant: Assistant):
    import gradio as gr

    settings = assistant.settings
    models = assistant.models()
    default = next((m for m in models if m == ("ollama", settings.model)), models[0])
    if settings.backend == "llamacpp":
        default = models[0]

    def outlets() -> list[str]:
        return sorted({a["outlet"] for a in assistant.articles() if a["outlet"]})

    def status(label: str) -> str:
        return render.status_html(assistant.status(), *_parse_label(label))

    def respond(message, chat, state, label, k, chosen_outlets, date_from, date_to):
        chat = list(chat or [])
        try:
            question = assistant.check_question(message)
            where = assistant.where_for(chosen_outlets, _date(date_from), _date(date_to))
        except RagError as exc:
            yield chat, state, message, render.error_html(str(exc)), gr.skip(), gr.skip()
            return
        state = _remember_question(assistant, state, question)
        shown = render.text(question)  # the page renders Markdown: the question is shown, not run
        chat += [{"role": "user", "content": shown}, {"role": "assistant", "content": "…"}]
        yield chat, state, "", "", gr.skip(), gr.skip()
        answer = None
        try:
            for event in assistant.stream(
                question, k=int(k), where=where, history=state["history"], model=_parse_label(label)
            ):
                if isinstance(event, Answer) and event.preliminary:
                    # the quick extractive answer, shown at once; the verified one replaces it
                    quick = render.answer_html(event.to_dict(), state["id"])
                    chat[-1] = {"role": "assistant", "content": quick}
                    yield chat, state, "", "", gr.skip(), gr.skip()
                elif isinstance(event, Answer):
                    answer = event
                # the model's raw text pieces are not shown: the quick answer stays until checked
        except Exception as exc:  # never leave a partial draft looking like an answer
            # anything (a llama.cpp fault, an Ollama 5xx, a Chroma error after another process
            # rebuilt the index) ends as one line on the page, which keeps working; the log has the rest
            line = str(exc) if isinstance(exc, RagError) else _unexpected(exc)
            if not isinstance(exc, RagError):
                log.exception("answering %r failed", question)
            chat[-1] = {"role": "assistant", "content": render.error_html(f"no answer: {line}")}
            yield chat, state, "", render.error_html(line), gr.skip(), gr.skip()
            return
        result = answer.to_dict()
        assistant.conversations.add(state["conversation"], state["owner"], "assistant", answer.text, result)
        chat[-1] = {"role": "assistant", "content": render.answer_html(result, state["id"])}
        state = {
            **state,
            "history": state["history"]
            + [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}],
        }
        articles = {c["source"]: assistant.article_text(c["source"]) for c in result["citations"]}
        read_as = f"Searched for: *{render.text(answer.standalone_question or question)}*"
        yield chat, state, "", "", render.sources_html(result, state["id"], articles), read_as

    def past(owner: str, selected: str | None = None):
        """The browser's conversations, newest first, as the list's choices."""
        rows = assistant.conversations.list(_owner(owner)) if owner else []
        choices = [(f"{r['title']}", r["id"]) for r in rows]
        keep = selected if selected in {c[1] for c in choices} else None
        return gr.update(choices=choices, value=keep)

    def after_answer(owner, state, selected):
        """The list again after an answer. A question asked before the page knew its browser's
        token (asked at once on load) started its conversation under the session; it moves to
        the browser, so it is listed and kept."""
        mine = _owner(owner) if owner else None
        if mine and state.get("conversation") and state.get("owner") != mine:
            assistant.conversations.move(state["conversation"], state["owner"], mine)
            state = {**state, "owner": mine}
        return past(owner, selected), state

    def ensure_owner(owner, state):
        owner = owner or uuid.uuid4().hex  # this browser's own, kept in its local storage
        if state.get("conversation") and state.get("owner") != _owner(owner):  # asked before this ran
            assistant.conversations.move(state["conversation"], state["owner"], _owner(owner))
        return owner, past(owner), {**state, "owner": _owner(owner)}

    def reopen(conversation_id, owner, state):
        """A past conversation back on the page: its turns, its last answer's source cards."""
        found = assistant.conversations.get(conversation_id, _owner(owner)) if conversation_id else None
        if found is None:
            return gr.skip(), state, gr.skip(), gr.skip(), render.error_html("choose a conversation first")
        session = _new_session()
        chat, history, last = [], [], None
        for m in found["messages"]:
            history.append({"role": m["role"], "content": m["content"]})
            if m["role"] == "user":
                chat.append({"role": "user", "content": render.text(m["content"])})
            elif m["answer"]:
                last = m["answer"]
                chat.append({"role": "assistant", "content": render.answer_html(last, session["id"])})
        state = {**session, "history": history, "conversation": conversation_id, "owner": _owner(owner)}
        articles = {
            c["source"]: assistant.article_text(c["source"]) for c in (last or {}).get("citations", [])
        }
        return chat, state, render.sources_html(last, session["id"], articles), "", ""

    def forget(conversation_id, owner, state):
        if conversation_id:
            assistant.conversations.delete(conversation_id, _owner(owner))
        if state.get("conversation") == conversation_id:
            state = {**_new_session(), "owner": state.get("owner")}
        return past(owner), state

    def export(conversation_id, owner, kind):
        from rag.conversations import to_markdown

        found = assistant.conversations.get(conversation_id, _owner(owner)) if conversation_id else None
        if found is None:
            return gr.update(value=None, visible=False)
        folder = settings.home / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"conversation-{conversation_id}.{'md' if kind == 'markdown' else 'json'}"
        text = to_markdown(found) if kind == "markdown" else json.dumps(found, indent=2, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
        return gr.update(value=str(path), visible=True)

    def refresh(label):
        """On page load: the models Ollama has now, the outlets indexed now, the status."""
        labels = [_label(*m) for m in assistant.models()]
        label = label if label in labels else labels[0]
        return gr.update(choices=labels, value=label), gr.update(choices=outlets()), status(label)

    def new_chat(state):
        fresh = {**_new_session(), "owner": (state or {}).get("owner")}  # same browser, new chat
        return [], fresh, "", "", render.sources_html(None, ""), ""

    def upload(files, label):
        if not files:
            return "No files chosen.", gr.skip(), gr.skip()
        target = settings.home / "uploads"
        target.mkdir(parents=True, exist_ok=True)
        limit = settings.max_upload_mb * 1024 * 1024
        paths, too_big, copied = [], {}, []
        for f in files:
            src = Path(f if isinstance(f, str) else f.name)
            if src.stat().st_size > limit:  # checked before anything is copied
                too_big[src.name] = f"larger than {settings.max_upload_mb:g} MB (RAG_MAX_UPLOAD_MB)"
                continue
            dest = target / src.name
            if not dest.exists():
                copied.append(dest)
            shutil.copyfile(src, dest)
            paths.append(dest)
        report = IngestReport()
        if paths:
            try:
                report = assistant.ingest(paths)
            except RagError as exc:
                _remove(copied)
                return render.error_html(str(exc)), gr.skip(), gr.skip()
            skipped = {key.rsplit("/", 1)[-1] for key in report.skipped}
            _remove([p for p in copied if p.name in skipped])  # a skipped file does not stay
        report.skipped.update(too_big)
        return _report_markdown(report), status(label), gr.update(choices=outlets())

    def add_urls(text, label):
        """Pages by URL, one per line: fetched, extracted, ingested; each failure a reason."""
        urls = [u.strip() for u in (text or "").split() if u.strip()]
        if not urls:
            return "No URLs given.", gr.skip(), gr.skip()
        bad = [u for u in urls if not u.lower().startswith(("http://", "https://"))]
        if bad:
            return render.error_html(f"not an http(s) URL: {bad[0]}"), gr.skip(), gr.skip()
        try:
            report = assistant.ingest(urls)
        except RagError as exc:
            return render.error_html(str(exc)), gr.skip(), gr.skip()
        return _report_markdown(report), status(label), gr.update(choices=outlets())

    with gr.Blocks(title="News QA · cited answers") as demo:
        state = gr.State(_new_session)
        owner = gr.BrowserState("", storage_key="news-qa-owner")
        gr.Markdown(
            "# News QA\nAsk the articles. Every sentence of an answer cites the passage that "
            "supports it; click a marker to see the source.",
            elem_id="title",
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=220, elem_id="conversations"):
                gr.Markdown("### Conversations")
                listed = gr.Radio([], label="Past conversations, newest first", elem_id="past")
                with gr.Row():
                    reopen_button = gr.Button("Open", size="sm", elem_id="open-conversation")
                    delete_button = gr.Button(
                        "Delete", size="sm", variant="stop", elem_id="delete-conversation"
                    )
                with gr.Row():
                    markdown_button = gr.Button("Export .md", size="sm", elem_id="export-md")
                    json_button = gr.Button("Export .json", size="sm", elem_id="export-json")
                exported = gr.File(label="Export", interactive=False, elem_id="exported", visible=False)
            with gr.Column(scale=3):
                chat = gr.Chatbot(
                    height=480,
                    show_label=False,
                    elem_id="chat",
                    buttons=["copy"],
                    placeholder="Ask a question about the news articles.",
                    feedback_options=None,
                )
                with gr.Row():
                    question = gr.Textbox(
                        placeholder="Ask a question about the articles…",
                        show_label=False,
                        scale=8,
                        elem_id="question",
                        max_lines=4,
                        container=False,
                    )
                    ask = gr.Button("Ask", variant="primary", scale=1, min_width=90, elem_id="ask")
                    clear = gr.Button("New chat", scale=1, min_width=130, elem_id="new-chat")
                error = gr.HTML(elem_id="error")
                read_as = gr.Markdown(elem_id="read-as")
                gr.Examples(EXAMPLES, inputs=question, label="Examples")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(render.sources_html(None, ""), elem_id="sources")
        with gr.Accordion("Model and filters", open=False):
            with gr.Row():
                model = gr.Dropdown(
                    [_label(*m) for m in models], value=_label(*default), label="Model", elem_id="model"
                )
                k = gr.Slider(
                    1, 10, value=settings.top_k, step=1, label="Passages given to the model (top-k)"
                )
            with gr.Row():
                outlet = gr.Dropdown(outlets(), multiselect=True, label="Outlets (none: all)")
                date_from = gr.Textbox(label="From date (YYYY-MM-DD)", placeholder="any")
                date_to = gr.Textbox(label="To date (YYYY-MM-DD)", placeholder="any")
        with gr.Accordion("Add articles", open=False):
            files = gr.File(
                file_count="multiple",
                file_types=UPLOAD_TYPES,
                label=".txt, .md or .html files",
                elem_id="upload",
            )
            add = gr.Button("Add to the index", elem_id="add")
            urls = gr.Textbox(label="Or article URLs, one per line", lines=2, elem_id="urls")
            add_url = gr.Button("Fetch and add", elem_id="add-urls")
            upload_report = gr.Markdown(elem_id="upload-report")
        status_line = gr.HTML(status(_label(*default)), elem_id="status")

        inputs = [question, chat, state, model, k, outlet, date_from, date_to]
        outputs = [chat, state, question, error, sources, read_as]
        ask.click(respond, inputs, outputs, api_name="ask", concurrency_id="answer").then(
            after_answer, [owner, state, listed], [listed, state], api_name=False
        )
        question.submit(respond, inputs, outputs, api_name=False, concurrency_id="answer").then(
            after_answer, [owner, state, listed], [listed, state], api_name=False
        )
        reopen_button.click(
            reopen, [listed, owner, state], [chat, state, sources, read_as, error], api_name=False
        )
        delete_button.click(forget, [listed, owner, state], [listed, state], api_name=False)
        markdown_button.click(
            lambda c, o: export(c, o, "markdown"), [listed, owner], exported, api_name=False
        )
        json_button.click(lambda c, o: export(c, o, "json"), [listed, owner], exported, api_name=False)
        demo.load(ensure_owner, [owner, state], [owner, listed, state], api_name=False)
        clear.click(new_chat, state, outputs, api_name="new_chat")
        chat.clear(new_chat, state, outputs, api_name=False)
        add.click(upload, [files, model], [upload_report, status_line, outlet], api_name="upload")
        add_url.click(add_urls, [urls, model], [upload_report, status_line, outlet], api_name="add_urls")
        model.change(status, model, status_line, api_name=False)
        demo.load(refresh, model, [model, outlet, status_line], api_name=False)
    return demo


def _report_markdown(report: IngestReport) -> str:
    lines = [
        f"**{len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped** "
        f"({report.chunks_written} chunks written)"
    ]
    lines += [
        f"- skipped {render.text(name)}: {render.text(reason)}" for name, reason in report.skipped.items()
    ]
    return "\n".join(lines)


def _owner(token: str) -> str:
    return f"page:{token}"


def _remember_question(assistant: Assistant, state: dict, question: str) -> dict:
    """Store the question (starting the chat's conversation on its first), before answering: a
    page closed or a server killed while answering loses only that answer. The owner is the
    browser's (set on page load); an API client of the page gets one for its session."""
    store = assistant.conversations
    who = state.get("owner") or _owner(uuid.uuid4().hex)
    conversation = state.get("conversation") or store.create(who, question)
    store.add(conversation, who, "user", question)
    return {**state, "conversation": conversation, "owner": who}


def _date(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not _ISO_DATE.match(value):
        raise RagError(f"dates are YYYY-MM-DD, got {value!r}")
    return value


def launch(settings: Settings | None = None, *, prevent_thread_lock: bool = False, quiet: bool = False):
    """Ingest the corpus if the index is empty, then serve the page on RAG_UI_HOST:RAG_UI_PORT."""
    assistant = Assistant(settings)
    settings = assistant.settings
    if not assistant.store.exists() or assistant.store.count() == 0:
        assistant.ingest()
    assistant.refresh_feeds_in_background()
    return serve(
        build(assistant),
        settings.ui_host,
        settings.ui_port,
        auth=basic_auth(settings),
        max_upload_mb=settings.max_upload_mb,
        prevent_thread_lock=prevent_thread_lock,
        quiet=quiet,
    )


def mount_page(app, assistant: Assistant):
    """The chat page on an existing FastAPI app at `/` (rag serve): same page, same queue."""
    import gradio as gr

    settings = assistant.settings
    demo = _queued(build(assistant))
    return gr.mount_gradio_app(
        app, demo, path="/", auth=basic_auth(settings), **_page_options(settings.max_upload_mb)
    )


def _queued(demo):
    """One answer at a time (the embedded model serves one request at a time); the rest wait."""
    demo.queue(default_concurrency_limit=1, max_size=64)
    return demo


def _page_options(max_upload_mb: float) -> dict:
    """How the page looks and what it accepts, the same under `rag ui` and `rag serve`."""
    import gradio as gr

    return {
        "theme": gr.themes.Soft(),
        "css": render.CSS,
        "head": HEAD_JS,
        "footer_links": ["api"],
        "show_error": False,
        "max_file_size": int(max_upload_mb * 1024 * 1024),  # bytes: Gradio refuses larger uploads
    }


def _unexpected(exc: Exception) -> str:
    """One line for an error the project did not foresee: its kind and the first line of its text."""
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return f"unexpected {type(exc).__name__}: {first} (details in the server log)"


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def basic_auth(settings: Settings) -> tuple[str, str] | None:
    """(user, password) from RAG_UI_AUTH=user:password, or None when unset."""
    if not settings.ui_auth:
        return None
    user, sep, password = settings.ui_auth.partition(":")
    if not sep or not user or not password:
        raise RagError("RAG_UI_AUTH must be user:password")
    return user, password


def serve(
    demo,
    host: str,
    port: int,
    *,
    auth=None,
    max_upload_mb: float = 10.0,
    prevent_thread_lock: bool = False,
    quiet: bool = False,
):
    """Queue requests (one answer at a time, the rest wait) and serve the page."""
    _queued(demo).launch(
        server_name=host,
        server_port=port,
        auth=auth,
        quiet=quiet,
        prevent_thread_lock=prevent_thread_lock,
        **_page_options(max_upload_mb),
    )
    return demo
