"""Print the README's configuration table from the Settings class (tests check it is current)."""

from __future__ import annotations

from rag.settings import Settings


def env_name(name: str, field) -> str:
    alias = field.validation_alias
    if alias is not None:
        return alias.choices[0]
    return f"RAG_{name.upper()}"


def table() -> str:
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "bundled `data/corpus`" if name == "corpus" else f"`{default}`"
        rows.append(f"| `{env_name(name, field)}` | {shown} | {field.description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
