"""The one settings object: read from the environment (RAG_*, OLLAMA_HOST, CHROMA_*) once, passed down."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = REPO_ROOT / "data" / "corpus"


class Settings(BaseSettings):
    """Every knob of the pipeline. Field descriptions feed the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore", frozen=True)

    # --- storage -----------------------------------------------------------------------------
    home: Path = Field(Path(".rag"), description="Data directory: Chroma store and model files.")
    models: Path | None = Field(None, description="Where model files are made; default $RAG_HOME/models.")
    corpus: Path = Field(BUNDLED_CORPUS, description="Default folder that `rag ingest` reads.")
    collection: str = Field("news", description="Chroma collection name.")
    chroma_host: str | None = Field(
        None,
        validation_alias=AliasChoices("CHROMA_HOST", "RAG_CHROMA_HOST"),
        description="Chroma server host (`chroma run`); unset means the embedded store.",
    )
    chroma_port: int = Field(
        8000,
        validation_alias=AliasChoices("CHROMA_PORT", "RAG_CHROMA_PORT"),
        description="Chroma server port.",
    )

    # --- chunking and embeddings --------------------------------------------------------------
    chunk_tokens: int = Field(180, ge=32, le=2000, description="Chunk size in tiktoken tokens.")
    chunk_overlap: int = Field(30, ge=0, description="Tokens of trailing sentences repeated.")
    embed_backend: Literal["onnx", "ollama"] = Field(
        "onnx", description="`onnx`: bundled all-MiniLM-L6-v2, int8; `ollama`: Ollama embed model."
    )
    ollama_embed_model: str = Field("nomic-embed-text", description="Embed model for Ollama.")
    embed_batch: int = Field(16, ge=1, description="Chunks per embedding batch.")

    # --- retrieval ----------------------------------------------------------------------------
    top_k: int = Field(5, ge=1, le=50, description="Hits returned by retrieval.")
    candidates: int = Field(20, ge=1, description="Candidates per retriever before fusion.")
    fusion: Literal["score", "rrf"] = Field(
        "score", description="`score`: weighted sum of normalised scores; `rrf`: reciprocal rank."
    )
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in fusion.")
    bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in fusion.")

    # --- generation ---------------------------------------------------------------------------
    backend: Literal["auto", "ollama", "llamacpp"] = Field(
        "auto", description="`auto`: Ollama if it answers and has the model, else llama.cpp."
    )
    model: str = Field("llama3.2:3b", description="Ollama model name.")
    ollama_host: str = Field(
        "http://127.0.0.1:11434",
        validation_alias=AliasChoices("OLLAMA_HOST", "RAG_OLLAMA_HOST"),
        description="Ollama server URL.",
    )
    request_timeout: float = Field(180.0, gt=0, description="Seconds to wait for Ollama.")
    temperature: float = Field(0.0, ge=0, description="Sampling temperature.")
    num_ctx: int = Field(4096, ge=512, description="Context window sent to Ollama as num_ctx.")
    embedded_model: Literal["qwen2.5-0.5b", "qwen2.5-1.5b"] = Field(
        "qwen2.5-0.5b",
        description="Embedded instruct model (Qwen2.5-Coder Instruct, Q4_K_M GGUF from PyPI parts).",
    )
    gguf_path: Path | None = Field(
        None, description="Another GGUF for llama.cpp (its chat template is used)."
    )
    prompt_lookup: int = Field(
        0,
        ge=0,
        le=32,
        description="Prompt-lookup decoding: draft tokens per step copied from the prompt (0: off).",
    )
    threads: int = Field(0, ge=0, description="CPU threads for llama.cpp and onnxruntime (0: all cores).")
    max_answer_tokens: int = Field(160, ge=16, description="Generated tokens at most.")
    max_question_chars: int = Field(1000, ge=10, description="Longest question accepted.")

    # --- evidence, verification, refusal (chosen on the dev sets: README, "Evaluation") --------
    evidence_keyword_weight: float = Field(
        0.8,
        ge=0,
        description="Weight of the question-word overlap added to the embedding cosine when ranking "
        "evidence sentences.",
    )
    evidence_tokens: int = Field(
        400, ge=64, description="Token budget of the evidence excerpts given to the model."
    )
    evidence_sentences: int = Field(
        6, ge=1, description="Best sentences (with neighbours) given to the model."
    )
    support_coverage: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Share of a claim's content words that one cited sentence (or two adjacent) must hold.",
    )
    relevance_margin: float = Field(
        0.3,
        ge=0,
        le=2,
        description="A generated claim is kept only if a sentence supporting it scores within this of the "
        "best evidence sentence.",
    )
    refuse_below: float = Field(
        0.7,
        ge=0,
        le=2,
        description="Refuse without a model call when the best evidence sentence scores below this.",
    )
    quote_above: float = Field(
        0.7,
        ge=0,
        le=2,
        description="When nothing generated holds up (or the model says the excerpts don't answer), quote "
        "the best sentence if it scores at least this; else refuse.",
    )
    max_quotes: int = Field(2, ge=1, le=5, description="Sentences an extractive answer quotes at most.")
    second_quote_margin: float = Field(
        0.5,
        ge=0,
        le=2,
        description="A further sentence is quoted when it scores within this of the best one.",
    )
    conflict_margin: float = Field(
        0.1,
        ge=0,
        le=2,
        description="Another article's sentence with a different value counts as a conflict when it "
        "scores within this of the best evidence sentence.",
    )

    recency_weight: float = Field(
        0.1,
        ge=0,
        le=2,
        description='For "latest" / "first" questions: evidence from the newest (oldest) retrieved '
        "article gains up to this much.",
    )
    today: date | None = Field(
        None, description='The date relative time expressions ("last week") are read against; default: today.'
    )

    # --- UI -----------------------------------------------------------------------------------
    ui_host: str = Field("127.0.0.1", description="Address the chat UI binds to.")
    ui_port: int = Field(7860, description="Port of the chat UI.")
    fetch_timeout: float = Field(20.0, gt=0, description="Seconds to wait for a page added by URL.")
    max_page_mb: float = Field(5.0, gt=0, description="Largest page fetched by URL, in MB.")
    feed_refresh_minutes: float = Field(
        0.0,
        ge=0,
        description="`rag serve` and `rag ui` update every followed feed this often, in minutes (0: off).",
    )
    max_upload_mb: float = Field(
        10.0, gt=0, le=1024, description='Largest file the page accepts in "Add articles", in MB.'
    )
    ui_auth: str | None = Field(
        None,
        description="user:password to require basic auth in the chat UI (set it before exposing the UI).",
    )
    api_keys: str | None = Field(
        None,
        description="Comma-separated bearer tokens for `rag serve`'s API; required to bind beyond 127.0.0.1.",
    )

    @property
    def store_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def max_page_bytes(self) -> int:
        return int(self.max_page_mb * 1024 * 1024)

    @property
    def cpu_threads(self) -> int:
        return self.threads or os.cpu_count() or 1

    @property
    def models_dir(self) -> Path:
        return self.models or self.home / "models"

    def chunking_signature(self) -> dict[str, int | str]:
        """What must match between an index and the code that queries it."""
        return {"chunk_tokens": self.chunk_tokens, "chunk_overlap": self.chunk_overlap}
