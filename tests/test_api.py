"""`rag serve` through clients nobody here wrote: the official `openai` package against /v1, and
httpx against the REST routes; the real embedded model over the bundled corpus, served by uvicorn
on a loopback port."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from rag.assistant import Assistant
from rag.errors import BadInput
from tests.conftest import CORPUS, DOLLARS_QUESTION, VOA
from tests.ui_server import free_port

pytestmark = pytest.mark.slow

KEY, OTHER_KEY = "test-key-1", "test-key-2"
EMBEDDED = "embedded/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"


@pytest.fixture(scope="module")
def served(tmp_path_factory, models_dir, embedder):
    import uvicorn

    from rag.api import make_app
    from rag.settings import Settings

    settings = Settings(
        home=tmp_path_factory.mktemp("api"),
        models=models_dir,
        backend="llamacpp",
        api_keys=f"{KEY},{OTHER_KEY}",
        max_upload_mb=0.05,
    )
    assistant = Assistant(settings, embedder=embedder)
    assistant.ingest([CORPUS])
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(make_app(assistant), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}", assistant
    server.should_exit = True
    thread.join(timeout=10)


def openai_client(url, key=KEY):
    from openai import OpenAI

    return OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=300)


def test_models_are_listed_for_a_clients_model_picker(served):
    url, _ = served
    ids = [m.id for m in openai_client(url).models.list()]
    assert EMBEDDED in ids


def test_a_completion_carries_the_cited_answer_and_its_citations_as_data(served):
    url, _ = served
    done = openai_client(url).chat.completions.create(
        model=EMBEDDED, messages=[{"role": "user", "content": DOLLARS_QUESTION}]
    )
    text = done.choices[0].message.content
    assert "200 million" in text and "[1]" in text
    extra = done.model_extra
    assert extra["refused"] is False
    first = extra["citations"][0]
    assert first["n"] == 1 and first["source"] == VOA and first["outlet"] == "Voice of America"
    assert "200 million" in first["quote"] and first["end"] > first["start"]


def test_a_streamed_completion_ends_with_the_citations(served):
    url, _ = served
    stream = openai_client(url).chat.completions.create(
        model=EMBEDDED, messages=[{"role": "user", "content": DOLLARS_QUESTION}], stream=True
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "200 million" in text
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"][0]["source"] == VOA


def test_a_follow_up_uses_the_earlier_turns(served):
    url, _ = served
    done = openai_client(url).chat.completions.create(
        model=EMBEDDED,
        messages=[
            {"role": "user", "content": "Did North Korea send troops to Russia?"},
            {
                "role": "assistant",
                "content": "Yes, North Korea deployed troops to Russia's Kursk region [1].",
            },
            {"role": "user", "content": "How much money will it receive from Moscow for that?"},
        ],
    )
    assert done.model_extra["citations"] and not done.model_extra["refused"]
    assert VOA in {c["source"] for c in done.model_extra["citations"]}


def test_a_wrong_key_is_refused_on_every_route(served):
    from openai import AuthenticationError

    url, _ = served
    with pytest.raises(AuthenticationError):
        openai_client(url, key="wrong").models.list()
    for path in ("/api/status", "/api/search?q=Kursk", f"/api/articles/{VOA}"):
        assert httpx.get(url + path).status_code == 401
        assert httpx.get(url + path, headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_rest_routes_search_status_article_and_errors(served):
    url, assistant = served
    auth = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=url, headers=auth, timeout=300) as c:
        hits = c.get("/api/search", params={"q": DOLLARS_QUESTION, "k": 3}).json()["hits"]
        assert len(hits) == 3 and hits[0]["source"] == VOA
        assert c.get("/api/status").json()["articles"] == 5
        article = c.get(f"/api/articles/{VOA}").json()
        assert article["text"] == assistant.article_text(VOA)
        assert article["text"][hits[0]["start"] : hits[0]["end"]] == hits[0]["text"]
        missing = c.get("/api/articles/nope.txt")
        assert missing.status_code == 404 and "nope.txt" in missing.json()["error"]["message"]
        empty = c.post("/api/ask", json={"question": "  "})
        assert empty.status_code == 400 and "empty" in empty.json()["error"]["message"]
        assert c.get("/api/search", params={"q": "x", "k": 0}).status_code == 400


def test_ingest_takes_json_articles_and_files_and_refuses_oversize_uploads(served):
    url, _ = served
    auth = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=url, headers=auth, timeout=300) as c:
        rows = [
            {
                "id": "a1",
                "title": "Port of Azure",
                "text": "The port of Azure handled 4.2 million containers last year.",
            }
        ]
        report = c.post("/api/ingest", json=rows).json()
        assert len(report["added"]) == 1 and report["added"][0].endswith(":a1")
        files = {
            "files": (
                "harbour.txt",
                b"Harbour news\n\nThe harbour in Lindholm was dredged to 14 metres in May.\n",
            )
        }
        assert c.post("/api/ingest", files=files).json()["added"] == ["harbour.txt"]
        big = {"files": ("big.txt", b"word " * 20_000)}
        assert c.post("/api/ingest", files=big).status_code == 413
        assert c.post("/api/ingest", content=b"not json").status_code == 400


def test_eight_clients_asking_at_once_all_get_their_own_complete_answers(served):
    url, _ = served
    questions = [
        DOLLARS_QUESTION,
        "Who is the NATO Secretary General?",
        "When was the treaty between Russia and North Korea signed?",
        "What is the population of Pyongyang?",
    ] * 2

    def ask(question):
        done = openai_client(url).chat.completions.create(
            model=EMBEDDED, messages=[{"role": "user", "content": question}]
        )
        return question, done.choices[0].message.content, done.model_extra

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(ask, questions))
    assert len(results) == 8 and all(text for _, text, _ in results)
    by_question: dict[str, set[str]] = {}
    for question, text, _ in results:
        by_question.setdefault(question, set()).add(text)
    assert all(len(texts) == 1 for texts in by_question.values())  # same question, same answer
    assert len({next(iter(t)) for t in by_question.values()}) == 4  # not mixed between questions


def test_binding_beyond_this_machine_needs_api_keys(settings):
    from rag.api import check_binding

    with pytest.raises(BadInput, match="RAG_API_KEYS"):
        check_binding(settings, "0.0.0.0")
    check_binding(settings, "127.0.0.1")
    check_binding(settings.model_copy(update={"api_keys": "k"}), "0.0.0.0")


def test_conversations_persist_per_key_and_export_with_footnotes(served):
    url, _ = served
    mine = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"}, timeout=300)
    theirs = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {OTHER_KEY}"}, timeout=300)
    first = mine.post(
        "/api/ask", json={"question": "Did North Korea send troops to Russia?", "store": True}
    ).json()
    cid = first["conversation_id"]
    follow = mine.post(
        "/api/ask",
        json={"question": "How much money will it receive from Moscow for that?", "conversation_id": cid},
    ).json()
    assert follow["conversation_id"] == cid and VOA in {c["source"] for c in follow["citations"]}
    listed = mine.get("/api/conversations").json()["conversations"]
    assert listed[0]["id"] == cid and listed[0]["title"] == "Did North Korea send troops to Russia?"
    assert listed[0]["messages"] == 4
    stored = mine.get(f"/api/conversations/{cid}").json()
    assert [m["role"] for m in stored["messages"]] == ["user", "assistant", "user", "assistant"]
    assert stored["messages"][3]["answer"]["citations"] == follow["citations"]
    markdown = mine.get(f"/api/conversations/{cid}", params={"format": "markdown"}).text
    assert markdown.startswith("# Did North Korea send troops to Russia?") and "[^1]: " in markdown
    # another key sees none of it
    assert all(c["id"] != cid for c in theirs.get("/api/conversations").json()["conversations"])
    assert theirs.get(f"/api/conversations/{cid}").status_code == 404
    assert theirs.delete(f"/api/conversations/{cid}").status_code == 404
    # OpenAI clients keep a conversation with `store`
    done = openai_client(url).chat.completions.create(
        model=EMBEDDED, messages=[{"role": "user", "content": DOLLARS_QUESTION}], store=True
    )
    assert mine.get(f"/api/conversations/{done.model_extra['conversation_id']}").status_code == 200
    assert mine.delete(f"/api/conversations/{cid}").json() == {"deleted": cid}
    assert mine.get(f"/api/conversations/{cid}").status_code == 404
