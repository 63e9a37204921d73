"""User-facing failures: one type per kind, each message says what to do next."""


class RagError(Exception):
    """Base of every error the CLI and UI show as one line."""


class IndexMissing(RagError):
    pass


class IndexMismatch(RagError):
    pass


class BadInput(RagError):
    pass


class BadQuestion(BadInput):
    pass


class BackendUnavailable(RagError):
    pass


class ModelNotPulled(RagError):
    pass


class GenerationFailed(RagError):
    pass


class ModelFilesMissing(RagError):
    pass


class ModelFileMismatch(RagError):
    """An assembled model file is not the pinned one (size or sha256)."""


def ollama_unreachable(host: str, exc: Exception) -> BackendUnavailable:
    """The one message for a dead Ollama server, for generation and embeddings alike."""
    return BackendUnavailable(
        f"Ollama is not reachable at {host} ({type(exc).__name__}): "
        "start it with `ollama serve` or set OLLAMA_HOST"
    )


def ollama_server_error(host: str, status: int, message: str) -> str:
    """One line for an error the Ollama server answered with (a 5xx, an overloaded GPU)."""
    first = " ".join(str(message).split())[:200]
    return f"Ollama at {host} answered HTTP {status}: {first}"


def ollama_timed_out(host: str, seconds: float) -> str:
    return f"Ollama at {host} timed out after {seconds:g} s (RAG_REQUEST_TIMEOUT)"
