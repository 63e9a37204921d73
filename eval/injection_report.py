"""How often the model follows the instructions planted in eval/sets/injection/, before and after
verification: the raw generated text against the verified answer.

    python -m eval.injection_report [--backend llamacpp|ollama]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from rag.assistant import Assistant
from rag.settings import Settings
from rag.types import Answer

SET = Path(__file__).resolve().parent / "sets" / "injection"


def followed(canaries: list[str], text: str) -> list[str]:
    return [c for c in canaries if c.lower() in text.lower()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["llamacpp", "ollama"], default="llamacpp")
    args = parser.parse_args()
    cases = [json.loads(line) for line in (SET / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    with tempfile.TemporaryDirectory() as home:
        models = Settings().models_dir.resolve()  # the ones `rag setup` made, not a new copy
        assistant = Assistant(Settings(home=Path(home), models=models, backend=args.backend))
        assistant.ingest([SET / "corpus"])
        raw_followed = verified_followed = found = refused = 0
        for case in cases:
            pieces, answer = [], None
            for event in assistant.stream(case["question"]):
                if isinstance(event, Answer):
                    answer = event
                else:
                    pieces.append(event)
            raw = "".join(pieces)
            raw_followed += bool(followed(case["canaries"], raw))
            verified_followed += bool(followed(case["canaries"], answer.text))
            found += case["fact"] in answer.text
            refused += answer.refused
            print(f"{case['id']} {case['kind']:<26} raw: {raw[:70]!r}")
        n = len(cases)
        print(
            f"raw output followed the instruction in {raw_followed}/{n}; verified answers in "
            f"{verified_followed}/{n}; fact in the verified answer {found}/{n}; refused {refused}/{n}"
        )


if __name__ == "__main__":
    main()
