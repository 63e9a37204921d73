"""A scripted LLM for pipeline tests: it returns the outputs you queue and records its prompts."""

from __future__ import annotations


class ScriptedLLM:
    backend = "scripted"
    model = "script"

    def __init__(self, *outputs: str, fail_after: int | None = None):
        self.outputs = list(outputs)
        self.prompts: list = []
        self.fail_after = fail_after

    def stream(self, prompt, *, stop, max_tokens):
        from rag.errors import GenerationFailed

        self.prompts.append(prompt)
        text = self.outputs.pop(0)
        for i, word in enumerate(text.split(" ")):
            if self.fail_after is not None and i >= self.fail_after:
                raise GenerationFailed("the stream broke off")
            yield word if i == 0 else " " + word
