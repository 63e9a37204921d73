"""Ollama faults as users meet them, against loopback servers these tests start: a server that
answers 5xx, and one that stalls past the timeout. Each becomes one clear RagError (issue 10, item 5)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.embeddings import OllamaEmbedder
from rag.errors import BackendUnavailable, GenerationFailed
from rag.llm import OllamaLLM, ollama_has_model
from rag.settings import Settings
from tests.ollama_server import send_json

MODEL = "qwen2.5-coder:0.5b"


class FaultyOllama:
    """`/api/tags` lists the model (unless `tags_status` says otherwise); every other route
    answers `status`, or stalls `stall` seconds first."""

    def __init__(self, status: int = 500, tags_status: int = 200, stall: float = 0.0):
        self.status, self.tags_status, self.stall = status, tags_status, stall
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if outer.tags_status != 200:
                    return send_json(self, outer.tags_status, {"error": "server overloaded"})
                send_json(self, 200, {"models": [{"name": MODEL, "model": MODEL}]})

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if outer.stall:
                    time.sleep(outer.stall)
                send_json(self, outer.status, {"error": "CUDA error: out of memory"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def settings(self, **kw) -> Settings:
        host, port = self.server.server_address
        return Settings(ollama_host=f"http://{host}:{port}", model=MODEL, **kw)


def _drain(llm: OllamaLLM) -> str:
    return "".join(llm.stream([{"role": "user", "content": "hi"}], stop=[], max_tokens=8))


def test_a_server_error_while_listing_models_is_backend_unavailable_and_auto_falls_back():
    with FaultyOllama(tags_status=503) as server:
        with pytest.raises(BackendUnavailable, match=r"HTTP 503.*server overloaded"):
            OllamaLLM(server.settings())
        assert ollama_has_model(server.settings()) is False  # so `auto` takes the embedded model


def test_a_server_error_while_answering_is_a_one_line_generation_failure():
    with FaultyOllama(status=500) as server:
        llm = OllamaLLM(server.settings())
        with pytest.raises(GenerationFailed, match=r"HTTP 500.*out of memory") as err:
            _drain(llm)
        assert "\n" not in str(err.value)


def test_a_stalled_answer_says_it_timed_out_after_the_timeout():
    with FaultyOllama(status=200, stall=3.0) as server:
        llm = OllamaLLM(server.settings(request_timeout=1.0))
        with pytest.raises(GenerationFailed, match=r"timed out after 1 s"):
            _drain(llm)


def test_embedder_errors_are_translated():
    with FaultyOllama(status=500) as server:
        with pytest.raises(BackendUnavailable, match=r"HTTP 500.*out of memory"):
            OllamaEmbedder(server.settings()).embed(["a sentence"])
    with FaultyOllama(status=200, stall=3.0) as server:
        with pytest.raises(BackendUnavailable, match=r"timed out after 1 s"):
            OllamaEmbedder(server.settings(request_timeout=1.0)).embed(["a sentence"])
