"""Model backends behind one small interface. `make_llm` is the only place that picks one.

- `ollama`: the user's Ollama server (chat API, streaming, num_ctx sent explicitly)
- `llamacpp`: in-process llama.cpp on the embedded Qwen2.5-Coder-Instruct GGUF (its chat template)
- `auto`: Ollama when it answers and has the model, else llama.cpp
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Protocol

from rag.errors import (
    BackendUnavailable,
    GenerationFailed,
    ModelNotPulled,
    ollama_server_error,
    ollama_timed_out,
    ollama_unreachable,
)
from rag.settings import Settings


class LLM(Protocol):
    """A chat model: takes system/user messages, yields text pieces."""

    backend: str
    model: str

    def stream(self, prompt: list[dict], *, stop: list[str], max_tokens: int) -> Iterator[str]:
        """Yield text pieces; raise GenerationFailed if the answer cannot be completed."""
        ...


class LlamaCppLLM:
    """llama.cpp in-process on a GGUF instruct model, prompted through the GGUF's own chat template,
    so the embedded and Ollama paths send the same messages. The fixed system prompt comes first:
    llama.cpp keeps the evaluated prefix, so consecutive answers only process their evidence."""

    backend = "llamacpp"

    def __init__(self, settings: Settings):
        from rag.model_files import gguf_path

        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise BackendUnavailable(
                "llama-cpp-python is not installed: run ./quickstart.sh (or pip install llama-cpp-python)"
            ) from exc
        path = gguf_path(settings.models_dir, settings.gguf_path, settings.embedded_model)
        self.model = path.name
        self.temperature = settings.temperature
        self.n_ctx = settings.num_ctx
        extra = {}
        if settings.prompt_lookup:
            from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

            extra["draft_model"] = LlamaPromptLookupDecoding(num_pred_tokens=settings.prompt_lookup)
        self._llm = Llama(
            model_path=str(path),
            n_ctx=settings.num_ctx,
            n_threads=settings.cpu_threads,
            verbose=False,
            **extra,
        )
        self._lock = threading.Lock()  # one llama.cpp context serves one request at a time

    def stream(self, prompt, *, stop, max_tokens):
        """Pieces of the answer as llama.cpp writes them. A worker thread holds the model, never
        the caller's generator: a stream the caller abandons (a closed tab) stops at its next
        token when closed, and at worst frees the model after `max_tokens`, never pins it."""
        messages = prompt if isinstance(prompt, list) else [{"role": "user", "content": prompt}]
        pieces: queue.Queue = queue.Queue()
        cancelled = threading.Event()

        def work():
            with self._lock:
                try:
                    parts = self._llm.create_chat_completion(
                        messages,
                        max_tokens=max_tokens,
                        temperature=self.temperature,
                        stop=stop or None,
                        stream=True,
                    )
                    for part in parts:
                        if cancelled.is_set():
                            break
                        pieces.put(("piece", part["choices"][0]["delta"].get("content") or ""))
                except ValueError as exc:  # llama.cpp's context overflow
                    pieces.put(("error", GenerationFailed(f"the embedded model could not answer: {exc}")))
                except Exception as exc:  # noqa: BLE001 - handed to the caller's thread
                    pieces.put(("error", exc))
                finally:
                    pieces.put(("done", None))

        threading.Thread(target=work, name="llama.cpp stream", daemon=True).start()
        try:
            while True:
                kind, value = pieces.get()
                if kind == "piece":
                    yield value
                elif kind == "error":
                    raise value
                else:
                    return
        finally:
            cancelled.set()

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def logprobs_of(self, messages: list[dict], choices: list[str]) -> dict[str, float]:
        """Log-probabilities of each choice's first token as the model's next token after `messages`
        (a yes/no judge without sampling)."""
        import numpy as np

        with self._lock:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            template = self._llm.metadata["tokenizer.chat_template"]
            eos = self._llm._model.token_get_text(self._llm.token_eos())
            bos = self._llm._model.token_get_text(self._llm.token_bos())
            formatted = Jinja2ChatFormatter(template, eos_token=eos, bos_token=bos)(messages=messages).prompt
            tokens = self._llm.tokenize(formatted.encode("utf-8"), add_bos=False, special=True)
            self._llm.reset()
            self._llm.eval(tokens)
            # llama-cpp-python keeps no scores unless logits_all; the context holds the last row
            n_vocab = self._llm.n_vocab()
            logits = np.ctypeslib.as_array(self._llm._ctx.get_logits(), shape=(n_vocab,)).astype(np.float64)
            logits = logits - logits.max()
            logp = logits - np.log(np.exp(logits).sum())
            return {
                c: float(logp[self._llm.tokenize(c.encode("utf-8"), add_bos=False, special=False)[0]])
                for c in choices
            }


class OllamaLLM:
    backend = "ollama"

    def __init__(self, settings: Settings, check: bool = True):
        import ollama

        self.model = settings.model
        self.host = settings.ollama_host
        self.options = {"temperature": settings.temperature, "num_ctx": settings.num_ctx}
        self.timeout = settings.request_timeout
        self.client = ollama.Client(host=settings.ollama_host, timeout=settings.request_timeout)
        if check:
            self.check()

    def _unreachable(self, exc: Exception) -> BackendUnavailable:
        return ollama_unreachable(self.host, exc)

    def check(self) -> None:
        """Raise BackendUnavailable / ModelNotPulled unless the server answers and has the model."""
        import httpx
        import ollama

        try:
            names = {m.model for m in self.client.list().models}
        except ollama.ResponseError as exc:
            raise BackendUnavailable(ollama_server_error(self.host, exc.status_code, exc.error)) from exc
        except httpx.TimeoutException as exc:
            raise BackendUnavailable(ollama_timed_out(self.host, self.timeout)) from exc
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
            raise GenerationFailed(ollama_server_error(self.host, exc.status_code, exc.error)) from exc
        except httpx.ConnectError as exc:
            raise self._unreachable(exc) from exc
        except httpx.TimeoutException as exc:
            raise GenerationFailed(ollama_timed_out(self.host, self.timeout)) from exc
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
