"""Test support: a loopback HTTP server that speaks Ollama's API, generating with the embedded
llama.cpp instruct model through its own chat template (as Ollama does), so the Ollama backend is
exercised over the wire with a model that follows instructions and paraphrases.

Not product code. `cut_after` makes /api/chat drop the connection mid-stream.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def send_json(handler: BaseHTTPRequestHandler, status: int, body: dict) -> None:
    """One JSON reply with its length, as Ollama's HTTP API answers."""
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class OllamaTestServer:
    def __init__(self, gguf_path: str, model_name: str = "qwen2.5-coder:0.5b"):
        from llama_cpp import Llama

        self.model_name = model_name
        self.llm = Llama(model_path=gguf_path, n_ctx=4096, n_threads=2, verbose=False)
        self.lock = threading.Lock()
        self.requests: list[dict] = []
        self.cut_after: int | None = None
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def generate(self, prompt: str | list[dict], options: dict):
        """A completion for /api/generate (str prompt), a chat reply for /api/chat (messages)."""
        kwargs = dict(
            max_tokens=int(options.get("num_predict", 128)),
            temperature=float(options.get("temperature", 0)),
            stop=options.get("stop") or None,
            stream=True,
        )
        with self.lock:
            if isinstance(prompt, str):
                for part in self.llm(prompt, **kwargs):
                    yield part["choices"][0]["text"]
            else:
                for part in self.llm.create_chat_completion(prompt, **kwargs):
                    yield part["choices"][0]["delta"].get("content") or ""

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _json(self, status: int, body: dict):
                send_json(self, status, body)

            def do_GET(self):
                if self.path == "/api/version":
                    return self._json(200, {"version": "0.0.0-test"})
                if self.path == "/api/tags":
                    return self._json(
                        200,
                        {
                            "models": [
                                {
                                    "name": server.model_name,
                                    "model": server.model_name,
                                    "modified_at": datetime.now(UTC).isoformat(),
                                    "size": 253_000_000,
                                    "digest": "0" * 64,
                                    "details": {"format": "gguf", "family": "qwen2"},
                                }
                            ]
                        },
                    )
                return self._json(404, {"error": "not found"})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                server.requests.append({"path": self.path, **body})
                if body.get("model") not in (server.model_name, None):
                    return self._json(404, {"error": f"model '{body.get('model')}' not found"})
                if self.path == "/api/show":
                    return self._json(200, {"modelfile": "", "details": {"family": "qwen2"}})
                if self.path == "/api/chat":
                    messages = [{"role": m["role"], "content": m["content"]} for m in body["messages"]]
                    return self._stream(
                        messages, body, lambda t: {"message": {"role": "assistant", "content": t}}
                    )
                if self.path == "/api/generate":
                    return self._stream(body["prompt"], body, lambda t: {"response": t})
                return self._json(404, {"error": "not found"})

            def _stream(self, prompt, body, shape):
                options = body.get("options") or {}
                if body.get("stream") is False:
                    text = "".join(server.generate(prompt, options))
                    return self._json(200, {"model": server.model_name, **shape(text), "done": True})
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()

                def send(obj):
                    line = (json.dumps(obj) + "\n").encode()
                    self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
                    self.wfile.flush()

                now = datetime.now(UTC).isoformat()
                for i, piece in enumerate(server.generate(prompt, options)):
                    if server.cut_after is not None and i >= server.cut_after:
                        self.close_connection = True
                        return  # drop the connection without the final chunk
                    send({"model": server.model_name, "created_at": now, **shape(piece), "done": False})
                send(
                    {
                        "model": server.model_name,
                        "created_at": now,
                        **shape(""),
                        "done": True,
                        "done_reason": "stop",
                    }
                )
                self.wfile.write(b"0\r\n\r\n")

        return Handler
