"""The server path: a real `chroma run` on a free loopback port, ingested and searched through."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.assistant import Assistant
from tests.conftest import CORPUS, DOLLARS_QUESTION, VOA

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    port = free_port()
    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma run did not start listening within 60 s")
    yield port
    proc.terminate()
    proc.wait(timeout=20)


def test_ingest_and_search_through_a_chroma_server(chroma_server, settings, embedder):
    server_settings = settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": chroma_server})
    assistant = Assistant(server_settings, embedder=embedder)
    assert assistant.store.where == f"chroma server http://127.0.0.1:{chroma_server}"
    report = assistant.ingest([CORPUS])
    assert len(report.added) == 5
    assert not (settings.home / "chroma").exists()  # nothing went to the embedded store

    fresh = Assistant(server_settings, embedder=embedder)  # a second process would see the same
    assert fresh.ingest([CORPUS]).changed is False
    top = fresh.search(DOLLARS_QUESTION)[0]
    assert top.chunk.source == VOA and "$200 million" in top.chunk.text


def test_an_unreachable_server_is_a_one_line_error(settings, embedder):
    from rag.errors import RagError

    port = free_port()
    assistant = Assistant(
        settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": port}), embedder=embedder
    )
    with pytest.raises(RagError, match=rf"cannot reach chroma server http://127.0.0.1:{port}.*chroma run"):
        assistant.search("Kursk")


def test_the_search_api_is_detected_as_missing_on_chroma_run_and_keywords_stay_local(
    chroma_server, settings, embedder
):
    """`chroma run` answers that Search is not implemented (only distributed Chroma runs it): the
    probe says so, and hybrid search goes on with the local keyword index."""
    server = Assistant(
        settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": chroma_server}),
        embedder=embedder,
    )
    server.ingest([CORPUS])
    assert server.store.search_api() is False
    assert server.status()["chroma_search_api"] is False
    hits = server.search(DOLLARS_QUESTION, k=3)
    assert hits[0].chunk.source == VOA and hits[0].bm25_rank is not None
    embedded = Assistant(settings.model_copy(update={"home": settings.home / "embedded"}), embedder=embedder)
    embedded.ingest([CORPUS])
    assert embedded.store.search_api() is False
