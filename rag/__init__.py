"""Citation-first question answering over news articles.

Importing this package loads no model; `Assistant()` loads what it needs on first use.
"""

from rag.settings import Settings

__all__ = ["Assistant", "Settings"]


def __getattr__(name: str):
    if name == "Assistant":
        from rag.assistant import Assistant

        return Assistant
    raise AttributeError(name)
