"""Token counting with tiktoken, offline: the cl100k_base file ships inside llama-index-core."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

ENCODING = "cl100k_base"


@lru_cache(maxsize=1)
def encoding():
    import tiktoken

    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        # tiktoken would download the BPE file on first use; llama-index-core bundles it.
        import llama_index.core

        cache = Path(llama_index.core.__file__).parent / "_static" / "tiktoken_cache"
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))
