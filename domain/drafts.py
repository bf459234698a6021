"""How drafts are named in lists and when one leaves the home screen.

Pure: the draft rows come from storage, the session wording from the keeper.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DraftsConfig:
    # A draft untouched this long leaves 今日 (still listed under `d`): the home
    # list must show today's unfinished work, not every form ever left open.
    home_max_age_days: int = 30
    home_max_count: int = 5  # the newest few; the rest are one key (d) away


DEFAULT_DRAFTS_CONFIG = DraftsConfig()
UNNAMED = "（未命名）"


def identity(kind: str, title: str) -> str:
    """The part of *title* that names the record: a title saved with its kind in
    front (older drafts, 「一人一事登记：张三」) loses that prefix."""
    title = title.strip()
    for sep in ("：", ":", " "):
        while kind and title.startswith(kind + sep):
            title = title[len(kind) + len(sep) :].strip()
    return title


def draft_label(kind: str, title: str, updated_at: str, who: str) -> str:
    """「一人一事登记：张三 · 12-01 09:30 · 本会话」: the kind once, what the draft is
    about, when it was last written and by which session."""
    when = updated_at[5:16].replace("T", " ")
    parts = [f"{kind}：{identity(kind, title) or UNNAMED}", when, who]
    return " · ".join(p for p in parts if p)

