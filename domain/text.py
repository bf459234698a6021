"""Text hygiene shared by every model, import and export.

User text reaches SQLite, the terminal and .docx files. Control characters
(terminal escapes, C1, NUL), lone surrogates and XML non-characters are
removed on the way in; see reliability-security.md §2.4 and §7.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f]")

# Upper bounds for stored text: big enough for real notes, small enough that a
# stray 120k paste cannot make the UI crawl.
NAME_MAX = 40
SHORT_MAX = 200
LONG_MAX = 20_000


def clean_text(s: str, *, multiline: bool = False) -> str:
    """Return *s* with control characters, bidi overrides and surrogates removed."""
    s = unicodedata.normalize("NFC", s).replace("\r\n", "\n").replace("\r", "\n")
    s = _BAD.sub("", s)
    s = _BIDI.sub("", s)
    if not multiline:
        s = s.replace("\n", " ").replace("\t", " ")
    return s.strip() if not multiline else s.rstrip()


def clean_number(s: str) -> str:
    """NFKC for numeric and ID fields: full-width '１２' becomes '12'."""
    return unicodedata.normalize("NFKC", s).strip()


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
