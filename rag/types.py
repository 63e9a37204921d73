"""Plain data that crosses the pipeline's stages: Article -> Chunk -> Hit (-> Citation, Answer)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal


@dataclass(frozen=True)
class ArticleMeta:
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd when the article states a date
    url: str | None = None  # where the article was published, when known


@dataclass(frozen=True)
class Article:
    source: str  # file name: the article's id
    text: str  # cleaned text; chunk offsets point into it
    meta: ArticleMeta
    sha256: str  # of the raw file bytes (of the row's fields, for a data set row)
    row: str | None = None  # the row's id, when the article is one row of a data set file


@dataclass(frozen=True)
class Chunk:
    id: str
    source: str
    index: int
    text: str
    start: int  # character offsets of `text` in the cleaned article
    end: int
    meta: ArticleMeta
    tokens: int

    def header(self) -> str:
        """Title line prepended when embedding, so a chunk carries its article's subject."""
        return self.meta.title or ""


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    chunk: Chunk
    dense_rank: int | None = None
    bm25_rank: int | None = None
    dense_score: float | None = None  # cosine similarity of query and chunk

    def to_dict(self) -> dict:
        c = self.chunk
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "source": c.source,
            "chunk_id": c.id,
            "start": c.start,
            "end": c.end,
            "dense_rank": self.dense_rank,
            "bm25_rank": self.bm25_rank,
            "dense_score": None if self.dense_score is None else round(self.dense_score, 4),
            **{k: v for k, v in asdict(c.meta).items()},
            "text": c.text,
        }


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # file -> reason
    pruned: list[str] = field(default_factory=list)
    chunks_written: int = 0
    chunks_embedded: int = 0  # the rest came from the embedding cache
    chunks_truncated: int = 0  # longer than the embedding model reads: their tail is not embedded
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.pruned)


@dataclass(frozen=True)
class Citation:
    n: int  # the number shown in the answer text
    source: str
    title: str | None
    outlet: str | None
    date: str | None
    chunk_id: str
    quote: str  # the supporting sentence, verbatim from the article
    start: int  # offsets of `quote` in the cleaned article
    end: int
    url: str | None = None  # where the article was published, when known

    def to_dict(self) -> dict:
        return asdict(self)


ClaimKind = Literal["generated", "quote", "conflict", "update", "event"]
OTHER_REPORTS = ("conflict", "update")  # kinds that follow the answer, not part of it


@dataclass(frozen=True)
class Claim:
    """One statement of an answer: a generated sentence the evidence supports, a verbatim quote,
    or another article's differing report: a conflict, or an update when the two articles are
    from different dates (a figure that changed). `citations` are Citation.n numbers."""

    text: str  # without markers
    kind: ClaimKind
    citations: tuple[int, ...]
    date: str | None = None  # ISO date of the newest article it cites, when dated
    as_of: bool = False  # shown as "As of <date>, ...": the question is about time, or dates differ

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "kind": self.kind,
            "citations": list(self.citations),
            "date": self.date,
            "as_of": self.as_of,
        }


@dataclass
class Answer:
    question: str
    text: str  # rendered from `claims`; nobody parses it back
    citations: list[Citation]
    contexts: list[Hit]
    claims: list[Claim] = field(default_factory=list)
    refused: bool = False
    extractive: bool = False  # the lead claims quote the articles because nothing generated held up
    preliminary: bool = False  # the quick extractive answer shown while the model writes
    closest: list[Citation] = field(default_factory=list)  # on refusal: the passages looked at
    evidence_score: float | None = None  # the best evidence sentence's score (what refusal reads)
    model_refused: bool = False  # the model said the excerpts do not answer
    backend: str = ""
    model: str = ""
    standalone_question: str | None = None
    dropped: list[str] = field(default_factory=list)  # generated sentences that failed verification
    timings: dict[str, float] = field(default_factory=dict)
    tokens_generated: int = 0
    time_note: str | None = None  # how the question's time expression was read
    timeline: bool = False  # the claims are dated events in date order ("How did X develop?")
    undated: int = 0  # a timeline's relevant articles left out for want of a date
    outlets: dict | None = None  # which outlets report the answer and which do not (Assistant.outlets)

    @property
    def lead(self) -> list[Claim]:
        """The claims that answer the question (not the other articles' reports after them)."""
        return [c for c in self.claims if c.kind not in OTHER_REPORTS]

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "extractive": self.extractive,
            "preliminary": self.preliminary,
            "claims": [c.to_dict() for c in self.claims],
            "citations": [c.to_dict() for c in self.citations],
            "closest": [c.to_dict() for c in self.closest],
            "evidence_score": None if self.evidence_score is None else round(self.evidence_score, 4),
            "model_refused": self.model_refused,
            "contexts": [
                {k: h.to_dict()[k] for k in ("rank", "source", "chunk_id", "score", "start", "end", "text")}
                for h in self.contexts
            ],
            "backend": self.backend,
            "model": self.model,
            "standalone_question": self.standalone_question,
            "dropped": self.dropped,
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
            "tokens_generated": self.tokens_generated,
            "time_note": self.time_note,
            "timeline": self.timeline,
            "undated": self.undated,
            "outlets": self.outlets,
        }
