"""The 必谈/必访 trigger catalogue, kept as data per branch.

There is no national list ([!], docs/RULES.md#trigger-catalogue); each enterprise numbers its
own. We ship the V2 六必谈 + 六必访 lists as the default, the composite 七必访
[综合] as an alternative visit list, and let each branch edit its copy.

Every follow-up stores the trigger code *and* a text snapshot, so rewording or
retiring a trigger never changes what an old record says.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.records import Record
from domain.text import RequiredLine


class TriggerKind(StrEnum):
    TALK = "必谈"
    VISIT = "必访"


class VisitList(StrEnum):
    """Which seeded home-visit list a new catalogue starts from."""

    SIX = "六必访"
    SEVEN = "七必访"


class TriggerError(ValueError):
    """Raised with a Chinese message the UI can show as is."""


class Trigger(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: RequiredLine = Field(max_length=12)
    kind: TriggerKind
    text: RequiredLine = Field(max_length=60)
    # Retired rather than deleted: old records keep a resolvable code, and a
    # code is never handed out twice.
    active: bool = True


# 六必谈 as one enterprise lists them (docs/RULES.md#trigger-catalogue).
SIX_TALKS_V2: tuple[str, ...] = (
    "思想出现偏差",
    "违章违纪",
    "发生责任事故",
    "完不成工作任务",
    "与他人闹矛盾",
    "受到处罚、情绪低落",
)

# 六必访 from the same enterprise's list.
SIX_VISITS_V2: tuple[str, ...] = (
    "有病住院",
    "家庭纠纷",
    "婚丧大事",
    "家庭有困难",
    "受到意外伤害",
    "请假逾期未归",
)

# Composite 七必访 [综合]: no full list exists in the sources.
SEVEN_VISITS_COMPOSITE: tuple[str, ...] = (
    "生病住院必访",
    "工伤或意外伤害必访",
    "家庭遭遇重大变故或困难必访",
    "婚丧嫁娶必访",
    "家庭矛盾纠纷必访",
    "缺勤旷工或请假逾期未归必访",
    "受处分或思想情绪异常必访",
)

# Some units use this as item 7 of 七必访 instead.
SEVEN_VISITS_ALT_ITEM_7 = "重大节日走访困难职工/老党员"

# Code prefixes: T = 必谈, V = 六必访, Q = 七必访 seeds. Branch additions use
# T/V by kind and continue the numbering.
_PREFIX = {TriggerKind.TALK: "T", TriggerKind.VISIT: "V"}
_CODE_NUM = re.compile(r"^[A-Z]+(\d+)$")


class TriggerCatalogue(Record):
    """One branch's editable list. Edit it only through the functions below."""

    branch_id: str = ""
    triggers: tuple[Trigger, ...] = ()


def _seed(prefix: str, kind: TriggerKind, texts: tuple[str, ...]) -> list[Trigger]:
    return [Trigger(code=f"{prefix}{i}", kind=kind, text=t) for i, t in enumerate(texts, 1)]


def default_catalogue(branch_id: str, *, visits: VisitList = VisitList.SIX) -> TriggerCatalogue:
    """六必谈 plus the chosen visit list (六必访 by default)."""
    triggers = _seed("T", TriggerKind.TALK, SIX_TALKS_V2)
    if visits is VisitList.SEVEN:
        triggers += _seed("Q", TriggerKind.VISIT, SEVEN_VISITS_COMPOSITE)
    else:
        triggers += _seed("V", TriggerKind.VISIT, SIX_VISITS_V2)
    return TriggerCatalogue(branch_id=branch_id, triggers=tuple(triggers))


def find(catalogue: TriggerCatalogue, code: str) -> Trigger | None:
    """The trigger with *code*, retired ones included (old records point at them)."""
    return next((t for t in catalogue.triggers if t.code == code), None)


def active(catalogue: TriggerCatalogue, kind: TriggerKind | None = None) -> list[Trigger]:
    """Triggers offered in the picker, in catalogue order."""
    return [t for t in catalogue.triggers if t.active and (kind is None or t.kind is kind)]


def _require(catalogue: TriggerCatalogue, code: str) -> Trigger:
    trigger = find(catalogue, code)
    if trigger is None:
        raise TriggerError(f"清单中没有编号为 {code} 的触发情形")
    return trigger


def _replace(catalogue: TriggerCatalogue, new: Trigger) -> TriggerCatalogue:
    triggers = tuple(new if t.code == new.code else t for t in catalogue.triggers)
    return catalogue.model_copy(update={"triggers": triggers})


def _next_code(catalogue: TriggerCatalogue, kind: TriggerKind) -> str:
    prefix = _PREFIX[kind]
    # Count every code of the kind, retired and Q-seeded included, so a new
    # item never reuses the number of an old one.
    nums = [
        int(m[1]) for t in catalogue.triggers if t.kind is kind and (m := _CODE_NUM.match(t.code))
    ]
    return f"{prefix}{max(nums, default=0) + 1}"


def _make(code: str, kind: TriggerKind, text: str, *, is_active: bool = True) -> Trigger:
    # Validate through the model (cleans the text) but report in plain Chinese.
    try:
        return Trigger(code=code, kind=kind, text=text, active=is_active)
    except ValidationError:
        raise TriggerError("触发情形的内容不能为空，且不超过60字") from None


def _check_duplicate(
    catalogue: TriggerCatalogue, kind: TriggerKind, text: str, skip: str = ""
) -> None:
    for t in active(catalogue, kind):
        if t.text == text and t.code != skip:
            raise TriggerError(f"{kind}清单中已有「{text}」")


def add_trigger(catalogue: TriggerCatalogue, kind: TriggerKind, text: str) -> TriggerCatalogue:
    """Return a copy with a new active trigger appended."""
    trigger = _make(_next_code(catalogue, kind), kind, text)
    _check_duplicate(catalogue, kind, trigger.text)
    return catalogue.model_copy(update={"triggers": (*catalogue.triggers, trigger)})


def remove_trigger(catalogue: TriggerCatalogue, code: str) -> TriggerCatalogue:
    """Return a copy with *code* retired: gone from the picker, still resolvable."""
    trigger = _require(catalogue, code)
    if not trigger.active:
        raise TriggerError(f"「{trigger.text}」已停用")
    return _replace(catalogue, trigger.model_copy(update={"active": False}))


def restore_trigger(catalogue: TriggerCatalogue, code: str) -> TriggerCatalogue:
    """Return a copy with a retired trigger offered again."""
    trigger = _require(catalogue, code)
    _check_duplicate(catalogue, trigger.kind, trigger.text, skip=code)
    return _replace(catalogue, trigger.model_copy(update={"active": True}))


def reword_trigger(catalogue: TriggerCatalogue, code: str, text: str) -> TriggerCatalogue:
    """Return a copy with new wording; records filed earlier keep their snapshot."""
    trigger = _require(catalogue, code)
    reworded = _make(code, trigger.kind, text, is_active=trigger.active)
    _check_duplicate(catalogue, trigger.kind, reworded.text, skip=code)
    return _replace(catalogue, reworded)
