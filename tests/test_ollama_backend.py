"""The Ollama backend over the wire, against a loopback server that speaks Ollama's API and
generates with the embedded model."""

from __future__ import annotations

import socket

import pytest

from rag.assistant import Assistant
from rag.errors import BackendUnavailable, GenerationFailed, ModelNotPulled
from rag.types import Answer
from tests.conftest import CORPUS, DOLLARS_QUESTION, VOA
from tests.ollama_server import OllamaTestServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(models_dir):
    from rag.model_files import gguf_path

    with OllamaTestServer(str(gguf_path(models_dir))) as srv:
        yield srv


@pytest.fixture(scope="module")
def home(tmp_path_factory, models_dir, embedder):
    from rag.settings import Settings

    settings = Settings(home=tmp_path_factory.mktemp("ollama"), models=models_dir)
    Assistant(settings, embedder=embedder).ingest([CORPUS])
    return settings


def assistant_for(home, embedder, **update):
    return Assistant(home.model_copy(update=update), embedder=embedder)


def test_answers_come_over_the_wire_with_citations_and_num_ctx(server, home, embedder):
    server.cut_after = None
    a = assistant_for(home, embedder, backend="ollama", ollama_host=server.url, model="qwen2.5-coder:0.5b")
    answer = a.ask(DOLLARS_QUESTION)
    assert (answer.backend, answer.model) == ("ollama", "qwen2.5-coder:0.5b")
    assert "200 million" in answer.text and any(c.source == VOA for c in answer.citations)
    chat = [r for r in server.requests if r["path"] == "/api/chat"][-1]
    assert chat["options"]["num_ctx"] == home.num_ctx and chat["stream"] is True
    assert chat["messages"][0]["role"] == "system"


def test_auto_prefers_ollama_when_it_has_the_model(server, home, embedder):
    a = assistant_for(home, embedder, backend="auto", ollama_host=server.url, model="qwen2.5-coder:0.5b")
    assert a.llm.backend == "ollama"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_auto_falls_back_to_the_embedded_model_when_ollama_is_down(home, embedder):
    a = assistant_for(home, embedder, backend="auto", ollama_host=f"http://127.0.0.1:{free_port()}")
    assert a.llm.backend == "llamacpp"


def test_unreachable_ollama_names_the_host_and_how_to_start_it(home, embedder):
    host = f"http://127.0.0.1:{free_port()}"
    a = assistant_for(home, embedder, backend="ollama", ollama_host=host)
    with pytest.raises(BackendUnavailable, match=rf"not reachable at {host}.*ollama serve"):
        a.ask(DOLLARS_QUESTION)


def test_a_model_not_pulled_gives_the_pull_command(server, home, embedder):
    a = assistant_for(home, embedder, backend="ollama", ollama_host=server.url, model="llama3.2:3b")
    with pytest.raises(ModelNotPulled, match="ollama pull llama3.2:3b"):
        a.ask(DOLLARS_QUESTION)


def test_a_stream_cut_midway_is_an_error_and_no_answer_is_presented(server, home, embedder):
    a = assistant_for(home, embedder, backend="ollama", ollama_host=server.url, model="qwen2.5-coder:0.5b")
    server.cut_after = 2
    events = []
    try:
        with pytest.raises(GenerationFailed, match="try again"):
            for event in a.stream(DOLLARS_QUESTION):
                events.append(event)
    finally:
        server.cut_after = None
    # only the quick answer marked preliminary came before the cut; no verified answer is presented
    assert not any(isinstance(e, Answer) and not e.preliminary for e in events)
