"""Conversations in SQLite: per owner, newest first, exported as Markdown with footnotes, and a
`rag serve` killed with SIGKILL in the middle of an answer loses at most that answer."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import httpx
import pytest

from rag.conversations import ConversationStore, to_markdown
from tests.conftest import DOLLARS_QUESTION, REPO
from tests.ui_server import free_port

ANSWER = {
    "citations": [
        {
            "n": 1,
            "source": "voa.txt",
            "title": "Analysts",
            "outlet": "VOA",
            "date": None,
            "quote": "It gets $200 million.",
        }
    ]
}


def test_conversations_are_per_owner_newest_first_and_deleted_whole(tmp_path):
    store = ConversationStore(tmp_path / "c.sqlite")
    a = store.create("alice", "How much will North Korea receive?")
    store.add(a, "alice", "user", "How much will North Korea receive?")
    store.add(a, "alice", "assistant", "It gets $200 million [1].", ANSWER)
    time.sleep(0.01)
    b = store.create("alice", "Who is the NATO chief?   " + "x" * 200)
    store.add(b, "alice", "user", "Who is the NATO chief?")
    assert [c["id"] for c in store.list("alice")] == [b, a]
    assert store.list("alice")[0]["title"].endswith("…") and len(store.list("alice")[0]["title"]) == 80
    assert store.list("bob") == [] and store.get(a, "bob") is None
    with pytest.raises(KeyError):
        store.add(a, "bob", "user", "sneaking in")
    assert store.get(a, "alice")["messages"][1]["answer"] == ANSWER
    assert not store.delete(a, "bob") and store.delete(a, "alice")
    assert store.get(a, "alice") is None
    assert sqlite3.connect(tmp_path / "c.sqlite").execute("SELECT count(*) FROM messages").fetchone()[0] == 1


def test_markdown_export_has_footnote_citations_with_quotes(tmp_path):
    store = ConversationStore(tmp_path / "c.sqlite")
    a = store.create("alice", "How much?")
    store.add(a, "alice", "user", "How much?")
    store.add(a, "alice", "assistant", "It gets $200 million [1].", ANSWER)
    text = to_markdown(store.get(a, "alice"))
    assert text.startswith("# How much?\n\n## How much?\n\nIt gets $200 million [^1].")
    assert '[^1]: voa.txt (Analysts, VOA): "It gets $200 million."' in text


@pytest.mark.slow
def test_a_server_killed_in_the_middle_of_an_answer_loses_at_most_that_answer(tmp_path, models_dir):
    port = free_port()
    env = {
        **os.environ,
        "RAG_HOME": str(tmp_path / "home"),
        "RAG_MODELS": str(models_dir),
        "RAG_BACKEND": "llamacpp",
        "RAG_UI_PORT": str(port),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "serve"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/status", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        first = httpx.post(
            f"{url}/api/ask", json={"question": DOLLARS_QUESTION, "store": True}, timeout=300
        ).json()
        cid = first["conversation_id"]

        def second():
            try:
                httpx.post(
                    f"{url}/api/ask",
                    json={"question": "Who is the NATO Secretary General?", "conversation_id": cid},
                    timeout=300,
                )
            except httpx.HTTPError:
                pass  # the server is killed while answering

        asking = threading.Thread(target=second)
        asking.start()
        time.sleep(0.8)  # the question is stored; the model is writing the answer
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        asking.join(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    db = tmp_path / "home" / "conversations.sqlite"
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    kept = ConversationStore(db).get(cid, "api")
    roles = [m["role"] for m in kept["messages"]]
    assert roles[:2] == ["user", "assistant"] and kept["messages"][1]["answer"]["citations"]
    assert roles[2:] in (["user"], ["user", "assistant"])  # at most the answer being written is lost
