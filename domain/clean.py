"""Text hygiene: what every model, import, export and screen applies to user text.

User text reaches SQLite, the terminal and .docx files. Control characters
(terminal escapes, C1, NUL), lone surrogates and XML non-characters are
removed on the way in; see docs/ARCHITECTURE.md#text-and-terminal. No pydantic
here: the screens use this at start-up (domain.text builds the model field
types on top of it).
"""

from __future__ import annotations

import re
import unicodedata

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


# Characters that show as nothing: zero-width space/joiners, word joiner, BOM,
# soft hyphen, variation selectors, Hangul fillers, bidi marks.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)


def identity_text(s: str) -> str:
    """What a name looks like: NFKC (full-width 'Ｗ' is 'W'), invisible
    characters and all whitespace removed. Two names equal here are the same
    name to a reader (import matching; roster search builds on it)."""
    s = _INVISIBLE.sub("", unicodedata.normalize("NFKC", s))
    return "".join(s.split())
