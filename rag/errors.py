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
