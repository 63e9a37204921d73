"""`rag serve`: one FastAPI app, one process, one Assistant, serving the chat page at `/`, an
OpenAI-compatible `/v1` (chat completions with verified citations as structured data; models)
and a REST API under `/api` (ask, search, status, articles, ingest). OpenAPI docs at `/docs`.

Answers are verified before anything is sent: a stream carries the verified answer's text, then a
final event with its citations; the model's raw, unchecked text never goes out. The embedded
model answers one request at a time; others wait their turn (none dropped).

FastAPI reads the route functions' annotations, so its names are imported at module level; this
module is imported only by `rag serve` and the tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import tempfile
import time
import uuid
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.datastructures import UploadFile

from rag.assistant import Assistant, final_answer
from rag.errors import BackendUnavailable, BadInput, BadQuestion, ModelNotPulled, RagError
from rag.types import Answer

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def api_keys(settings) -> list[str]:
    return [k.strip() for k in (settings.api_keys or "").split(",") if k.strip()]


def check_binding(settings, host: str) -> None:
    """Binding beyond this machine needs API keys: the assistant reads private articles."""
    if host not in LOOPBACK and not api_keys(settings):
        raise BadInput(
            f"serving on {host} needs RAG_API_KEYS (bearer tokens for the API); 127.0.0.1 does not"
        )


def make_app(assistant: Assistant, *, with_page: bool = True):
    """The FastAPI app: API routes, then the chat page mounted at `/`."""
    settings = assistant.settings
    keys = api_keys(settings)
    app = FastAPI(
        title="News QA",
        description="Cited answers over your news articles. Every answer sentence is verified against "
        "the passage it cites; citations come as structured data.",
        version="1",
    )

    def authorised(request: Request) -> None:
        if not keys:
            return
        token = _bearer(request)
        if not any(hmac.compare_digest(token, k) for k in keys):
            raise HTTPException(401, "a valid API key is needed: Authorization: Bearer <key> (RAG_API_KEYS)")

    @app.exception_handler(HTTPException)
    async def http_error(request, exc: HTTPException):
        return JSONResponse(
            {"error": {"message": str(exc.detail), "status": exc.status_code}}, exc.status_code
        )

    @app.exception_handler(RagError)
    async def rag_error(request, exc: RagError):
        status = _status_for(exc)
        return JSONResponse({"error": {"message": str(exc), "status": status}}, status)

    guard = [Depends(authorised)]

    def owner(request: Request) -> str:
        """Whose conversations: the API key's (hashed), or one shared owner when no keys are set."""
        token = _bearer(request) if keys else ""
        return "api:" + hashlib.sha256(token.encode()).hexdigest()[:16] if token else "api"

    def start(who: str, conversation_id: str | None, question: str) -> str:
        """Store the question before answering (a new conversation when no id is given): a process
        killed while answering loses only that answer."""
        store = assistant.conversations
        conversation_id = conversation_id or store.create(who, question)
        try:
            store.add(conversation_id, who, "user", question)
        except KeyError as exc:
            raise HTTPException(404, f"no conversation {conversation_id!r}") from exc
        return conversation_id

    def history_of(who: str, conversation_id: str) -> list[dict]:
        known = assistant.conversations.get(conversation_id, who)
        if known is None:
            raise HTTPException(404, f"no conversation {conversation_id!r}")
        return [{"role": m["role"], "content": m["content"]} for m in known["messages"]]

    @app.get("/v1/models", dependencies=guard, tags=["OpenAI"])
    def models() -> dict:
        now = int(time.time())
        return {
            "object": "list",
            "data": [
                {"id": model_id(b, m), "object": "model", "created": now, "owned_by": b}
                for b, m in assistant.models()
            ],
        }

    @app.post("/v1/chat/completions", dependencies=guard, tags=["OpenAI"])
    def chat_completions(body: dict[str, Any], request: Request):
        messages = body.get("messages") or []
        if not isinstance(messages, list) or not messages or messages[-1].get("role") != "user":
            raise BadQuestion("messages must end with the user's question")
        question = assistant.check_question(_content(messages[-1].get("content")))
        history = [
            {"role": m.get("role"), "content": _content(m.get("content"))}
            for m in messages[:-1]
            if m.get("role") in ("user", "assistant")
        ]
        model = _pick_model(assistant, body.get("model"))
        k = body.get("top_k")
        wanted = (body.get("metadata") or {}).get("conversation_id")
        stored = None
        if body.get("store") or wanted:  # OpenAI's `store`: keep this exchange as a conversation
            stored = start(owner(request), wanted, question)
        answer = final_answer(assistant.stream(question, k=k, history=history, model=model))
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        label = (
            model_id(answer.backend, answer.model) if answer.backend != "none" else body.get("model") or ""
        )
        extra = answer_fields(answer)
        if stored:
            assistant.conversations.add(stored, owner(request), "assistant", answer.text, answer.to_dict())
            extra["conversation_id"] = stored
        if not body.get("stream"):
            return {
                "id": completion_id,
                "object": "chat.completion",
                "created": int(time.time()),
                "model": label,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": answer.text},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": 0,
                    "completion_tokens": answer.tokens_generated,
                    "total_tokens": answer.tokens_generated,
                },
                **extra,
            }

        def events():
            base = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": label,
            }
            yield _sse(
                {**base, "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}
            )
            for piece in _pieces(answer.text):
                yield _sse(
                    {**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                )
            yield _sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], **extra})
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.post("/api/ask", dependencies=guard, tags=["REST"])
    def ask(body: dict[str, Any], request: Request) -> dict:
        """{"question": ..., "k": 5, "conversation_id": optional, "store": false, "today": optional
        ISO date for "last week"} -> the structured answer. With a conversation id, its earlier
        turns are used and the exchange is added to it; with `store` true, a new conversation is
        started."""
        question = body.get("question")
        if not isinstance(question, str):
            raise BadQuestion('give the question as a string: {"question": "..."}')
        who, conversation_id = owner(request), body.get("conversation_id")
        history = history_of(who, conversation_id) if conversation_id else body.get("history") or None
        assistant.check_question(question)
        if conversation_id or body.get("store"):
            conversation_id = start(who, conversation_id, question)
        today = _iso_day(body.get("today"))
        answer = final_answer(assistant.stream(question, k=body.get("k"), history=history, today=today))
        result = answer.to_dict()
        if conversation_id:
            assistant.conversations.add(conversation_id, who, "assistant", answer.text, result)
            result["conversation_id"] = conversation_id
        return result

    @app.get("/api/conversations", dependencies=guard, tags=["Conversations"])
    def conversations(request: Request) -> dict:
        return {"conversations": assistant.conversations.list(owner(request))}

    @app.get("/api/conversations/{conversation_id}", dependencies=guard, tags=["Conversations"])
    def conversation(conversation_id: str, request: Request, format: str = "json"):
        from rag.conversations import to_markdown

        found = assistant.conversations.get(conversation_id, owner(request))
        if found is None:
            raise HTTPException(404, f"no conversation {conversation_id!r}")
        if format == "markdown":
            return PlainTextResponse(to_markdown(found), media_type="text/markdown")
        if format != "json":
            raise BadInput("format is json or markdown")
        return found

    @app.delete("/api/conversations/{conversation_id}", dependencies=guard, tags=["Conversations"])
    def delete_conversation(conversation_id: str, request: Request) -> dict:
        if not assistant.conversations.delete(conversation_id, owner(request)):
            raise HTTPException(404, f"no conversation {conversation_id!r}")
        return {"deleted": conversation_id}

    @app.get("/api/search", dependencies=guard, tags=["REST"])
    def search(q: str, k: int = 5) -> dict:
        if not 1 <= k <= 50:
            raise BadQuestion("k must be between 1 and 50")
        return {"query": q, "hits": [h.to_dict() for h in assistant.search(q, k=k)]}

    @app.get("/api/timeline", dependencies=guard, tags=["REST"])
    def timeline(topic: str, k: int = 30) -> dict:
        """Dated, cited events about the topic in date order (the structured answer, `timeline`
        true, one `event` claim per event)."""
        if not 1 <= k <= 100:
            raise BadQuestion("k must be between 1 and 100")
        return assistant.timeline(topic, k=k).to_dict()

    @app.get("/api/feeds", dependencies=guard, tags=["Feeds"])
    def feeds() -> dict:
        return {"feeds": assistant.feeds()}

    @app.post("/api/feeds", dependencies=guard, tags=["Feeds"])
    def add_feed(body: dict[str, Any]) -> dict:
        """{"url": ...}: follow an RSS/Atom feed and take its entries now."""
        url = body.get("url")
        if not isinstance(url, str):
            raise BadInput('give the feed as {"url": "https://..."}')
        return asdict(assistant.add_feed(url))

    @app.post("/api/feeds/update", dependencies=guard, tags=["Feeds"])
    def update_feeds(body: dict[str, Any] | None = None) -> dict:
        """{"urls": [...]} or nothing for every feed: take new and changed entries."""
        urls = (body or {}).get("urls") or None
        return {"updates": [asdict(u) for u in assistant.update_feeds(urls)]}

    @app.delete("/api/feeds", dependencies=guard, tags=["Feeds"])
    def remove_feed(url: str, delete_articles: bool = False) -> dict:
        return {"removed": url, "articles_deleted": assistant.remove_feed(url, delete_articles)}

    @app.get("/api/status", dependencies=guard, tags=["REST"])
    def status() -> dict:
        return assistant.status()

    @app.get("/api/articles/{source:path}", dependencies=guard, tags=["REST"])
    def article(source: str) -> dict:
        found = assistant.article(source)
        if found is None:
            raise HTTPException(404, f"no article {source!r} in the index")
        return found

    @app.post("/api/ingest", dependencies=guard, tags=["REST"])
    async def ingest(request: Request) -> dict:
        """Multipart files (field `files`), or a JSON list of {"text", "title", "date", "outlet",
        "url", "id"}."""
        limit = int(settings.max_upload_mb * 1024 * 1024)
        folder = settings.home / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        if request.headers.get("content-type", "").startswith("multipart/"):
            files = [f for f in (await request.form()).getlist("files") if isinstance(f, UploadFile)]
            if not files:
                raise BadInput("no files in the multipart field 'files'")
        if files:
            saved = []
            for upload in files:
                data = await upload.read(limit + 1)
                if len(data) > limit:
                    raise HTTPException(413, f"{upload.filename}: larger than {settings.max_upload_mb:g} MB")
                target = folder / Path(upload.filename or "upload.txt").name
                target.write_bytes(data)
                saved.append(target)
            report = assistant.ingest(saved)
        else:
            try:
                rows = await request.json()
            except json.JSONDecodeError as exc:
                raise BadInput(f"send files (multipart) or a JSON list of articles: {exc.msg}") from exc
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise BadInput('send a JSON list of articles: [{"text": ..., "title": ...}]')
            with tempfile.NamedTemporaryFile(
                "w", suffix=".jsonl", dir=folder, prefix="api-", delete=False, encoding="utf-8"
            ) as handle:
                handle.write("\n".join(json.dumps(r) for r in rows) + "\n")
            report = assistant.ingest([Path(handle.name)])
        return report.__dict__

    if with_page:
        from ui.app import mount_page

        app = mount_page(app, assistant)
    return app


