"""Text -> unit vectors. The default runs the int8 ONNX MiniLM in-process; Ollama is optional."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from rag import model_files
from rag.errors import (
    BackendUnavailable,
    ModelNotPulled,
    ollama_server_error,
    ollama_timed_out,
    ollama_unreachable,
)
from rag.settings import Settings


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> np.ndarray: ...


class OnnxMiniLM:
    """all-MiniLM-L6-v2 on onnxruntime; batches are sorted by length to avoid padding work."""

    def __init__(self, settings: Settings):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.name = model_files.EMBED_MODEL_ID
        self.batch = settings.embed_batch
        path = model_files.onnx_embedding_path(settings.models_dir)
        options = ort.SessionOptions()
        options.intra_op_num_threads = settings.cpu_threads
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(model_files.minilm_dir() / "tokenizer.json"))
        self.tokenizer.enable_truncation(model_files.MAX_SEQ_TOKENS)
        self.tokenizer.enable_padding()
        self.counter = Tokenizer.from_file(str(model_files.minilm_dir() / "tokenizer.json"))
        self.counter.no_truncation()

    def too_long(self, texts: list[str]) -> int:
        """How many of the texts exceed the word pieces the model reads (their tail is cut)."""
        lengths = self.counter.encode_batch(texts)
        return sum(len(e.ids) > model_files.MAX_SEQ_TOKENS for e in lengths)

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for b in range(0, len(order), self.batch):
            idx = order[b : b + self.batch]
            enc = self.tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            out[idx] = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return out


class OllamaEmbedder:
    def __init__(self, settings: Settings):
        import ollama

        self.name = f"ollama:{settings.ollama_embed_model}"
        self.model = settings.ollama_embed_model
        self.host = settings.ollama_host
        self.timeout = settings.request_timeout
        self.client = ollama.Client(host=settings.ollama_host, timeout=settings.request_timeout)

    def embed(self, texts: list[str]) -> np.ndarray:
        import httpx
        import ollama

        try:
            vectors = self.client.embed(model=self.model, input=texts).embeddings
        except (httpx.ConnectError, ConnectionError) as exc:
            raise ollama_unreachable(self.host, exc) from exc
        except httpx.TimeoutException as exc:
            raise BackendUnavailable(ollama_timed_out(self.host, self.timeout)) from exc
        except ollama.ResponseError as exc:
            if exc.status_code == 404:
                raise ModelNotPulled(f"run `ollama pull {self.model}`") from exc
            raise BackendUnavailable(ollama_server_error(self.host, exc.status_code, exc.error)) from exc
        except httpx.HTTPError as exc:
            raise BackendUnavailable(f"Ollama at {self.host} failed ({type(exc).__name__}): {exc}") from exc
        arr = np.asarray(vectors, dtype=np.float32)
        return arr / np.maximum(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12)


def make_embedder(settings: Settings) -> Embedder:
    match settings.embed_backend:
        case "onnx":
            return OnnxMiniLM(settings)
        case "ollama":
            return OllamaEmbedder(settings)
    raise ValueError(settings.embed_backend)
