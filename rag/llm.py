"""Model backends behind one small interface. `make_llm` is the only place that picks one.

- `ollama`: the user's Ollama server (chat API, streaming, num_ctx sent explicitly)
- `llamacpp`: in-process llama.cpp on the bundled gemma-3-270m base GGUF (completion-style)
- `auto`: Ollama when it answers and has the model, else llama.cpp
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Literal, Protocol

from rag.errors import BackendUnavailable, GenerationFailed, ModelNotPulled, ollama_unreachable
from rag.settings import Settings

PromptStyle = Literal["chat", "completion"]


class LLM(Protocol):
    backend: str
    model: str
    style: PromptStyle  # chat: gets system + user messages; completion: one few-shot prompt

    def stream(self, prompt: str | list[dict], *, stop: list[str], max_tokens: int) -> Iterator[str]:
        """Yield text pieces; raise GenerationFailed if the answer cannot be completed."""
        ...


class LlamaCppLLM:
    backend = "llamacpp"
    style: PromptStyle = "completion"

    def __init__(self, settings: Settings):
        from rag.model_files import gguf_path

        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise BackendUnavailable(
                "llama-cpp-python is not installed: run ./quickstart.sh (or pip install llama-cpp-python)"
            ) from exc
        path = gguf_path(settings.models_dir, settings.gguf_path)
        self.model = path.name
        self.temperature = settings.temperature
        self._llm = Llama(
            model_path=str(path), n_ctx=settings.num_ctx, n_threads=settings.threads, verbose=False
        )
        self._lock = threading.Lock()  # one llama.cpp context serves one request at a time

    def stream(self, prompt, *, stop, max_tokens):
        if not isinstance(prompt, str):
            raise TypeError("llama.cpp backend takes a completion prompt")
        with self._lock:
            for part in self._llm(
                prompt, max_tokens=max_tokens, temperature=self.temperature, stop=stop, stream=True
            ):
                yield part["choices"][0]["text"]

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False))


class OllamaLLM:
    backend = "ollama"
    style: PromptStyle = "chat"

    def __init__(self, settings: Settings, check: bool = True):
        import ollama

        self.model = settings.model
        self.host = settings.ollama_host
        self.options = {"temperature": settings.temperature, "num_ctx": settings.num_ctx}
        self.client = ollama.Client(host=settings.ollama_host, timeout=settings.request_timeout)
        if check:
            self.check()

    def _unreachable(self, exc: Exception) -> BackendUnavailable:
        return ollama_unreachable(self.host, exc)

    def check(self) -> None:
        """Raise BackendUnavailable / ModelNotPulled unless the server answers and has the model."""
        import httpx

        try:
            names = {m.model for m in self.client.list().models}
        except (httpx.HTTPError, ConnectionError) as exc:
            raise self._unreachable(exc) from exc
        wanted = {self.model, f"{self.model}:latest"}
        if not names & wanted:
            raise ModelNotPulled(f"Ollama has no model {self.model!r}: run `ollama pull {self.model}`")

    def stream(self, prompt, *, stop, max_tokens):
        import httpx
        import ollama

        messages = prompt if isinstance(prompt, list) else [{"role": "user", "content": prompt}]
        options = {**self.options, "num_predict": max_tokens, "stop": stop}
        done = False
        try:
            for part in self.client.chat(model=self.model, messages=messages, stream=True, options=options):
                yield part.message.content or ""
                done = done or bool(part.done)
        except ollama.ResponseError as exc:
            if exc.status_code == 404:
                raise ModelNotPulled(f"run `ollama pull {self.model}`") from exc
            raise GenerationFailed(f"Ollama failed: {exc.error}") from exc
        except httpx.ConnectError as exc:
            raise self._unreachable(exc) from exc
        except (httpx.HTTPError, ConnectionError, ValueError) as exc:
            raise GenerationFailed(f"the Ollama stream broke off ({type(exc).__name__}); try again") from exc
        if not done:
            raise GenerationFailed("the Ollama stream ended before the answer was complete; try again")


def ollama_has_model(settings: Settings) -> bool:
    """Quick probe for `auto`: the server answers within 2 s and lists the model."""
    try:
        OllamaLLM(settings.model_copy(update={"request_timeout": 2.0}), check=True)
        return True
    except (BackendUnavailable, ModelNotPulled):
        return False


def ollama_models(settings: Settings) -> list[str]:
    """Names of the models the Ollama server has pulled; [] when it does not answer within 2 s."""
    import httpx
    import ollama

    try:
        client = ollama.Client(host=settings.ollama_host, timeout=2.0)
        return sorted(m.model for m in client.list().models)
    except (httpx.HTTPError, ConnectionError, ollama.ResponseError):
        return []


def make_llm(settings: Settings) -> LLM:
    match settings.backend:
        case "ollama":
            return OllamaLLM(settings)
        case "llamacpp":
            return LlamaCppLLM(settings)
        case "auto":
            return OllamaLLM(settings) if ollama_has_model(settings) else LlamaCppLLM(settings)
    raise ValueError(settings.backend)