def _iso_day(value) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadInput(f"today: {value!r} is not an ISO date (YYYY-MM-DD)") from None


def _bearer(request: Request) -> str:
    """The token of an `Authorization: Bearer <key>` header, or ""."""
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def model_id(backend: str, model: str) -> str:
    return f"{'embedded' if backend == 'llamacpp' else backend}/{model}"


def _pick_model(assistant: Assistant, wanted: str | None) -> tuple[str, str] | None:
    if not wanted:
        return None
    for backend, model in assistant.models():
        if wanted in (model_id(backend, model), model):
            return backend, model
    raise ModelNotPulled(f"no model {wanted!r}: GET /v1/models lists them")


def answer_fields(answer: Answer) -> dict:
    """What an OpenAI-style client gets beside the text: citations as data, and the flags."""
    return {
        "citations": [c.to_dict() for c in answer.citations],
        "refused": answer.refused,
        "extractive": answer.extractive,
        "claims": [c.to_dict() for c in answer.claims],
    }


def _status_for(exc: RagError) -> int:
    if isinstance(exc, BadQuestion | BadInput):
        return 400
    if isinstance(exc, ModelNotPulled):
        return 404
    if isinstance(exc, BackendUnavailable):
        return 503
    return 500


def _content(content) -> str:
    """OpenAI message content: a string, or a list of parts of which the text ones count."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _pieces(text: str, size: int = 48) -> list[str]:
    words, out, cur = text.split(" "), [], ""
    for word in words:
        cur = f"{cur} {word}" if cur else word
        if len(cur) >= size:
            out.append(cur + " ")
            cur = ""
    if cur:
        out.append(cur)
    return out


def _sse(payload: dict) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def serve(settings, host: str | None = None, port: int | None = None) -> None:
    import uvicorn

    host = host or settings.ui_host
    port = port or settings.ui_port
    check_binding(settings, host)
    assistant = Assistant(settings)
    if not assistant.store.exists() or assistant.store.count() == 0:
        assistant.ingest()
    assistant.refresh_feeds_in_background()
    uvicorn.run(make_app(assistant), host=host, port=port, log_level="warning")
