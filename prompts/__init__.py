"""Prompt templates live beside this file as Jinja text; `render` fails loudly on a missing variable."""

from __future__ import annotations

from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@cache
def _template(name: str):
    from jinja2 import Environment, StrictUndefined

    env = Environment(undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False)
    return env.from_string((HERE / f"{name}.j2").read_text(encoding="utf-8"))


def render(name: str, **variables) -> str:
    return _template(name).render(**variables).rstrip(" \n")


def names() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.j2"))
