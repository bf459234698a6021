"""Annotated field types for the pydantic models, on top of domain.clean.

Line / Note / Digits / RequiredLine clean user text as it is validated.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

from domain.clean import LONG_MAX, NAME_MAX, SHORT_MAX, clean_number, clean_text

__all__ = [
    "LONG_MAX",
    "NAME_MAX",
    "SHORT_MAX",
    "Digits",
    "Line",
    "Note",
    "RequiredLine",
    "clean_number",
    "clean_text",
]


def _line(v: object) -> object:
    return clean_text(v) if isinstance(v, str) else v


def _multiline(v: object) -> object:
    return clean_text(v, multiline=True) if isinstance(v, str) else v


def _digits(v: object) -> object:
    return clean_number(v) if isinstance(v, str) else v


def _not_blank(v: str) -> str:
    if not v:
        raise ValueError("不能为空")
    return v


# Annotated types for pydantic models.
Line = Annotated[str, BeforeValidator(_line)]
Note = Annotated[str, BeforeValidator(_multiline)]
Digits = Annotated[str, BeforeValidator(_digits)]
RequiredLine = Annotated[str, BeforeValidator(_line), AfterValidator(_not_blank)]
