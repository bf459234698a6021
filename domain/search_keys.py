"""Pinyin search keys for people: "zw", "zhangw", "zhang wei", "张" → 张伟.

Keys are computed once when a person is saved and stored in an indexed table,
so a picker answers with an index range scan, not a Python loop.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

from domain.clean import identity_text

# rank: lower sorts first in results.
RANK_NAME = 0
RANK_FULL = 1
RANK_INITIALS = 2
RANK_GIVEN = 3

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_KEEP = re.compile(r"[^0-9a-z\u3400-\u9fff\uf900-\ufaff]")
MAX_VARIANTS = 4


def normalise_query(text: str) -> str:
    """Lower-case, NFKC (full-width letters), drop invisible characters, spaces
    and punctuation."""
    s = identity_text(text).lower()
    s = s.replace("ü", "v")
    return _KEEP.sub("", s)


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


@lru_cache(maxsize=4096)
def _char_readings(ch: str) -> tuple[str, ...]:
    from pypinyin import Style, pinyin  # heavy: imported on first use only

    if not _CJK.match(ch):
        s = normalise_query(ch)
        return (s,) if s else ()
    readings = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    seen: list[str] = []
    for r in readings[0] if readings else ():
        r = r.replace("ü", "v")
        if r and r not in seen:
            seen.append(r)
    return tuple(seen[:3])


def _name_readings(name: str) -> list[list[str]]:
    from pypinyin import Style, lazy_pinyin

    # Phrase-aware reading first (pypinyin picks 单 shan for surnames poorly,
    # but its phrase dictionary is right far more often than per-char).
    primary = [p.replace("ü", "v") for p in lazy_pinyin(name, style=Style.NORMAL, errors="ignore")]
    chars = [c for c in name if normalise_query(c)]
    if len(primary) != len(chars):
        return [list(_char_readings(c)) or [""] for c in chars]
    out = []
    for i, (ch, p) in enumerate(zip(chars, primary, strict=True)):
        alts = [p] + [r for r in _char_readings(ch) if r != p]
        # Surnames are where heteronyms bite (单 shan, 曾 zeng, 区 ou): keep more.
        out.append(alts[: 3 if i == 0 else 2])
    return out


def person_keys(name: str) -> list[tuple[str, int]]:
    """All (key, rank) pairs for *name*; duplicates removed, best rank kept."""
    name = unicodedata.normalize("NFKC", name).strip()
    keys: dict[str, int] = {}

    def add(k: str, rank: int) -> None:
        if k and (k not in keys or keys[k] > rank):
            keys[k] = rank

    add(normalise_query(name), RANK_NAME)
    readings = _name_readings(name)
    if not readings:
        return list(keys.items())
    combos = list(itertools.islice(itertools.product(*readings), MAX_VARIANTS))
    for combo in combos:
        add("".join(combo), RANK_FULL)
        add("".join(p[:1] for p in combo), RANK_INITIALS)
        # Mixed full syllables and initials ("zhoujl", "zjielun", "zhoujlun"):
        # every syllable either whole or as its initial. A prefix scan then
        # also finds "zhoujiel" (zhou jie l…) and "zhouj".
        for mixed in mixed_keys(combo):
            add(mixed, RANK_INITIALS)
        if len(combo) > 1:
            add("".join(combo[1:]), RANK_GIVEN)
    # the given name alone in characters ("伟" finds 张伟)
    if len(name) > 1:
        add(normalise_query(name[1:]), RANK_GIVEN)
    return list(keys.items())


MAX_MIXED_SYLLABLES = 4  # 2**4 keys per reading; longer names get full and initials only


def mixed_keys(syllables: tuple[str, ...] | list[str]) -> list[str]:
    """Each syllable whole or as its initial, at least one of each kind."""
    if not 1 < len(syllables) <= MAX_MIXED_SYLLABLES:
        return []
    out = []
    for whole in itertools.product((True, False), repeat=len(syllables)):
        if all(whole) or not any(whole):
            continue  # the full key and the initials are added on their own
        out.append("".join(s if w else s[:1] for s, w in zip(syllables, whole, strict=True)))
    return out


def text_syllables(text: str) -> list[str]:
    """Most likely pinyin of each character of *text* (a title, not a name);
    runs of letters and digits stay one unit."""
    from pypinyin import Style, lazy_pinyin

    return [
        normalise_query(p)
        for p in lazy_pinyin(unicodedata.normalize("NFKC", text), style=Style.NORMAL)
        if normalise_query(p)
    ]


def matches_syllables(query: str, syllables: list[str]) -> bool:
    """True when *query* (normalised) spells a run of *syllables* from any
    start, each syllable given whole or by a prefix ("hmc", "huamingce",
    "huamc", "mingc" all match 花名册)."""
    if not query:
        return False

    def from_here(q: str, i: int) -> bool:
        if not q:
            return True
        if i >= len(syllables):
            return False
        s = syllables[i]
        for n in range(min(len(s), len(q)), 0, -1):
            if s[:n] == q[:n] and from_here(q[n:], i + 1):
                return True
        return False

    return any(from_here(query, i) for i in range(len(syllables)))


def sort_key(name: str) -> str:
    """Full pinyin of the most likely reading, for alphabetical lists."""
    best = [k for k, r in person_keys(name) if r == RANK_FULL]
    return best[0] if best else normalise_query(name)
