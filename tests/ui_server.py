"""Start the real chat page in-process on a free loopback port, for the UI tests."""

from __future__ import annotations

import socket
from contextlib import contextmanager

from rag.assistant import Assistant


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_ui(assistant: Assistant):
    """Yield the page's URL; the page is built and served as `rag ui` does it."""
    from ui.app import basic_auth, build, serve

    auth = basic_auth(assistant.settings)
    demo = serve(
        build(assistant),
        "127.0.0.1",
        free_port(),
        auth=auth,
        max_upload_mb=assistant.settings.max_upload_mb,
        prevent_thread_lock=True,
        quiet=True,
    )
    try:
        yield demo.local_url
    finally:
        demo.close()


@contextmanager
def embedded_page(home, models_dir, embedder):
    """The page over the bundled corpus on the embedded model: yields (url, assistant)."""
    from rag.settings import Settings
    from tests.conftest import CORPUS

    settings = Settings(home=home, models=models_dir, backend="llamacpp")
    assistant = Assistant(settings, embedder=embedder)
    assistant.ingest([CORPUS])
    with running_ui(assistant) as url:
        yield url, assistant
