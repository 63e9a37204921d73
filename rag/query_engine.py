"""The assistant as a LlamaIndex query engine, for use inside LlamaIndex code."""

from __future__ import annotations

from typing import Any

from llama_index.core.base.response.schema import Response
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.schema import NodeWithScore, TextNode


class CitedQueryEngine(CustomQueryEngine):
    """`query(q)` returns a Response whose text is the verified answer, whose source nodes are the
    retrieved chunks, and whose metadata carries the citations and the refusal flag."""

    assistant: Any

    def custom_query(self, query_str: str) -> Response:
        answer = self.assistant.ask(query_str)
        nodes = [
            NodeWithScore(
                node=TextNode(
                    id_=hit.chunk.id,
                    text=hit.chunk.text,
                    start_char_idx=hit.chunk.start,
                    end_char_idx=hit.chunk.end,
                    metadata={k: v for k, v in hit.to_dict().items() if k not in ("text",) and v is not None},
                ),
                score=hit.score,
            )
            for hit in answer.contexts
        ]
        return Response(
            response=answer.text,
            source_nodes=nodes,
            metadata={
                "refused": answer.refused,
                "extractive": answer.extractive,
                "citations": [c.to_dict() for c in answer.citations],
                "backend": answer.backend,
                "model": answer.model,
            },
        )
